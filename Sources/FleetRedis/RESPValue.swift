import NIOCore

/// A value in the Redis serialization protocol, RESP3 or RESP2.
///
/// String-like values hold slices of the buffer the reply arrived in, so
/// decoding a reply copies no payload bytes.
public enum RESPValue: Sendable {
    /// `+OK`: a simple string.
    case simpleString(ByteBuffer)
    /// `$5 hello`: a binary-safe bulk string.
    case bulkString(ByteBuffer)
    /// `=15 txt:...`: a verbatim string with its three-letter format (`txt`, `mkd`).
    case verbatimString(format: String, ByteBuffer)
    /// `-ERR ...` or `!21 ...`: an error reply, simple or bulk.
    case error(ByteBuffer)
    /// `:42`: a signed 64-bit integer.
    case integer(Int64)
    /// `,3.14`: a double, including `inf`, `-inf` and `nan`.
    case double(Double)
    /// `#t` or `#f`: a boolean.
    case boolean(Bool)
    /// `(3492890328409238509324850943850943825024385`: a big number, as its decimal text.
    case bigNumber(ByteBuffer)
    /// `_`, or the RESP2 null bulk string and null array.
    case null
    /// `*n`: an array.
    case array([RESPValue])
    /// `%n`: a map, as its key/value pairs in the order the server sent them.
    case map([(key: RESPValue, value: RESPValue)])
    /// `~n`: a set.
    case set([RESPValue])
    /// `>n`: an out-of-band push frame (pub/sub messages, invalidations).
    case push([RESPValue])
    /// `|n`: attributes the server attached to the value that follows them.
    indirect case attribute([(key: RESPValue, value: RESPValue)], RESPValue)
}

extension RESPValue: Equatable {
    public static func == (lhs: RESPValue, rhs: RESPValue) -> Bool {
        switch (lhs, rhs) {
        case (.simpleString(let a), .simpleString(let b)),
            (.bulkString(let a), .bulkString(let b)),
            (.error(let a), .error(let b)),
            (.bigNumber(let a), .bigNumber(let b)):
            return a == b
        case (.verbatimString(let f1, let a), .verbatimString(let f2, let b)):
            return f1 == f2 && a == b
        case (.integer(let a), .integer(let b)):
            return a == b
        case (.double(let a), .double(let b)):
            return a == b || (a.isNaN && b.isNaN)
        case (.boolean(let a), .boolean(let b)):
            return a == b
        case (.null, .null):
            return true
        case (.array(let a), .array(let b)), (.set(let a), .set(let b)), (.push(let a), .push(let b)):
            return a == b
        case (.map(let a), .map(let b)):
            return pairsEqual(a, b)
        case (.attribute(let a1, let v1), .attribute(let a2, let v2)):
            return pairsEqual(a1, a2) && v1 == v2
        default:
            return false
        }
    }

    private static func pairsEqual(
        _ a: [(key: RESPValue, value: RESPValue)],
        _ b: [(key: RESPValue, value: RESPValue)]
    ) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
