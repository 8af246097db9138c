import Foundation
import NIOCore
import Testing

@testable import FleetState

/// The embedded backend: caches in different processes map one file of
/// generation counters. Two caches in this process, each with its own
/// mapping of the file, stand in for two workers.
@Suite struct CacheCoherenceTests {
    @Test func aWriteThroughOneMappingInvalidatesTheOthersL1() async throws {
        let directory = temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try testCache(backend: .embedded(stateDirectory: directory))
        let second = try testCache(backend: .embedded(stateDirectory: directory))
        #expect(first.generations.slot(for: "user:1") != first.generations.slot(for: "user:2"))
        let loader = TestLoader()
        for cache in [first, second] {
            _ = try await cache.text("user:1") { try await loader.load("v1") }
            _ = try await cache.text("user:2") { try await loader.load("other") }
        }
        #expect(loader.calls == 4)

        try await second.invalidate("user:1")
        #expect(try await first.text("user:1") { try await loader.load("v2") } == "v2")
        #expect(try await first.text("user:2") { try await loader.load("unexpected") } == "other", "other keys stay cached")
        #expect(loader.calls == 5)
    }

    @Test func theCountersOutliveTheProcessesThatMappedThem() async throws {
        let directory = temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try testCache(backend: .embedded(stateDirectory: directory))
        let slot = writer.generations.slot(for: "k")
        try await writer.invalidate("k")
        let later = try testCache(backend: .embedded(stateDirectory: directory))
        #expect(later.generations.current(slot) == 1)
    }

    /// A load reads the old value, a write commits and invalidates, then the
    /// load stores what it read: the entry must not be served afterwards.
    @Test(arguments: ["memory", "embedded"])
    func aLoadRacingAWriteDoesNotCacheTheOldValue(backend: String) async throws {
        let directory = temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kind: CacheBackend = backend == "memory" ? .memory : .embedded(stateDirectory: directory)
        let reader = try testCache(backend: kind)
        let writer = backend == "memory" ? reader : try testCache(backend: kind)
        let row = TestRow("v1")

        let raced = try await reader.text("k") {
            let read = row.read()
            // The write commits and invalidates after this load read the row.
            row.write("v2")
            try await writer.invalidate("k")
            return ByteBuffer(string: read)
        }
        #expect(raced == "v1")
        #expect(try await reader.text("k") { ByteBuffer(string: row.read()) } == "v2")
        #expect(reader.statistics().loads == 2)
    }
}
