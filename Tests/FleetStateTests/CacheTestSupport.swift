import Foundation
import Logging
import NIOCore
import Synchronization

@testable import FleetState

/// A loader that counts its calls and, when `gated`, waits until `open()`.
final class TestLoader: Sendable {
    private struct State {
        var calls = 0
        var open: Bool
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(gated: Bool = false) {
        self.state = Mutex(State(open: !gated))
    }

    var calls: Int { self.state.withLock { $0.calls } }

    /// Counts a call, waits for the gate, then returns `value` (or throws `error`).
    func load(_ value: String?, throwing error: (any Error)? = nil) async throws -> ByteBuffer? {
        let open = self.state.withLock { state in
            state.calls += 1
            return state.open
        }
        if !open {
            await withCheckedContinuation { continuation in
                let resumeNow = self.state.withLock { state in
                    if state.open { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        if let error { throw error }
        return value.map { ByteBuffer(string: $0) }
    }

    func open() {
        let waiting = self.state.withLock { state in
            state.open = true
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

struct SourceDown: Error {}

/// A row of the source of truth that loaders read and tests write.
final class TestRow: Sendable {
    private let value: Mutex<String>
    init(_ value: String) { self.value = Mutex(value) }
    func read() -> String { self.value.withLock { $0 } }
    func write(_ value: String) { self.value.withLock { $0 = value } }
}

func testCache(backend: CacheBackend = .memory, _ customize: (inout CacheConfiguration) -> Void = { _ in }) throws -> Cache {
    var configuration = CacheConfiguration()
    configuration.jitter = 0
    customize(&configuration)
    return try Cache(configuration: configuration, backend: backend, logger: Logger(label: "fleet.cache.tests"))
}

extension Cache {
    /// The value as text, nil for "no such value".
    func text(_ key: String, _ load: @escaping @Sendable () async throws -> ByteBuffer?) async throws -> String? {
        try await self.getOrLoad(key, load).map { String(buffer: $0) }
    }
}

func temporaryStateDirectory() -> String {
    NSTemporaryDirectory() + "fleet-cache-\(UUID().uuidString)"
}
