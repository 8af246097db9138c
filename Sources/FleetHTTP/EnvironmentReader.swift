import Logging

/// Reads typed values from environment variables, failing with a
/// `ConfigurationError` that names the variable and what it accepts.
public struct EnvironmentReader: Sendable {
    let values: [String: String]

    /// - Parameter values: the environment, usually `ProcessInfo.processInfo.environment`.
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The raw value, with an empty value treated as unset.
    public func string(_ name: String) -> String? {
        guard let value = self.values[name], !value.isEmpty else { return nil }
        return value
    }

    /// An integer within `range`.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let raw = self.string(name) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(variable: name, value: raw, accepted: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A duration such as `30s`, `500ms`, `2m`, or a plain number of seconds.
    public func duration(_ name: String) throws(ConfigurationError) -> Duration? {
        guard let raw = self.string(name) else { return nil }
        guard let value = Self.parseDuration(raw) else {
            throw ConfigurationError(variable: name, value: raw, accepted: "a duration such as 30s, 500ms or 2m")
        }
        return value
    }

    /// A size in bytes such as `1MiB`, `512KiB`, `64k`, or a plain number of bytes.
    public func byteCount(_ name: String) throws(ConfigurationError) -> Int? {
        guard let raw = self.string(name) else { return nil }
        guard let value = Self.parseByteCount(raw) else {
            throw ConfigurationError(variable: name, value: raw, accepted: "a size such as 1048576, 512KiB or 1MiB")
        }
        return value
    }

    /// A boolean: true, false, 1, 0, yes or no.
    public func boolean(_ name: String) throws(ConfigurationError) -> Bool? {
        guard let raw = self.string(name) else { return nil }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(variable: name, value: raw, accepted: "true or false")
        }
    }

    /// A log level: trace, debug, info, notice, warning, error or critical.
    public func logLevel(_ name: String) throws(ConfigurationError) -> Logger.Level? {
        guard let raw = self.string(name) else { return nil }
        guard let level = Logger.Level(rawValue: raw.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: name, value: raw, accepted: "one of \(names)")
        }
        return level
    }

    /// A log format: json or text.
    public func logFormat(_ name: String) throws(ConfigurationError) -> LogFormat? {
        guard let raw = self.string(name) else { return nil }
        guard let format = LogFormat(raw) else {
            throw ConfigurationError(variable: name, value: raw, accepted: "json or text")
        }
        return format
    }

    /// A URL whose scheme is one of `schemes`.
    public func url(_ name: String, schemes: [String]) throws(ConfigurationError) -> String? {
        guard let raw = self.string(name) else { return nil }
        guard let colon = raw.firstIndex(of: ":"), schemes.contains(raw[..<colon].lowercased()), raw[colon...].hasPrefix("://") else {
            throw ConfigurationError(variable: name, value: raw, accepted: "a URL starting with " + schemes.map { "\($0)://" }.joined(separator: " or "))
        }
        return raw
    }

    static func parseDuration(_ raw: String) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for unit in units where raw.hasSuffix(unit.suffix) {
            guard let number = Double(raw.dropLast(unit.suffix.count)), number >= 0, number.isFinite else { return nil }
            return .milliseconds(Int64((number * unit.seconds * 1000).rounded()))
        }
        guard let seconds = Double(raw), seconds >= 0, seconds.isFinite else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    static func parseByteCount(_ raw: String) -> Int? {
        let units: [(suffix: String, factor: Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("k", 1 << 10), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30),
        ]
        for unit in units where raw.hasSuffix(unit.suffix) {
            guard let number = Int(raw.dropLast(unit.suffix.count)), number >= 0 else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: unit.factor)
            return overflow ? nil : product
        }
        guard let bytes = Int(raw), bytes >= 0 else { return nil }
        return bytes
    }
}
