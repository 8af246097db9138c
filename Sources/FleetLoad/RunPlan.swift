import NIOCore

/// The immutable part of a run, shared by every shard.
struct RunPlan: Sendable {
    let configuration: LoadConfiguration
    let templates: [RequestTemplate]
    let bodyless: [Bool]
    /// Cumulative weights, normalised to end at 1.
    let cumulativeWeights: [Double]
    let schedule: ArrivalSchedule
    let address: SocketAddress
    let start: UInt64
    let end: UInt64
    let timeout: UInt64
    let needle: [UInt8]?
    let shards: Int

    var model: LoadModel { configuration.model }

    init(configuration: LoadConfiguration, address: SocketAddress, start: UInt64, shards: Int) throws {
        self.configuration = configuration
        templates = try configuration.requests.map { try RequestTemplate(spec: $0, target: configuration.target) }
        bodyless = configuration.requests.map { $0.method.uppercased() == "HEAD" }
        let total = configuration.requests.reduce(0) { $0 + $1.weight }
        var running = 0.0
        cumulativeWeights = configuration.requests.map {
            running += $0.weight
            return running / total
        }
        schedule = ArrivalSchedule(model: configuration.model)
        self.address = address
        self.start = start
        end = start + UInt64(configuration.model.duration.nanoseconds)
        timeout = UInt64(configuration.timeout.nanoseconds)
        needle = configuration.checks.bodyContains.map { Array($0.utf8) }
        self.shards = shards
    }

    func stage(at time: UInt64) -> Int {
        model.stageIndex(at: Double(time &- start) / 1e9)
    }

    func pickRequest(_ random: inout SplitMix64) -> Int {
        guard cumulativeWeights.count > 1 else { return 0 }
        let draw = random.unit()
        return cumulativeWeights.firstIndex { draw < $0 } ?? cumulativeWeights.count - 1
    }

    /// The most connections shard `index` may open.
    func connectionLimit(shard index: Int) -> Int {
        let total = configuration.connections
        return total / shards + (index < total % shards ? 1 : 0)
    }
}

/// Monotonic time in nanoseconds.
@inline(__always) func monotonicNow() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

extension ByteBuffer {
    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        return withUnsafeReadableBytes { bytes in
            guard bytes.count >= needle.count else { return false }
            outer: for start in 0...(bytes.count - needle.count) {
                for index in needle.indices where bytes[start + index] != needle[index] { continue outer }
                return true
            }
            return false
        }
    }
}
