import FleetState
import Hummingbird
import Logging

/// Turns every error into `application/problem+json`, so a client never sees
/// a stack trace or an empty 500, and an unexpected error is logged once.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.problem(for: error, request: request, context: context).response(from: request, context: context)
        }
    }

    static func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            return Self.problem(for: error, request: request)
        case let error as FleetStateError where error.code == .backendUnavailable:
            // Redis restarting is an outage to wait out, not a bug: 503, logged as a warning.
            context.logger.warning("state backend unavailable", metadata: ["error.message": "\(error)"])
            return .unavailable("state store")
        case let full as OffloadQueueFull:
            return .overloaded(full)
        default:
            context.logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))", "error.message": "\(error)"])
            return .internalError(requestID: context.id)
        }
    }

    static func problem(for error: HTTPError, request: Request) -> Problem {
        switch error.status {
        case .notFound:
            return .notFound("No route for \(request.method) \(request.uri.path).")
        case .contentTooLarge:
            return Problem("body-too-large", title: "Request body too large", status: .contentTooLarge, detail: error.body ?? "The request body is too large.", field: "body")
        default:
            let title = error.status.reasonPhrase
            let kind = title.lowercased().split(separator: " ").joined(separator: "-")
            return Problem(kind, title: title, status: error.status, detail: error.body ?? title, headers: error.headers)
        }
    }
}
