import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@Suite struct StaticFilesTests {
    /// A temporary tree: `public/` with plain, fingerprinted and precompressed files,
    /// a dot file and a symlink out; `secret.txt` beside `public/`.
    struct Tree: Sendable {
        let base: URL
        var publicPath: String { self.base.appendingPathComponent("public").path }

        init() throws {
            self.base = FileManager.default.temporaryDirectory.appendingPathComponent("static-\(UUID().uuidString)")
            let publicURL = self.base.appendingPathComponent("public")
            try FileManager.default.createDirectory(at: publicURL.appendingPathComponent("js"), withIntermediateDirectories: true)
            try Data("top secret".utf8).write(to: self.base.appendingPathComponent("secret.txt"))
            try Data("console.log('app')".utf8).write(to: publicURL.appendingPathComponent("js/app.js"))
            try Data("console.log('v1')".utf8).write(to: publicURL.appendingPathComponent("js/app.3f9a1c.js"))
            try Data("body{color:red}".utf8).write(to: publicURL.appendingPathComponent("style.css"))
            try Data("BROTLI".utf8).write(to: publicURL.appendingPathComponent("style.css.br"))
            try Data("GZIP".utf8).write(to: publicURL.appendingPathComponent("style.css.gz"))
            try Data("SECRET=1".utf8).write(to: publicURL.appendingPathComponent(".env"))
            try Data("0123456789".utf8).write(to: publicURL.appendingPathComponent("digits.txt"))
            try FileManager.default.createSymbolicLink(atPath: publicURL.appendingPathComponent("escape.txt").path, withDestinationPath: "../secret.txt")
        }

        func remove() {
            try? FileManager.default.removeItem(at: self.base)
        }
    }

    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let tree = try Tree()
        defer { tree.remove() }
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        try StaticFiles(root: tree.publicPath, maxAge: .seconds(60)).register(on: router, at: "/static")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await Application(router: router, logger: logger).test(.router, body)
    }

    @Test func servesFilesWithAStrongETagAndShortCaching() async throws {
        try await self.withApp { client in
            let response = try await client.execute(uri: "/static/js/app.js", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "console.log('app')")
            #expect(response.headers[.contentType]?.hasPrefix("application/javascript") == true || response.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(response.headers[.cacheControl] == "public, max-age=60")
            let etag = try #require(response.headers[.eTag])
            #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"), "a strong tag")
        }
    }

    @Test func aMatchingETagIsNotModified() async throws {
        try await self.withApp { client in
            let first = try await client.execute(uri: "/static/js/app.js", method: .get)
            let etag = try #require(first.headers[.eTag])
            let again = try await client.execute(uri: "/static/js/app.js", method: .get, headers: [.ifNoneMatch: "\"other\", \(etag)"])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            #expect(again.headers[.eTag] == etag)
            let stale = try await client.execute(uri: "/static/js/app.js", method: .get, headers: [.ifNoneMatch: "\"other\""])
            #expect(stale.status == .ok)
        }
    }

    @Test func fingerprintedNamesAreImmutable() async throws {
        try await self.withApp { client in
            let response = try await client.execute(uri: "/static/js/app.3f9a1c.js", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
        }
    }

    @Test func aSingleRangeIsPartialContent() async throws {
        try await self.withApp { client in
            let middle = try await client.execute(uri: "/static/digits.txt", method: .get, headers: [.range: "bytes=2-5"])
            #expect(middle.status == .partialContent)
            #expect(String(buffer: middle.body) == "2345")
            #expect(middle.headers[.contentRange] == "bytes 2-5/10")
            let suffix = try await client.execute(uri: "/static/digits.txt", method: .get, headers: [.range: "bytes=-3"])
            #expect(String(buffer: suffix.body) == "789")
            let open = try await client.execute(uri: "/static/digits.txt", method: .get, headers: [.range: "bytes=7-"])
            #expect(String(buffer: open.body) == "789")
            let beyond = try await client.execute(uri: "/static/digits.txt", method: .get, headers: [.range: "bytes=10-20"])
            #expect(beyond.status == .rangeNotSatisfiable)
            #expect(beyond.headers[.contentRange] == "bytes */10")
            let stale = try await client.execute(uri: "/static/digits.txt", method: .get, headers: [.range: "bytes=2-5", .ifRange: "\"old\""])
            #expect(stale.status == .ok, "If-Range that does not match asks for the whole file")
            #expect(String(buffer: stale.body) == "0123456789")
        }
    }

    @Test func precompressedVariantsFollowAcceptEncoding() async throws {
        try await self.withApp { client in
            let brotli = try await client.execute(uri: "/static/style.css", method: .get, headers: [.acceptEncoding: "gzip, deflate, br"])
            #expect(String(buffer: brotli.body) == "BROTLI")
            #expect(brotli.headers[.contentEncoding] == "br")
            #expect(brotli.headers[.vary] == "Accept-Encoding")
            #expect(brotli.headers[.contentType]?.hasPrefix("text/css") == true)
            let gzip = try await client.execute(uri: "/static/style.css", method: .get, headers: [.acceptEncoding: "gzip, br;q=0"])
            #expect(String(buffer: gzip.body) == "GZIP")
            #expect(gzip.headers[.contentEncoding] == "gzip")
            #expect(gzip.headers[.eTag] != brotli.headers[.eTag], "each encoding has its own strong tag")
            let plain = try await client.execute(uri: "/static/style.css", method: .get)
            #expect(String(buffer: plain.body) == "body{color:red}")
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(plain.headers[.vary] == "Accept-Encoding")
        }
    }

    @Test func headAnswersHeadersOnly() async throws {
        try await self.withApp { client in
            let response = try await client.execute(uri: "/static/digits.txt", method: .head)
            #expect(response.status == .ok)
            #expect(response.headers[.contentLength] == "10")
            #expect(response.body.readableBytes == 0)
        }
    }

    @Test(arguments: [
        "/static/../secret.txt", "/static/js/../../secret.txt", "/static/%2e%2e/secret.txt", "/static/%2E%2E/secret.txt",
        "/static/js%2f..%2f..%2fsecret.txt", "/static/..%5csecret.txt", "/static/%252e%252e/secret.txt",
        "/static/digits.txt%00.js", "/static/escape.txt", "/static/.env", "/static/%2eenv", "/static/js", "/static/",
        "/static/js//app.js", "/static/%zz", "/static/nothing.txt",
    ])
    func nothingOutsideThePublicFilesIsReadable(path: String) async throws {
        try await self.withApp { client in
            let response = try await client.execute(uri: path, method: .get)
            #expect(response.status == .notFound, "\(path)")
            #expect(!String(buffer: response.body).contains("top secret"))
            #expect(!String(buffer: response.body).contains("SECRET=1"))
        }
    }
}
