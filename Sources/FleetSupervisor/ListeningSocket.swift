#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP socket bound and listening, owned by the supervisor and inherited by
/// every worker, so the port stays open across restarts and reloads.
public struct ListeningSocket: Sendable {
    /// The descriptor; close-on-exec, so children get it only where we place it.
    public let descriptor: Int32
    /// The port bound (useful when 0 was asked for).
    public let port: Int

    /// Binds `host:port` and listens.
    /// - Parameters:
    ///   - host: an IPv4 or IPv6 literal, or `localhost`.
    ///   - port: the port, or 0 for any free one.
    ///   - backlog: the accept queue length.
    ///   - reusePort: join the port's `SO_REUSEPORT` group, so the kernel spreads connections over several sockets.
    public static func bind(host: String, port: Int, backlog: Int32 = 4096, reusePort: Bool = false) throws(SupervisorError) -> ListeningSocket {
        let address = host == "localhost" ? "127.0.0.1" : host
        let isIPv6 = address.contains(":")
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SupervisorError(.socket, "socket(): \(errnoText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if reusePort {
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound: Int32
        if isIPv6 {
            var storage = sockaddr_in6()
            storage.sin6_family = sa_family_t(AF_INET6)
            storage.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, address, &storage.sin6_addr) == 1 else {
                Glibc.close(fd)
                throw SupervisorError(.socket, "\(host) is not an IP address")
            }
            bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var storage = sockaddr_in()
            storage.sin_family = sa_family_t(AF_INET)
            storage.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, address, &storage.sin_addr) == 1 else {
                Glibc.close(fd)
                throw SupervisorError(.socket, "\(host) is not an IP address")
            }
            bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard bound == 0 else {
            let reason = errnoText()
            Glibc.close(fd)
            throw SupervisorError(.socket, "cannot bind \(host):\(port): \(reason)")
        }
        guard listen(fd, backlog) == 0 else {
            let reason = errnoText()
            Glibc.close(fd)
            throw SupervisorError(.socket, "listen(): \(reason)")
        }
        return ListeningSocket(descriptor: fd, port: Self.boundPort(fd, isIPv6: isIPv6))
    }

    /// Takes over a listening socket this process inherited (systemd socket
    /// activation), with the address it is bound to, so more sockets can join
    /// its port. They can only if it was bound with `SO_REUSEPORT`
    /// (`ReusePort=yes` in the socket unit); `reusesPort` says whether it was.
    public static func adopt(descriptor fd: Int32) throws(SupervisorError) -> (socket: ListeningSocket, host: String, reusesPort: Bool) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let family = Int32(storage.ss_family)
        guard named == 0, family == AF_INET || family == AF_INET6 else {
            throw SupervisorError(.socket, "the inherited descriptor \(fd) is not a TCP socket")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET6 {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var bytes = address.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &bytes, &text, socklen_t(text.count))
                }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var bytes = address.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &bytes, &text, socklen_t(text.count))
                }
            }
        }
        var reusePort: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &reusePort, &size)
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (ListeningSocket(descriptor: fd, port: Self.boundPort(fd, isIPv6: family == AF_INET6)), host, reusePort != 0)
    }

    static func boundPort(_ fd: Int32, isIPv6: Bool) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return withUnsafePointer(to: &storage) { pointer in
            isIPv6
                ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    public func close() {
        _ = Glibc.close(self.descriptor)
    }
}

func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
