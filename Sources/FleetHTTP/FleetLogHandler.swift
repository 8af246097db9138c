#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A `LogHandler` writing JSON lines or readable text to standard output.
///
/// Every line carries the process id and, under the supervisor, the worker's
/// instance number, so merged logs of a fleet stay attributable. Each line is
/// one `write(2)`, so lines from concurrent tasks never interleave.
public struct FleetLogHandler: LogHandler {
    public var metadata: Logger.Metadata
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let label: String
    let format: LogFormat
    let processFields: ProcessFields

    /// - Parameters:
    ///   - label: the logger's label, written as `logger`.
    ///   - format: JSON lines or text.
    ///   - level: the lowest level written.
    ///   - instance: the worker's instance number, when run by the supervisor.
    public init(label: String, format: LogFormat, level: Logger.Level, instance: Int?) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.metadata = [:]
        self.processFields = ProcessFields(pid: Int(getpid()), instance: instance)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata {
            merged.merge(explicit) { _, new in new }
        }
        var line: String
        switch self.format.kind {
        case .json:
            line = self.jsonLine(event, merged)
        case .text:
            line = self.textLine(event, merged)
        }
        line.append("\n")
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    func jsonLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var line = #"{"time":""#
        line += UTCTimestamp.now()
        line += #"","level":""#
        line += event.level.rawValue
        line += #"","message":"#
        line += JSONString.quoted(event.message.description)
        line += #","logger":"#
        line += JSONString.quoted(self.label)
        line += #","pid":\#(self.processFields.pid)"#
        if let instance = self.processFields.instance {
            line += #","instance":\#(instance)"#
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += ","
            line += JSONString.quoted(key)
            line += ":"
            Self.appendJSON(value, to: &line)
        }
        line += "}"
        return line
    }

    func textLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var line = UTCTimestamp.now()
        line += " \(event.level.rawValue) [\(self.processFields.instance.map { "\($0):" } ?? "")\(self.processFields.pid)] "
        line += event.message.description
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        return line
    }

    static func appendJSON(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string):
            line += JSONString.quoted(string)
        case .stringConvertible(let convertible):
            line += JSONString.quoted(convertible.description)
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendJSON(element, to: &line)
            }
            line += "]"
        case .dictionary(let values):
            line += "{"
            for (index, (key, element)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line += "," }
                line += JSONString.quoted(key) + ":"
                appendJSON(element, to: &line)
            }
            line += "}"
        }
    }
}

/// Fields of this process that every line carries.
struct ProcessFields: Sendable {
    let pid: Int
    let instance: Int?
}
