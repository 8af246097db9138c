/// A job's identifier: 128 random bits as 32 lowercase hex characters, so ids
/// made by different processes and machines never collide.
public struct JobID: Hashable, Sendable, CustomStringConvertible {
    /// The id as stored and as shown to clients.
    public let rawValue: String

    /// Wraps an id read back from a client or a store; any non-empty string of at most 128 bytes.
    public init?(rawValue: String) {
        guard !rawValue.isEmpty, rawValue.utf8.count <= 128 else { return nil }
        self.rawValue = rawValue
    }

    init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }

    /// A new id from `SystemRandomNumberGenerator`.
    public static func random() -> JobID {
        var generator = SystemRandomNumberGenerator()
        let high = UInt64.random(in: .min ... .max, using: &generator)
        let low = UInt64.random(in: .min ... .max, using: &generator)
        return JobID(uncheckedRawValue: Self.hex(high) + Self.hex(low))
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public var description: String { rawValue }
}
