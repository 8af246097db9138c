import FleetState
import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One multipart upload in progress: parts are sent as they fill, then completed or aborted.
final class S3MultipartUpload {
    let store: S3ObjectStore
    let key: ObjectKey
    let uploadID: String
    private(set) var parts: [String] = []

    private init(store: S3ObjectStore, key: ObjectKey, uploadID: String) {
        self.store = store
        self.key = key
        self.uploadID = uploadID
    }

    static func start(_ key: ObjectKey, contentType: String, store: S3ObjectStore) async throws -> S3MultipartUpload {
        let response = try await store.send("POST", key, query: [("uploads", "")], headers: [("Content-Type", contentType)])
        let text = String(buffer: try await response.body.collect(upTo: 64 * 1024))
        guard let uploadID = S3XML.value(of: "UploadId", in: text) else {
            throw FleetStateError(.backendUnavailable, "S3 CreateMultipartUpload for \(key) returned no UploadId")
        }
        return S3MultipartUpload(store: store, key: key, uploadID: uploadID)
    }

    func upload(_ part: ByteBuffer) async throws {
        let number = self.parts.count + 1
        let response = try await self.store.send("PUT", self.key, query: [("partNumber", String(number)), ("uploadId", self.uploadID)], body: part)
        guard let etag = response.headers.first(name: "ETag") else {
            throw FleetStateError(.backendUnavailable, "S3 UploadPart \(number) of \(self.key) returned no ETag")
        }
        self.parts.append(etag)
    }

    /// Completes the upload; returns the object's ETag.
    func complete() async throws -> String {
        var xml = "<CompleteMultipartUpload>"
        for (index, etag) in self.parts.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(S3XML.escaped(etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await self.store.send("POST", self.key, query: [("uploadId", self.uploadID)], body: ByteBuffer(string: xml))
        let text = String(buffer: try await response.body.collect(upTo: 64 * 1024))
        // S3 may answer 200 with an error document once the parts are being assembled.
        if let code = S3XML.value(of: "Code", in: text) {
            throw FleetStateError(.backendUnavailable, "S3 CompleteMultipartUpload of \(self.key): \(code): \(S3XML.value(of: "Message", in: text) ?? "")")
        }
        return S3XML.value(of: "ETag", in: text).map(S3XML.unescaped) ?? ""
    }

    /// Drops the parts sent so far; a failure here leaves them to the bucket's lifecycle rule.
    func abort() async {
        _ = try? await self.store.send("DELETE", self.key, query: [("uploadId", self.uploadID)])
    }
}
