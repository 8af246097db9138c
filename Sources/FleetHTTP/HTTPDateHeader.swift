#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// The `Date` header value, formatted once a second instead of once a response.
final class HTTPDateHeader: Sendable {
    /// The process's one clock of dates, ticking for its lifetime.
    static let shared = HTTPDateHeader()

    private let current: NIOLockedValueBox<String>
    /// Counts the values formatted: a reader that keeps its own copy of
    /// `value` takes a new one only when this moves, once a second, instead
    /// of taking the lock and sharing the string's reference count with
    /// every event loop on every response.
    let version = Atomic<Int>(0)

    private init() {
        self.current = NIOLockedValueBox(Self.format(time(nil)))
        MultiThreadedEventLoopGroup.singleton.any().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [self] _ in
            self.current.withLockedValue { $0 = Self.format(time(nil)) }
            self.version.add(1, ordering: .releasing)
        }
    }

    var value: String { self.current.withLockedValue { $0 } }

    /// A copy of `value` kept by one connection, taken again when the date moves on.
    struct Copy {
        private var version = -1
        private var text = ""

        /// The current value: the kept copy, unless a newer one was formatted.
        mutating func value(of dates: HTTPDateHeader) -> String {
            let version = dates.version.load(ordering: .acquiring)
            if version != self.version {
                self.text = dates.value
                self.version = version
            }
            return self.text
        }
    }

    /// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110).
    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
