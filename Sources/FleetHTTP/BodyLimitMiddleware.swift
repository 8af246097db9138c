import HTTPTypes
import Hummingbird

/// Refuses request bodies over a limit with `413`, before a handler reads them.
///
/// A declared `Content-Length` is checked without reading anything; a chunked
/// body is collected up to the limit, so handlers can read it whole.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    /// - Parameter limit: the largest body accepted, in bytes.
    public init(limit: Int) {
        self.limit = limit
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length <= self.limit else {
                throw Problem.bodyTooLarge(limit: self.limit)
            }
            return try await next(request, context)
        }
        guard request.headers[.transferEncoding] != nil else {
            return try await next(request, context)
        }
        var request = request
        do {
            let body = try await request.body.collect(upTo: self.limit)
            request.body = RequestBody(buffer: body)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.bodyTooLarge(limit: self.limit)
        }
        return try await next(request, context)
    }
}
