import Atomics
import Foundation
import Testing

@testable import FleetState

@Suite struct SharedMemoryRegionTests {
    private func temporaryPath() -> String {
        NSTemporaryDirectory() + "fleet-shm-\(UUID().uuidString)"
    }

    @Test func twoMappingsOfOneFileSeeEachOthersWrites() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let first = try SharedMemoryRegion(path: path, size: 64, layoutID: 1) { _ in }
        let second = try SharedMemoryRegion(path: path, size: 64, layoutID: 1) { _ in
            Issue.record("an initialised file was initialised again")
        }
        first.atomic(at: 8).store(42, ordering: .releasing)
        #expect(second.atomic(at: 8).load(ordering: .acquiring) == 42)
    }

    @Test func aDifferentLayoutIsRefused() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        _ = try SharedMemoryRegion(path: path, size: 64, layoutID: 1) { _ in }
        #expect(throws: FleetStateError.self) {
            _ = try SharedMemoryRegion(path: path, size: 64, layoutID: 2) { _ in }
        }
    }

    @Test func theMutexSerialisesWritersThroughDifferentMappings() async throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let regions = try (0..<2).map { _ in
            try SharedMemoryRegion(path: path, size: 64, layoutID: 7) { SharedMutex.initialize(at: $0) }
        }
        let counterOffset = SharedMutex.size
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                let region = regions[index % 2]
                group.addTask {
                    let counter = (region.base + counterOffset).assumingMemoryBound(to: Int.self)
                    for _ in 0..<10_000 {
                        // A plain read-modify-write: only the lock keeps it exact.
                        region.mutex(at: 0).withLock { counter.pointee += 1 }
                    }
                }
            }
        }
        let total = (regions[0].base + counterOffset).assumingMemoryBound(to: Int.self).pointee
        #expect(total == 80_000)
    }
}
