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

/// Hummingbird's `TracingMiddleware` with `TraceResponseMiddleware` inside it,
/// for the requests `sampler` admits; the others pass with no span at all.
struct SampledTracingMiddleware<Context: RequestContext>: RouterMiddleware {
    let sampler: TraceSampler?
    let tracing = TracingMiddleware<Context>()
    let traceResponse = TraceResponseMiddleware<Context>()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard self.sampler?.admits(traceparent: request.headers[.traceparent]) ?? true else {
            return try await next(request, context)
        }
        return try await self.tracing.handle(request, context: context) { request, context in
            try await self.traceResponse.handle(request, context: context, next: next)
        }
    }
}

extension HTTPField.Name {
    /// W3C trace context's `traceparent`.
    static let traceparent = HTTPField.Name("traceparent")!
}

/// Writes propagation fields (`traceparent`, `tracestate`) into HTTP fields.
struct HTTPFieldsInjector: Injector {
    func inject(_ value: String, forKey key: String, into fields: inout HTTPFields) {
        guard let name = HTTPField.Name(key) else { return }
        fields[name] = value
    }
}
