import NIOCore

extension RESPParser {
    /// Index of the `\r` ending the line that starts at `from`, nil if the line is incomplete.
    func findLineEnd(_ buffer: ByteBuffer, from: Int) throws(RedisError) -> Int? {
        let offset = from - buffer.readerIndex
        let maximum = configuration.maximumLineLength
        // -1: no CR yet; -2: CR not followed by LF; otherwise the CR's offset.
        let found: Int = buffer.withUnsafeReadableBytes { bytes in
            let limit = min(bytes.count, offset + maximum + 1)
            var index = offset
            while index < limit {
                if bytes[index] == UInt8(ascii: "\r") {
                    guard index + 1 < bytes.count else { return -1 }
                    return bytes[index + 1] == UInt8(ascii: "\n") ? index : -2
                }
                index += 1
            }
            return -1
        }
        switch found {
        case -2:
            throw Self.error("CR not followed by LF")
        case -1:
            guard buffer.readableBytes - offset <= maximum else { throw Self.error("line longer than \(maximum) bytes") }
            return nil
        default:
            guard found - offset <= maximum else { throw Self.error("line longer than \(maximum) bytes") }
            return buffer.readerIndex + found
        }
    }

    /// Reads `length` bytes at `start` followed by CRLF, or returns nil if they have not all arrived.
    func readPayload(_ buffer: inout ByteBuffer, length: Int64, at start: Int) throws(RedisError) -> ByteBuffer? {
        guard length >= 0, length <= configuration.maximumBulkLength else {
            throw Self.error("bulk length \(length) out of range")
        }
        let length = Int(length)
        guard buffer.writerIndex - start >= length + 2 else { return nil }
        guard buffer.getInteger(at: start + length, as: UInt16.self) == 0x0D0A else {
            throw Self.error("bulk string not terminated by CRLF")
        }
        let payload = buffer.getSlice(at: start, length: length)!
        buffer.moveReaderIndex(to: start + length + 2)
        return payload
    }

    static func parseInteger(_ buffer: ByteBuffer, at start: Int, length: Int) throws(RedisError) -> Int64 {
        let result: Int64? = buffer.withUnsafeReadableBytes { bytes in
            var index = start - buffer.readerIndex
            let end = index + length
            var negative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                negative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end else { return nil }
            var value: Int64 = 0
            while index < end {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = negative
                    ? times10.subtractingReportingOverflow(Int64(digit))
                    : times10.addingReportingOverflow(Int64(digit))
                guard !o1, !o2 else { return nil }
                value = sum
                index += 1
            }
            return value
        }
        guard let result else { throw error("bad integer") }
        return result
    }

    static func parseDouble(_ text: String) -> Double? {
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "-nan": return .nan
        default:
            guard text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+")
                || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) })
            else { return nil }
            return Double(text)
        }
    }

    static func isBigNumber(_ digits: ByteBuffer) -> Bool {
        var view = digits.readableBytesView[...]
        if let first = view.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { view = view.dropFirst() }
        return !view.isEmpty && view.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    static func blob(_ type: UInt8, _ payload: ByteBuffer) throws(RedisError) -> RESPValue {
        switch type {
        case UInt8(ascii: "$"):
            return .bulkString(payload)
        case UInt8(ascii: "!"):
            return .error(payload)
        default:
            guard payload.readableBytes >= 4, payload.getInteger(at: payload.readerIndex + 3, as: UInt8.self) == UInt8(ascii: ":")
            else { throw error("bad verbatim string") }
            let format = String(decoding: payload.readableBytesView.prefix(3), as: UTF8.self)
            return .verbatimString(format: format, payload.getSlice(at: payload.readerIndex + 4, length: payload.readableBytes - 4)!)
        }
    }
}
