import FleetState
import Foundation
import NIOCore
import Testing

@Suite struct EmbeddedObjectStoreTests {
    func withStore(_ body: (EmbeddedObjectStore, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("objects-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await body(try EmbeddedObjectStore(directory: directory), directory)
    }

    func chunks(_ parts: [String]) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            for part in parts { continuation.yield(ByteBuffer(string: part)) }
            continuation.finish()
        }
    }

    func read(_ object: StoredObject) async throws -> String {
        var collected = ByteBuffer()
        try await object.write { chunk in collected.writeImmutableBuffer(chunk) }
        return String(buffer: collected)
    }

    @Test func putGetDelete() async throws {
        try await self.withStore { store, _ in
            let key = try ObjectKey("avatars/1")
            #expect(try await store.get(key) == nil)
            let info = try await store.put(key, body: self.chunks(["hello, ", "world"]), contentType: "image/png", maxSize: 100)
            #expect(info.size == 12)
            let object = try #require(try await store.get(key))
            #expect(object.info == info)
            #expect(try await self.read(object) == "hello, world")
            #expect(try await store.delete(key))
            #expect(try await store.get(key) == nil)
            #expect(try await !store.delete(key))
        }
    }

    @Test func aReaderKeepsTheVersionItOpenedWhileANewOneReplacesIt() async throws {
        try await self.withStore { store, _ in
            let key = try ObjectKey("k")
            _ = try await store.put(key, body: self.chunks(["old"]), contentType: "text/plain", maxSize: 100)
            let old = try #require(try await store.get(key))
            let new = try await store.put(key, body: self.chunks(["new!"]), contentType: "image/gif", maxSize: 100)
            #expect(new.etag != old.info.etag)
            #expect(try await self.read(old) == "old")
            let current = try #require(try await store.get(key))
            #expect(current.info.contentType == "image/gif")
            #expect(try await self.read(current) == "new!")
        }
    }

    @Test func aBodyOverTheLimitLeavesNothingBehind() async throws {
        try await self.withStore { store, directory in
            let key = try ObjectKey("big")
            _ = try await store.put(key, body: self.chunks(["small"]), contentType: "text/plain", maxSize: 10)
            await #expect { _ = try await store.put(key, body: self.chunks(["0123456", "789ab"]), contentType: "text/plain", maxSize: 10) } throws: { error in
                (error as? FleetStateError)?.code == .objectTooLarge
            }
            #expect(try await self.read(try #require(try await store.get(key))) == "small", "the old object stays")
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/.tmp").isEmpty, "the temporary file is removed")
        }
    }

    @Test func twoStoresOnOneDirectoryShareObjects() async throws {
        try await self.withStore { first, directory in
            let second = try EmbeddedObjectStore(directory: directory)
            let key = try ObjectKey("shared/one")
            _ = try await first.put(key, body: self.chunks(["from the first"]), contentType: "text/plain", maxSize: 100)
            #expect(try await self.read(try #require(try await second.get(key))) == "from the first")
        }
    }

    @Test(arguments: ["", "/abs", "a//b", "../x", "a/../b", ".tmp/x", "a/.hidden", "sp ace", "a\u{0}b", "caf\u{e9}"])
    func keysThatAreNotSafePathsAreRefused(key: String) {
        #expect(throws: FleetStateError.self) { try ObjectKey(key) }
    }
}
