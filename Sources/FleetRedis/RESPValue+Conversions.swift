import NIOCore

extension RESPValue {
    /// The value without any attributes the server attached to it.
    public var withoutAttributes: RESPValue {
        if case .attribute(_, let value) = self { return value.withoutAttributes }
        return self
    }

    /// The bytes of a string-like value (simple, bulk, verbatim, big number), or nil.
    public var buffer: ByteBuffer? {
        switch self {
        case .simpleString(let b), .bulkString(let b), .verbatimString(_, let b), .bigNumber(let b):
            return b
        case .attribute(_, let value):
            return value.buffer
        default:
            return nil
        }
    }

    /// The value as text: strings as UTF-8, numbers and booleans formatted, otherwise nil.
    public var string: String? {
        switch self {
        case .integer(let i): return String(i)
        case .double(let d): return String(d)
        case .boolean(let b): return b ? "1" : "0"
        default: return buffer.map { String(buffer: $0) }
        }
    }

    /// The value as an integer: RESP integers, and strings holding a decimal integer.
    public var int: Int? {
        switch self {
        case .integer(let i): return Int(exactly: i)
        case .boolean(let b): return b ? 1 : 0
        default: return buffer.flatMap { Int(String(buffer: $0)) }
        }
    }

    /// The value as a double: RESP doubles, integers and strings holding a number.
    public var double: Double? {
        switch self {
        case .double(let d): return d
        case .integer(let i): return Double(i)
        default: return buffer.flatMap { Double(String(buffer: $0)) }
        }
    }

    /// The elements of an array, set or push frame; RESP3 maps flattened to key, value, key, value.
    public var array: [RESPValue]? {
        switch self {
        case .array(let a), .set(let a), .push(let a): return a
        case .map(let pairs): return pairs.flatMap { [$0.key, $0.value] }
        case .attribute(_, let value): return value.array
        default: return nil
        }
    }

    /// Key/value pairs of a RESP3 map, or of a RESP2 flat array of alternating keys and values.
    public var pairs: [(key: RESPValue, value: RESPValue)]? {
        switch self {
        case .map(let pairs):
            return pairs
        case .array(let a) where a.count % 2 == 0:
            return stride(from: 0, to: a.count, by: 2).map { (key: a[$0], value: a[$0 + 1]) }
        case .attribute(_, let value):
            return value.pairs
        default:
            return nil
        }
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = withoutAttributes { return true }
        return false
    }
}

extension RESPValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .simpleString(let b): return "+\(String(buffer: b))"
        case .bulkString(let b): return "\"\(String(buffer: b))\""
        case .verbatimString(let f, let b): return "\(f):\(String(buffer: b))"
        case .error(let b): return "-\(String(buffer: b))"
        case .integer(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .boolean(let b): return "\(b)"
        case .bigNumber(let b): return "(\(String(buffer: b))"
        case .null: return "null"
        case .array(let a): return "[\(a.map(\.description).joined(separator: ", "))]"
        case .set(let a): return "~[\(a.map(\.description).joined(separator: ", "))]"
        case .push(let a): return ">[\(a.map(\.description).joined(separator: ", "))]"
        case .map(let p): return "{\(p.map { "\($0.key): \($0.value)" }.joined(separator: ", "))}"
        case .attribute(let p, let v): return "|{\(p.map { "\($0.key): \($0.value)" }.joined(separator: ", "))} \(v)"
        }
    }
}
