#if canImport(Glibc)
import Glibc
#endif

/// The worker's side of the link to its supervisor: a socket at `FLEET_IPC_FD`
/// carrying JSON lines.
///
/// The hand-over of a listening socket is a short conversation, so that two
/// processes never accept on one socket at once:
/// worker `prepared` → supervisor `accept` → worker `ready`; and on shutdown,
/// worker `released` once it has stopped accepting.
public enum SupervisorLink {
    /// The link descriptor, when this process was started by a Fleet supervisor.
    public static func descriptor(environment: [String: String]) -> Int32? {
        environment["FLEET_IPC_FD"].flatMap { Int32($0) }
    }

    /// Sends one message: `{"type":"<type>"}`.
    public static func send(_ type: String, descriptor: Int32) {
        _ = self.write(line: #"{"type":"\#(type)"}"# + "\n", descriptor: descriptor)
    }

    /// The message type of `reportBacklog`.
    static let backlogType = "backlog"

    /// Tells the supervisor how many jobs wait in the app's queue: the signal its
    /// autoscaler scales on (`Autoscaling`). Any worker may report; the latest counts.
    public static func reportBacklog(waiting: Int, descriptor: Int32) {
        _ = self.write(line: #"{"type":"\#(self.backlogType)","waiting":\#(waiting)}"# + "\n", descriptor: descriptor)
    }

    /// Writes a whole line, waiting up to `timeout` for room when the link is
    /// non-blocking and full; false if it could not (the line may then be cut).
    static func write(line: String, descriptor: Int32, timeout: Duration = .seconds(1)) -> Bool {
        var line = line
        let deadline = ContinuousClock.now + timeout
        return line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && errno == EAGAIN && ContinuousClock.now < deadline {
                    var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&waiting, 1, 10)
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// Blocks until the supervisor sends a message of `type`; false if the link closes
    /// first or `stopping` turns true (looked at every 50 ms, as a read cannot be woken).
    /// Call it off the event loops (a thread pool), as it blocks its thread.
    static func waitFor(_ type: String, descriptor: Int32, unless stopping: () -> Bool) -> Bool {
        var splitter = LineSplitter()
        var buffer = [UInt8](repeating: 0, count: 512)
        while !stopping() {
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, 50) > 0 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard count > 0 else { return false }
            for line in splitter.lines(in: buffer[..<count]) where line.contains(#""type":"\#(type)""#) {
                return true
            }
        }
        return false
    }
}
