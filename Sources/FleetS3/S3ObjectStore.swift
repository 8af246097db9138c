#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import Crypto
import FleetState
import Foundation
import NIOCore
import NIOHTTP1

/// An object store in an S3 bucket or on an S3-compatible server (MinIO, moto, R2...),
/// signed with Signature V4. Bodies up to `partSize` go in one `PUT`; larger ones as a
/// multipart upload, so memory holds one part at most.
public struct S3ObjectStore: ObjectStore {
    let configuration: S3Configuration
    let signer: SigV4Signer
    let client: HTTPClient
    static let timeout = TimeAmount.seconds(60)

    /// - Parameters:
    ///   - configuration: the bucket and its credentials.
    ///   - client: the HTTP client; the process-wide one by default.
    public init(configuration: S3Configuration, client: HTTPClient = .shared) {
        self.configuration = configuration
        self.signer = SigV4Signer(
            accessKeyID: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey, region: configuration.region
        )
        self.client = client
    }

    public func put<Body: AsyncSequence>(_ key: ObjectKey, body: Body, contentType: String, maxSize: Int) async throws -> ObjectInfo
    where Body.Element == ByteBuffer {
        var part = ByteBuffer()
        var size = 0
        var upload: S3MultipartUpload?
        do {
            for try await chunk in body {
                size += chunk.readableBytes
                guard size <= maxSize else { throw FleetStateError(.objectTooLarge, "object \(key) is larger than \(maxSize) bytes") }
                var chunk = chunk
                while chunk.readableBytes > 0 {
                    let take = min(chunk.readableBytes, self.configuration.partSize - part.readableBytes)
                    part.writeImmutableBuffer(chunk.readSlice(length: take)!)
                    guard part.readableBytes == self.configuration.partSize else { continue }
                    if upload == nil { upload = try await S3MultipartUpload.start(key, contentType: contentType, store: self) }
                    try await upload!.upload(part)
                    part.clear()
                }
            }
            guard let started = upload else {
                let response = try await self.send("PUT", key, headers: [("Content-Type", contentType)], body: part)
                return ObjectInfo(size: size, contentType: contentType, etag: response.headers.first(name: "ETag") ?? "")
            }
            if part.readableBytes > 0 || started.parts.isEmpty { try await started.upload(part) }
            return ObjectInfo(size: size, contentType: contentType, etag: try await started.complete())
        } catch {
            if let upload { await upload.abort() }
            throw error
        }
    }

    public func get(_ key: ObjectKey) async throws -> StoredObject? {
        let response = try await self.send("GET", key, allowing: [.notFound], streaming: true)
        guard response.status == .ok else {
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return nil
        }
        let info = ObjectInfo(
            size: Int(response.headers.first(name: "Content-Length") ?? "") ?? 0,
            contentType: response.headers.first(name: "Content-Type") ?? "application/octet-stream",
            etag: response.headers.first(name: "ETag") ?? ""
        )
        return StoredObject(info: info) { write in
            for try await chunk in response.body { try await write(chunk) }
        }
    }

    public func exists(_ key: ObjectKey) async throws -> Bool {
        try await self.send("HEAD", key, allowing: [.notFound]).status == .ok
    }

    public func delete(_ key: ObjectKey) async throws -> Bool {
        // S3 answers 204 whether or not the key existed, so HEAD says which.
        guard try await self.exists(key) else { return false }
        _ = try await self.send("DELETE", key)
        return true
    }

    /// A URL anyone may `GET` (download) or `PUT` (upload) the object at until `presignedExpiry` ends.
    public func presignedURL(_ key: ObjectKey, method: String) -> String? {
        let base = self.configuration.bucketBase
        let path = base.pathPrefix + "/" + SigV4Signer.encode(key.rawValue, keepingSlashes: true)
        let expires = Int(self.configuration.presignedExpiry.components.seconds)
        return "\(base.url)\(path)?" + self.signer.presignedQuery(method: method, host: base.host, path: path, expires: expires, time: time(nil))
    }

    /// Sends one signed request; a status other than 2xx or `allowing` throws with S3's own error code and message.
    func send(
        _ method: String, _ key: ObjectKey?, query: [(String, String)] = [], headers: [(String, String)] = [], body: ByteBuffer = ByteBuffer(),
        allowing: Set<HTTPResponseStatus> = [], streaming: Bool = false
    ) async throws -> HTTPClientResponse {
        let base = self.configuration.bucketBase
        let path = base.pathPrefix + "/" + (key.map { SigV4Signer.encode($0.rawValue, keepingSlashes: true) } ?? "")
        let now = time(nil)
        var hasher = SHA256()
        body.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        let payloadHash = SigV4Signer.hex(hasher.finalize())
        let signed = [("Host", base.host), ("x-amz-date", SigV4Signer.timestamp(now)), ("x-amz-content-sha256", payloadHash)] + headers
        let authorization = self.signer.authorization(method: method, path: path, query: query, headers: signed, payloadHash: payloadHash, time: now)
        let queryString = query.isEmpty ? "" : "?" + query.map { SigV4Signer.encode($0.0) + "=" + SigV4Signer.encode($0.1) }.joined(separator: "&")
        var request = HTTPClientRequest(url: base.url + path + queryString)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed where name != "Host" { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Authorization", value: authorization)
        if method == "PUT" || method == "POST" { request.body = .bytes(body) }
        let response: HTTPClientResponse
        do {
            response = try await self.client.execute(request, timeout: Self.timeout)
        } catch {
            throw FleetStateError(.backendUnavailable, "S3 \(method) \(base.url)\(path) failed", underlying: error)
        }
        if (200..<300).contains(response.status.code) || allowing.contains(response.status) { return response }
        let text = String(buffer: (try? await response.body.collect(upTo: 64 * 1024)) ?? ByteBuffer())
        let code = S3XML.value(of: "Code", in: text) ?? "\(response.status.code)"
        let message = S3XML.value(of: "Message", in: text) ?? response.status.reasonPhrase
        let hint = code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" ? " (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)" : ""
        throw FleetStateError(.backendUnavailable, "S3 \(method) \(path): \(response.status.code) \(code): \(message)\(hint)")
    }
}
