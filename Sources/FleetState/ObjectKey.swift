/// The key of an object: `/`-separated segments of letters, digits, `.`, `_` and `-`,
/// none starting with `.` (no `..`, no hidden files), so a key is also a safe relative path on disk.
public struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    /// The key as stored, e.g. `avatars/42`.
    public let rawValue: String

    /// - Throws: `FleetStateError.Code.invalidKey` when `rawValue` is not a valid key.
    public init(_ rawValue: String) throws(FleetStateError) {
        let segments = rawValue.split(separator: "/", omittingEmptySubsequences: false)
        let valid = !rawValue.isEmpty && rawValue.utf8.count <= 1024 && segments.allSatisfy { segment in
            !segment.isEmpty && !segment.hasPrefix(".")
                && segment.utf8.allSatisfy { byte in
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                        true
                    case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                        true
                    default:
                        false
                    }
                }
        }
        guard valid else {
            throw FleetStateError(.invalidKey, "object key \(rawValue.debugDescription) is not /-separated segments of [A-Za-z0-9._-] not starting with a dot")
        }
        self.rawValue = rawValue
    }

    public var description: String { self.rawValue }
}
