#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A session secret generated once and kept in a file (mode 0600) under the
/// state directory, so that every worker of the machine, and every restart,
/// signs and verifies with the same one. For the embedded setup only: with
/// Redis the workers may be on other machines and need `SESSION_SECRETS`.
public enum SessionSecretFile {
    /// The file's name under the state directory.
    public static let name = "session-secret"

    /// The secret in `directory`, generated (256 random bits, hex) if there is none.
    ///
    /// Workers starting together agree on one secret: each writes its candidate
    /// to a private temporary file and `link`s it into place, which fails for all
    /// but the first; everyone then reads what is in place.
    /// - Throws: `FleetStateError` `.invalidConfiguration` when the file cannot be read or written.
    public static func loadOrCreate(directory: String) throws(FleetStateError) -> String {
        let path = directory + "/" + name
        if let secret = try read(path) { return secret }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FleetStateError(.invalidConfiguration, "cannot create the state directory \(directory)", underlying: error)
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        let temporary = "\(path).\(getpid()).\(UInt64.random(in: 0 ... .max, using: &generator)).tmp"
        defer { unlink(temporary) }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create", temporary) }
        let written = secret.withCString { write(fd, $0, strlen($0)) }
        let synced = fsync(fd)
        close(fd)
        guard written == secret.utf8.count, synced == 0 else { throw failure("write", temporary) }
        if link(temporary, path) != 0 && errno != EEXIST { throw failure("link", path) }
        guard let stored = try read(path) else { throw failure("read", path) }
        return stored
    }

    private static func read(_ path: String) throws(FleetStateError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("read", path) }
        let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard secret.utf8.count >= SessionSigner.minimumSecretLength else {
            throw FleetStateError(.invalidConfiguration, "\(path) holds no usable secret; delete it to generate a new one")
        }
        return secret
    }

    private static func failure(_ step: String, _ path: String) -> FleetStateError {
        FleetStateError(.invalidConfiguration, "cannot \(step) the session secret file \(path): \(String(cString: strerror(errno)))")
    }
}
