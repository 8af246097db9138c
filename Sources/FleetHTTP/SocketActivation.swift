#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening socket handed over by systemd socket activation or the Fleet
/// supervisor (`LISTEN_FDS`/`LISTEN_PID`, sockets from fd 3 on).
public enum SocketActivation {
    /// The first passed descriptor, by the convention's definition.
    public static let firstDescriptor: Int32 = 3

    /// The inherited listening socket, or nil when this process was given none.
    /// - Throws: `ConfigurationError` when `LISTEN_FDS` or `LISTEN_PID` does not parse.
    public static func inheritedSocket(environment: [String: String]) throws(ConfigurationError) -> Int32? {
        let env = EnvironmentReader(environment)
        guard let count = try env.integer("LISTEN_FDS", in: 0...1024), count > 0 else { return nil }
        // The sockets belong to the process named by LISTEN_PID: not to a child that inherited the environment.
        if let owner = try env.integer("LISTEN_PID", in: 1...Int(Int32.max)), owner != Int(getpid()) {
            return nil
        }
        return Self.firstDescriptor
    }
}
