import HTTPTypes
import Hummingbird
import Instrumentation
import Tracing

/// Sends the request's span back in `traceparent`, so a client or proxy can
/// find the server's side of its request. Runs inside `TracingMiddleware`.
struct TraceResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let current = ServiceContext.current {
            InstrumentationSystem.instrument.inject(current, into: &response.headers, using: HTTPFieldsInjector())
        }
        return response
    }
}

/// Writes propagation fields (`traceparent`, `tracestate`) into HTTP fields.
struct HTTPFieldsInjector: Injector {
    func inject(_ value: String, forKey key: String, into fields: inout HTTPFields) {
        guard let name = HTTPField.Name(key) else { return }
        fields[name] = value
    }
}
