import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Request {
    /// The whole body of a JSON request; a body of another type, or over `limit`, is a problem.
    func jsonBody(limit: Int) async throws -> ByteBuffer {
        if let type = self.headers[.contentType], !Self.isJSON(type) {
            throw Problem(
                "unsupported-media-type",
                title: "Unsupported media type",
                status: .unsupportedMediaType,
                detail: "The body must be application/json, not \(type).",
                field: "Content-Type"
            )
        }
        do {
            return try await self.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.bodyTooLarge(limit: limit)
        }
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces).lowercased()
        return mediaType == "application/json" || mediaType.hasSuffix("+json")
    }
}
