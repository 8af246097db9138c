/// How log lines are written: JSON lines for machines, readable text for people.
public struct LogFormat: Sendable, Hashable, CustomStringConvertible {
    enum Kind: String, Sendable {
        case json
        case text
    }

    let kind: Kind

    /// One JSON object per line: what log shippers and `fleet logs --json` read.
    public static let json = LogFormat(kind: .json)
    /// Readable text, for a terminal.
    public static let text = LogFormat(kind: .text)

    /// Parses `json` or `text`.
    public init?(_ name: String) {
        guard let kind = Kind(rawValue: name.lowercased()) else { return nil }
        self.kind = kind
    }

    init(kind: Kind) {
        self.kind = kind
    }

    public var description: String { self.kind.rawValue }
}
