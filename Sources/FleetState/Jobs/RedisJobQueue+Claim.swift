import FleetRedis
import NIOCore

extension RedisJobQueue {
    /// Runs the claim script (promote due delayed jobs, reclaim expired ones,
    /// read new ones); when it finds none, blocks in `XREADGROUP` on a leased
    /// connection, so waiting holds no connection other callers share, until a
    /// job arrives, the next delayed job is due or delivery expires, or `wait` is over.
    /// Visibility is measured from the delivery, so use one visibility per queue.
    public func claim(consumer: String, limit: Int, visibility: Duration, wait: Duration) async throws -> [ClaimedJob] {
        let limit = max(1, limit)
        let deadline = ContinuousClock.now + wait
        var delivered: [ByteBuffer] = []
        while true {
            let (jobs, nextWake) = try await claimReady(consumer: consumer, limit: limit, visibility: visibility, delivered: delivered)
            if !jobs.isEmpty { return jobs }
            var block = (deadline - .now).milliseconds
            if let nextWake { block = min(block, nextWake) }
            // BLOCK 0 would wait forever; under 1 ms left, the loop's last look was enough.
            guard block >= 1 else {
                if ContinuousClock.now >= deadline { return [] }
                delivered = []
                continue
            }
            delivered = try await blockingRead(consumer: consumer, limit: limit, milliseconds: block)
        }
    }

    /// One claim script run; `delivered` are entries a blocking read already gave this consumer.
    private func claimReady(
        consumer: String, limit: Int, visibility: Duration, delivered: [ByteBuffer]
    ) async throws -> (jobs: [ClaimedJob], nextWake: Int64?) {
        let arguments =
            [
                Self.group, consumer, String(limit), String(max(1, visibility.milliseconds)), keys.job,
                String(configuration.deadTTL.milliseconds),
            ].map { ByteBuffer(string: $0) } + delivered
        let reply = try await run(Self.claimScript, keys: keys.streams + [keys.delayed, keys.dead], arguments: arguments)
        guard let values = reply.array, let nextWake = values.first?.int else { throw Self.unexpected(reply, in: "claim") }
        let jobs = try values.dropFirst().map { value in
            guard let fields = value.array, fields.count == 5, let id = fields[0].string, let name = fields[1].string,
                let payload = fields[2].buffer, let attempt = fields[3].int
            else { throw Self.unexpected(value, in: "claim") }
            let key = fields[4].string ?? ""
            return ClaimedJob(
                id: JobID(uncheckedRawValue: id), name: name, payload: Array(payload.readableBytesView), attempt: attempt,
                idempotencyKey: key.isEmpty ? nil : key)
        }
        return (jobs, nextWake < 0 ? nil : Int64(nextWake))
    }

    /// `XREADGROUP ... BLOCK` across the priority streams; returns the entries
    /// read as (stream index, entry id, job id) triples for the claim script to take over.
    private func blockingRead(consumer: String, limit: Int, milliseconds: Int64) async throws -> [ByteBuffer] {
        let command = RedisCommand(
            "XREADGROUP", "GROUP", Self.group, consumer, "COUNT", limit, "BLOCK", milliseconds, "STREAMS", keys.streams,
            Array(repeating: ">", count: keys.streams.count))
        let reply = try await wrap {
            try await redis.withConnection { connection in
                try await connection.execute(command, timeout: .milliseconds(milliseconds) + .seconds(5))
            }
        }
        var delivered: [ByteBuffer] = []
        for (stream, entries) in Self.streamReplies(reply) {
            guard let index = keys.streams.firstIndex(of: stream) else { continue }
            for entry in entries {
                guard let parts = entry.array, parts.count == 2, let entryID = parts[0].string,
                    let fields = parts[1].array, fields.count >= 2, let jobID = fields[1].string
                else { throw Self.unexpected(entry, in: "claim") }
                delivered += [String(index), entryID, jobID].map { ByteBuffer(string: $0) }
            }
        }
        return delivered
    }

    /// The (stream, entries) pairs of an XREADGROUP reply: a map in RESP3, an array of pairs in RESP2, null on timeout.
    static func streamReplies(_ reply: RESPValue) -> [(String, [RESPValue])] {
        if case .map(let pairs) = reply.withoutAttributes {
            return pairs.compactMap { pair in pair.key.string.map { ($0, pair.value.array ?? []) } }
        }
        return (reply.array ?? []).compactMap { pair in
            guard let parts = pair.array, parts.count == 2, let stream = parts[0].string else { return nil }
            return (stream, parts[1].array ?? [])
        }
    }
}
