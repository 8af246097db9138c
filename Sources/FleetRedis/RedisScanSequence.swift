/// The keys of a `SCAN` iteration, fetched a page at a time as the sequence is consumed.
///
/// Like SCAN itself, a key may appear more than once if the keyspace changes meanwhile.
public struct RedisScanSequence: AsyncSequence, Sendable {
    public typealias Element = String

    let executor: any RedisCommandExecutor
    let match: String?
    let count: Int?

    /// Iterates SCAN cursors until the server returns cursor 0.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: RedisScanSequence
        var cursor = "0"
        var page: [String] = []
        var index = 0
        var finished = false

        public mutating func next() async throws -> String? {
            while index == page.count {
                guard !finished else { return nil }
                var command = RedisCommand("SCAN", cursor)
                if let match = sequence.match { command.append(["MATCH", match]) }
                if let count = sequence.count { command.append(["COUNT", String(count)]) }
                let reply = try await sequence.executor.execute(command)
                guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                    throw RedisError(.unexpectedReply, "SCAN: \(reply)")
                }
                cursor = next
                finished = next == "0"
                page = keys.compactMap(\.string)
                index = 0
            }
            defer { index += 1 }
            return page[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(sequence: self)
    }
}
