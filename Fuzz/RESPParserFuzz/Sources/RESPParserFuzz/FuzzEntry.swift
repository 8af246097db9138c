import NIOCore

/// libFuzzer entry point: parses the input whole and split in two at a
/// position taken from the input; both must agree, and nothing may trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESPParser(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    var limits = RESPParserConfiguration()
    limits.maximumBulkLength = 1 << 16
    limits.maximumLineLength = 1 << 12
    limits.maximumAggregateCount = 1 << 12
    limits.maximumDepth = 16
    let split = count == 0 ? 0 : Int(bytes[0]) % (count + 1)
    let whole = parse([Array(bytes)], limits)
    let halves = parse([Array(bytes[..<split]), Array(bytes[split...])], limits)
    precondition(whole.failed == halves.failed, "split at \(split) changed the outcome")
    if !whole.failed {
        precondition(whole.values == halves.values, "split at \(split) changed the values")
    }
    return 0
}

private func parse(_ chunks: [[UInt8]], _ limits: RESPParserConfiguration) -> (values: [RESPValue], failed: Bool) {
    var parser = RESPParser(configuration: limits)
    var buffer = ByteBuffer()
    var values: [RESPValue] = []
    do {
        for chunk in chunks {
            buffer.writeBytes(chunk)
            while let value = try parser.next(&buffer) {
                _ = value.description
                values.append(value)
            }
        }
        return (values, false)
    } catch {
        return (values, true)
    }
}
