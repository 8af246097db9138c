import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error a client sees, rendered as `application/problem+json` (RFC 9457).
///
/// `type` is stable across releases so clients can branch on it; `field`
/// names the part of the request at fault when there is one.
public struct Problem: Error, Sendable, Equatable {
    /// A stable identifier of the kind of problem, e.g. `urn:fleet:problem:invalid-field`.
    public var type: String
    /// A short, human-readable summary of the kind of problem.
    public var title: String
    /// The HTTP status code.
    public var status: HTTPResponse.Status
    /// What went wrong with this request.
    public var detail: String
    /// The request field at fault: a JSON key, a path parameter or a query parameter.
    public var field: String?
    /// Extra headers the response carries (`Allow`, `Retry-After`...).
    public var headers: HTTPFields

    /// Creates a problem.
    /// - Parameters:
    ///   - kind: the last segment of the stable `type`, e.g. `invalid-field`.
    ///   - title: a short summary of the kind of problem.
    ///   - status: the HTTP status code.
    ///   - detail: what went wrong with this request.
    ///   - field: the request field at fault, if any.
    ///   - headers: extra response headers.
    public init(
        _ kind: String,
        title: String,
        status: HTTPResponse.Status,
        detail: String,
        field: String? = nil,
        headers: HTTPFields = [:]
    ) {
        self.type = "urn:fleet:problem:\(kind)"
        self.title = title
        self.status = status
        self.detail = detail
        self.field = field
        self.headers = headers
    }
}

extension Problem {
    /// A request body that is not well-formed JSON.
    public static func malformedJSON(_ detail: String) -> Problem {
        Problem("malformed-json", title: "Malformed JSON", status: .badRequest, detail: detail)
    }

    /// A field whose value is missing, of the wrong type or out of its allowed range.
    public static func invalidField(_ field: String, _ detail: String, status: HTTPResponse.Status = .unprocessableContent) -> Problem {
        Problem("invalid-field", title: "Invalid field", status: status, detail: detail, field: field)
    }

    /// A path or query parameter that does not parse or is out of range.
    public static func invalidParameter(_ name: String, _ detail: String) -> Problem {
        Problem("invalid-parameter", title: "Invalid parameter", status: .badRequest, detail: detail, field: name)
    }

    /// A resource that does not exist.
    public static func notFound(_ detail: String, field: String? = nil) -> Problem {
        Problem("not-found", title: "Not found", status: .notFound, detail: detail, field: field)
    }

    /// A write that conflicts with existing state, such as a duplicate unique value.
    public static func conflict(_ field: String, _ detail: String) -> Problem {
        Problem("conflict", title: "Conflict", status: .conflict, detail: detail, field: field)
    }

    /// A request that needs a logged-in session and has none, or credentials that match no one.
    public static func unauthenticated(_ detail: String, field: String? = nil) -> Problem {
        Problem("unauthenticated", title: "Unauthenticated", status: .unauthorized, detail: detail, field: field)
    }

    /// A request body larger than the configured limit.
    public static func bodyTooLarge(limit: Int) -> Problem {
        Problem(
            "body-too-large",
            title: "Request body too large",
            status: .contentTooLarge,
            detail: "The request body exceeds the limit of \(limit) bytes.",
            field: "body"
        )
    }

    /// An unexpected failure; the detail never carries internals.
    public static func internalError(requestID: String) -> Problem {
        Problem(
            "internal",
            title: "Internal server error",
            status: .internalServerError,
            detail: "An unexpected error occurred; quote request id \(requestID) when reporting it."
        )
    }
}

extension Problem: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: self.jsonBody()))
    }

    /// The problem document; written by hand because it is small and on error paths under attack.
    func jsonBody() -> ByteBuffer {
        var json = #"{"type":"# + JSONString.quoted(self.type)
        json += #","title":"# + JSONString.quoted(self.title)
        json += #","status":\#(self.status.code),"detail":"# + JSONString.quoted(self.detail)
        if let field {
            json += #","field":"# + JSONString.quoted(field)
        }
        json += "}"
        return ByteBuffer(string: json)
    }
}
