import Foundation

/// A session's identifier: 192 bits from the system CSPRNG, as 32 base64url
/// characters, so ids can neither be guessed nor enumerated.
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    /// Random bytes in an id; 24 bytes is 192 bits, above the 128 OWASP asks for.
    static let byteCount = 24
    /// Characters of the encoded id.
    static let length = 32

    /// The encoded id, as stored and as signed into the cookie.
    public let rawValue: String

    /// Accepts only a well-formed id (32 base64url characters); anything else is nil.
    public init?(rawValue: String) {
        guard rawValue.utf8.count == Self.length, rawValue.utf8.allSatisfy(Self.isBase64URL) else { return nil }
        self.rawValue = rawValue
    }

    /// A new id from `SystemRandomNumberGenerator`, which reads the kernel's CSPRNG (getrandom on Linux).
    public static func random() -> SessionID {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<Self.byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SessionID(uncheckedRawValue: Base64URL.encode(bytes))
    }

    private init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }

    public var description: String { rawValue }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}

/// Unpadded base64url (RFC 4648 §5): safe in cookies and URLs without escaping.
enum Base64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func decode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
