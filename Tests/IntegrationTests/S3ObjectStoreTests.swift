import FleetS3
import FleetState
import Foundation
import NIOCore
import Testing

/// The S3 server the tests use: moto's on loopback, started by `.ci/run` (`S3_ENDPOINT`, a bucket and
/// a key it made). Without it the tests are skipped, except on CI (`CI=true`), where they fail.
enum S3TestServer {
    static let environment = ProcessInfo.processInfo.environment
    static let enabled = environment["S3_ENDPOINT"] != nil || environment["CI"] == "true"

    /// moto with its auth off, the only way it answers presigned URLs: it checks no signature.
    static func openConfiguration() throws -> S3Configuration {
        var configuration = try Self.configuration()
        guard let endpoint = environment["S3_OPEN_ENDPOINT"] else {
            throw FleetStateError(.invalidConfiguration, "CI=true but S3_OPEN_ENDPOINT is not set")
        }
        configuration.endpoint = endpoint
        return configuration
    }

    static func configuration(secret: String? = nil) throws -> S3Configuration {
        guard let endpoint = environment["S3_ENDPOINT"], let bucket = environment["S3_TEST_BUCKET"],
            let key = environment["S3_TEST_ACCESS_KEY_ID"], let stored = environment["S3_TEST_SECRET_ACCESS_KEY"]
        else { throw FleetStateError(.invalidConfiguration, "CI=true but S3_ENDPOINT, S3_TEST_BUCKET or S3_TEST_* keys are not set") }
        var configuration = S3Configuration(endpoint: endpoint, bucket: bucket, accessKeyID: key, secretAccessKey: secret ?? stored)
        configuration.partSize = 5 << 20
        return configuration
    }
}

@Suite(.enabled(if: S3TestServer.enabled, "set S3_ENDPOINT (see .ci/run) to run against moto_server"))
struct S3ObjectStoreTests {
    func key(_ name: String = #function) throws -> ObjectKey {
        try ObjectKey("tests/\(name.prefix { $0 != "(" })-\(UUID().uuidString.prefix(8))")
    }

    /// `size` bytes of a pattern that differs from part to part, in chunks of 64 KiB.
    func body(size: Int) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            var sent = 0
            while sent < size {
                let count = min(64 * 1024, size - sent)
                continuation.yield(ByteBuffer(bytes: (sent..<(sent + count)).map { UInt8(truncatingIfNeeded: $0 ^ ($0 >> 13)) }))
                sent += count
            }
            continuation.finish()
        }
    }

    func read(_ object: StoredObject) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        try await object.write { chunk in collected.writeImmutableBuffer(chunk) }
        return collected
    }

    @Test func putGetDelete() async throws {
        let store = S3ObjectStore(configuration: try S3TestServer.configuration())
        let key = try self.key()
        #expect(try await store.get(key) == nil)
        _ = try await store.put(key, body: self.body(size: 1000), contentType: "image/png", maxSize: 1 << 20)
        let object = try #require(try await store.get(key))
        #expect(object.info.size == 1000 && object.info.contentType == "image/png")
        #expect(try await self.read(object) == ByteBuffer(bytes: (0..<1000).map { UInt8(truncatingIfNeeded: $0 ^ ($0 >> 13)) }))
        #expect(try await store.delete(key))
        #expect(try await store.get(key) == nil)
        #expect(try await !store.delete(key))
    }

    @Test func aTwentyMiBObjectGoesUpInParts() async throws {
        let store = S3ObjectStore(configuration: try S3TestServer.configuration())
        let key = try self.key()
        let size = 20 << 20
        let info = try await store.put(key, body: self.body(size: size), contentType: "application/octet-stream", maxSize: 32 << 20)
        #expect(info.etag.hasSuffix("-4\""), "four 5 MiB parts make a multipart ETag: \(info.etag)")
        let object = try #require(try await store.get(key))
        #expect(object.info.size == size)
        var expected = ByteBuffer()
        for await chunk in self.body(size: size) { expected.writeImmutableBuffer(chunk) }
        #expect(try await self.read(object) == expected)
        #expect(try await store.delete(key))
    }

    @Test func anObjectOverTheLimitIsAbortedAndNotStored() async throws {
        let store = S3ObjectStore(configuration: try S3TestServer.configuration())
        let key = try self.key()
        await #expect { _ = try await store.put(key, body: self.body(size: 12 << 20), contentType: "image/png", maxSize: 11 << 20) } throws: { error in
            (error as? FleetStateError)?.code == .objectTooLarge
        }
        #expect(try await store.get(key) == nil)
    }

    /// The URLs' signatures are checked by `SigV4SignerTests` against AWS's example; here curl moves the bytes.
    @Test func presignedURLsWorkWithCurl() async throws {
        let store = S3ObjectStore(configuration: try S3TestServer.openConfiguration())
        let key = try self.key()
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("presigned-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: upload) }
        try Data("uploaded straight to the bucket".utf8).write(to: upload)
        let put = try #require(store.presignedURL(key, method: "PUT"))
        #expect(try Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-T", upload.path, put]) == "200")
        let get = try #require(store.presignedURL(key, method: "GET"))
        #expect(try Curl.run([get]) == "uploaded straight to the bucket")
        #expect(try await store.delete(key))
    }

    @Test func aWrongSecretIsAClearError() async throws {
        let store = S3ObjectStore(configuration: try S3TestServer.configuration(secret: "not-the-secret"))
        let key = try self.key()
        await #expect { _ = try await store.put(key, body: self.body(size: 10), contentType: "image/png", maxSize: 100) } throws: { error in
            let text = "\(error)"
            return text.contains("403 SignatureDoesNotMatch") && text.contains("AWS_SECRET_ACCESS_KEY")
        }
    }
}
