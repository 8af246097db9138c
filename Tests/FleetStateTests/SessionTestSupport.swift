import Foundation
import Logging
import Synchronization
import Testing

@testable import FleetState

/// A wall clock the test moves by hand, so expiry needs no sleeping.
final class TestClock: Sendable {
    private let millis = Atomic<Int64>(1_700_000_000_000)

    var now: Int64 { millis.load(ordering: .relaxed) }

    func advance(by duration: Duration) {
        millis.add(duration.milliseconds, ordering: .relaxed)
    }
}

/// The backends every session behaviour is checked on. For SQLite, the two
/// stores are two opens of one file: two worker processes, as far as SQLite knows.
enum SessionBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite

    var testDescription: String { rawValue }

    func withStores<Value>(_ body: (any SessionStore, any SessionStore) async throws -> Value) async throws -> Value {
        switch self {
        case .memory:
            let store = MemorySessionStore()
            return try await body(store, store)
        case .sqlite:
            let directory = NSTemporaryDirectory() + "fleet-sessions-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let logger = Logger(label: "fleet.session.tests")
            let first = try await SQLiteSessionStore.open(path: directory + "/sessions.sqlite", logger: logger)
            let second = try await SQLiteSessionStore.open(path: directory + "/sessions.sqlite", logger: logger)
            do {
                let value = try await body(first, second)
                try await first.close()
                try await second.close()
                return value
            } catch {
                try? await first.close()
                try? await second.close()
                throw error
            }
        }
    }
}

/// Counts the writes that extend a session, to check that touching is throttled.
final class TouchCountingStore: SessionStore {
    let base: any SessionStore
    private let touches = Atomic<Int>(0)

    init(_ base: any SessionStore) { self.base = base }

    var touchCount: Int { touches.load(ordering: .relaxed) }

    func create(_ record: SessionRecord, now: Int64) async throws { try await base.create(record, now: now) }
    func load(_ id: SessionID) async throws -> SessionRecord? { try await base.load(id) }
    func update(_ id: SessionID, set: [String: String], remove: [String]) async throws -> Bool {
        try await base.update(id, set: set, remove: remove)
    }
    func touch(_ id: SessionID, idleExpiresAt: Int64, now: Int64) async throws {
        touches.add(1, ordering: .relaxed)
        try await base.touch(id, idleExpiresAt: idleExpiresAt, now: now)
    }
    func destroy(_ id: SessionID) async throws { try await base.destroy(id) }
    func destroyAll(userID: String) async throws -> Int { try await base.destroyAll(userID: userID) }
}

extension SessionManager {
    static let testSecret = String(repeating: "s", count: 32)

    static func test(_ store: any SessionStore, clock: TestClock, configuration: SessionConfiguration = .init()) throws -> SessionManager {
        SessionManager(store: store, signer: try SessionSigner(secrets: [testSecret]), configuration: configuration, now: { clock.now })
    }
}
