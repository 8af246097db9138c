import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 timestamps with milliseconds, without Foundation's formatters on the log path.
enum UTCTimestamp {
    static func now() -> String {
        // Milliseconds since the epoch; `Date` rather than `timespec`, whose defining
        // module a release build of this target resolves differently (CDispatch).
        let epochMilliseconds = Int(Date().timeIntervalSince1970 * 1000)
        var seconds = time_t(epochMilliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = epochMilliseconds % 1000
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad3(millis))Z"
    }

    private static func pad(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static func pad3(_ value: Int) -> String {
        value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)"
    }
}
