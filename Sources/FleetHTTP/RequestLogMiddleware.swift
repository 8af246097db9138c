import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    /// `X-Request-Id`: a request id chosen by the client or a proxy in front.
    public static let requestID = HTTPField.Name("X-Request-Id")!
}

/// Gives each request an id (the client's `X-Request-Id` when it is sane, a new
/// one otherwise), echoes it in the response, puts it on every log line of the
/// request, and logs one access line when the response is ready.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    /// - Parameter level: the level of the access line.
    public init(level: Logger.Level = .info) {
        self.level = level
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        if let incoming = request.headers[.requestID], Self.isAcceptable(requestID: incoming) {
            context.logger[metadataKey: "hb.request.id"] = .string(incoming)
        }
        let requestID = context.id
        var response = try await next(request, context)
        response.headers[.requestID] = requestID
        if context.logger.logLevel <= self.level {
            let elapsed = ContinuousClock.now - start
            context.logger.log(
                level: self.level,
                "request",
                metadata: [
                    "http.method": .string(request.method.rawValue),
                    "url.path": .string(request.uri.path),
                    "http.status": .stringConvertible(response.status.code),
                    "duration_ms": .string(elapsed.millisecondsText),
                ]
            )
        }
        return response
    }

    /// Ids from outside are echoed into headers and logs: keep them short and plain.
    static func isAcceptable(requestID: String) -> Bool {
        let utf8 = requestID.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }
    }
}
