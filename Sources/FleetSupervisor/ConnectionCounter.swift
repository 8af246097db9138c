import Foundation

/// Counts each worker's established client connections on the app's port,
/// from /proc (Linux): the kernel's TCP table gives the sockets, a worker's
/// descriptor table says which are its own. This is the share `fleet list`
/// shows, so uneven balancing is visible, not guessed.
struct ConnectionCounter {
    /// Socket inodes of established connections whose local port is the app's.
    private let inodes: Set<Substring>

    init(port: Int) {
        guard port > 0 else {
            self.inodes = []
            return
        }
        let portField = String(port, radix: 16, uppercase: true)
        var inodes = Set<Substring>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = readProcFile(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // sl, local address:port, remote address:port, state, ..., inode (field 9). State 01 is ESTABLISHED.
                guard fields.count > 9, fields[3] == "01",
                    let local = fields[1].split(separator: ":").last, Self.samePort(local, portField)
                else { continue }
                inodes.insert(fields[9])
            }
        }
        self.inodes = inodes
    }

    /// How many of those connections `pid` holds.
    func established(pid: pid_t) -> Int {
        guard !self.inodes.isEmpty,
            let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
        else { return 0 }
        return descriptors.count { descriptor in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)"),
                target.hasPrefix("socket:[")
            else { return false }
            return self.inodes.contains(target.dropFirst(8).dropLast())
        }
    }

    /// The table pads ports to four hex digits.
    private static func samePort(_ field: Substring, _ port: String) -> Bool {
        field.drop { $0 == "0" } == port.drop { $0 == "0" }
    }
}
