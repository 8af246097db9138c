import NIOCore

/// A request ready to write: bytes encoded once when nothing varies, rendered per request otherwise.
struct RequestTemplate: Sendable {
    enum Part: Sendable, Hashable {
        case literal(String)
        case sequence
        case random(ClosedRange<Int>)
    }

    let name: String
    private let head: String
    private let pathParts: [Part]
    private let headerBlock: String
    private let bodyParts: [Part]?
    /// The encoded request when it has no template, else nil.
    let fixed: ByteBuffer?

    init(spec: RequestSpec, target: Target) throws {
        name = spec.name
        head = "\(spec.method) "
        pathParts = try Self.parse(spec.path, field: "path")
        bodyParts = try spec.body.map { try Self.parse($0, field: "body") }
        var headers = "Host: \(target.hostHeader)\r\nUser-Agent: fleet-load\r\n"
        for header in spec.headerPairs { headers += "\(header.name): \(header.value)\r\n" }
        headerBlock = headers
        let isFixed = (pathParts + (bodyParts ?? [])).allSatisfy { if case .literal = $0 { true } else { false } }
        if isFixed {
            var random = SplitMix64(seed: 0)
            var buffer = ByteBufferAllocator().buffer(capacity: 256)
            Self.render(head: head, path: pathParts, headers: headers, body: bodyParts, sequence: 0, random: &random, into: &buffer)
            fixed = buffer
        } else {
            fixed = nil
        }
    }

    /// Writes the request for `sequence` into `buffer`.
    func render(sequence: Int, random: inout SplitMix64, into buffer: inout ByteBuffer) {
        Self.render(head: head, path: pathParts, headers: headerBlock, body: bodyParts, sequence: sequence, random: &random, into: &buffer)
    }

    private static func render(head: String, path: [Part], headers: String, body: [Part]?, sequence: Int, random: inout SplitMix64, into buffer: inout ByteBuffer) {
        buffer.writeString(head)
        write(path, sequence: sequence, random: &random, into: &buffer)
        buffer.writeString(" HTTP/1.1\r\n")
        buffer.writeString(headers)
        if let body {
            var bodyBuffer = ByteBufferAllocator().buffer(capacity: 64)
            write(body, sequence: sequence, random: &random, into: &bodyBuffer)
            buffer.writeString("Content-Length: \(bodyBuffer.readableBytes)\r\n\r\n")
            buffer.writeImmutableBuffer(bodyBuffer)
        } else {
            buffer.writeString("\r\n")
        }
    }

    private static func write(_ parts: [Part], sequence: Int, random: inout SplitMix64, into buffer: inout ByteBuffer) {
        for part in parts {
            switch part {
            case .literal(let text): buffer.writeString(text)
            case .sequence: buffer.writeString(String(sequence))
            case .random(let range): buffer.writeString(String(random.next(in: range)))
            }
        }
    }

    /// Splits `text` into literals and `{seq}` / `{rand:A-B}` templates; other braces (JSON) stay literal.
    static func parse(_ text: String, field: String) throws -> [Part] {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if after.hasPrefix("seq}") {
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.sequence)
                rest = after.dropFirst(4)
            } else if after.hasPrefix("rand:") {
                guard let close = after.firstIndex(of: "}") else {
                    throw LoadError(.invalidScenario, "\(field) '\(text)': unclosed '{rand:'; write {rand:MIN-MAX}")
                }
                let bounds = after[after.index(after.startIndex, offsetBy: 5)..<close].split(separator: "-", maxSplits: 1)
                guard bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low <= high else {
                    throw LoadError(.invalidScenario, "\(field) '\(text)': '{\(after[..<close])}' must be {rand:MIN-MAX} with MIN <= MAX")
                }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.random(low...high))
                rest = after[after.index(after: close)...]
            } else {
                literal += "{"
                rest = after
            }
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }
}

/// A small, fast pseudo-random generator (SplitMix64); one per event loop, no locks.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
