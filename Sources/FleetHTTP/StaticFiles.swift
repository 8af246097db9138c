import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix

/// Serves the files of a directory (`public/`) under a path prefix, ready for a CDN.
///
/// Responses carry a strong `ETag` (size and modification time, per encoding) and
/// answer `If-None-Match` with `304`. Fingerprinted names (`app.3f9a1c.js`, see
/// `AssetManifest`) are cached for a year as `immutable`; other files for `maxAge`.
/// A single `Range` gets `206` or `416`. `file.br` / `file.gz` beside a file are sent
/// instead of it when `Accept-Encoding` allows. Paths that leave the root (`..`,
/// encoded or not, NUL, dot files, symlinks pointing out) are `404`.
///
/// It is registered as routes, so no other route pays for it.
public struct StaticFiles: Sendable {
    /// The root, resolved once: every served file must resolve below it.
    let root: String
    /// `Cache-Control` of names without a fingerprint.
    let shortCacheControl: String
    let fileIO: FileIO

    /// - Parameters:
    ///   - root: the directory to serve, e.g. `public`.
    ///   - maxAge: how long clients and CDNs may reuse files without a fingerprint. Default 60 s.
    /// - Throws: `StaticFilesError` when `root` is not a directory.
    public init(root: String, maxAge: Duration = .seconds(60), threadPool: NIOThreadPool = .singleton) throws {
        self.root = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: self.root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StaticFilesError(root: root, reason: "not a directory")
        }
        self.shortCacheControl = "public, max-age=\(maxAge.components.seconds)"
        self.fileIO = FileIO(threadPool: threadPool)
    }

    /// Adds `GET` and `HEAD` routes for `prefix/**` to `router`.
    /// - Parameter prefix: the path the directory appears under, e.g. `/static`.
    public func register<Context: RequestContext>(on router: some RouterMethods<Context>, at prefix: String) {
        let prefix = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        router.get("\(prefix)/**") { request, context in
            try await self.respond(to: request, prefix: prefix, context: context)
        }
        router.head("\(prefix)/**") { request, context in
            try await self.respond(to: request, prefix: prefix, context: context)
        }
    }

    func respond(to request: Request, prefix: String, context: some RequestContext) async throws -> Response {
        let rawPath = request.uri.path.dropFirst(prefix.utf8.count)
        guard let relative = Self.relativePath(rawPath), let file = self.file(at: relative) else {
            throw Problem.notFound("No file at \(prefix)/\(rawPath.dropFirst()).")
        }
        let variant = request.headers[.range] == nil ? self.variant(of: file, accepting: request.headers[.acceptEncoding]) : file
        var headers = HTTPFields()
        headers[.eTag] = variant.etag
        headers[.cacheControl] = Self.isFingerprinted(relative) ? "public, max-age=31536000, immutable" : self.shortCacheControl
        headers[.vary] = "Accept-Encoding"
        headers[.acceptRanges] = "bytes"
        if let contentType = MediaType.getMediaType(forExtension: file.fileExtension) {
            headers[.contentType] = contentType.description
        }
        if let encoding = variant.encoding { headers[.contentEncoding] = encoding }
        if let ifNoneMatch = request.headers[.ifNoneMatch], Self.matches(ifNoneMatch, etag: variant.etag) {
            return Response(status: .notModified, headers: headers)
        }
        let status: HTTPResponse.Status
        let range: ClosedRange<Int>?
        switch ByteRange(request.headers[.range], ifRange: request.headers[.ifRange], etag: variant.etag, size: variant.size) {
        case .whole:
            status = .ok
            range = variant.size > 0 ? 0...(variant.size - 1) : nil
        case .part(let part):
            status = .partialContent
            range = part
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound)/\(variant.size)"
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(variant.size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        headers[.contentLength] = String(range?.count ?? 0)
        guard request.method != .head, let range else {
            return Response(status: status, headers: headers)
        }
        let body = try await self.fileIO.loadFile(path: variant.path, range: range, context: context)
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether `etag` is among the tags of an `If-None-Match` header (weak comparison, RFC 9110 13.1.2).
    /// - Parameters:
    ///   - header: the `If-None-Match` header: `*` or a list of entity tags.
    ///   - etag: the current entity tag of the representation.
    public static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            // Entity tags hold no spaces, so the first word is the tag.
            let tag = candidate.split(separator: " ").first ?? ""
            return tag == "*" || tag == etag || (tag.hasPrefix("W/") && tag.dropFirst(2) == etag)
        }
    }
}

/// A directory given to `StaticFiles` that cannot be served.
public struct StaticFilesError: Error, CustomStringConvertible, Sendable {
    /// The directory as given.
    public let root: String
    /// Why it cannot be served.
    public let reason: String
    public var description: String { "static files root \(root): \(reason)" }
}
