import Instrumentation
import NIOCore
import NIOHTTP1
import Tracing

extension FastPathHandler {
    /// Answers inside a server span that continues the caller's `traceparent`
    /// and is sent back in the response's; the access line is logged in the
    /// span, so it carries the trace and span ids as a routed request's lines do.
    func respondTraced(
        _ encoded: ChannelHandlerContext, to request: HTTPRequestHead, path: Substring, with response: FastRoutes.Response,
        since start: ContinuousClock.Instant, route: String, tracer: any Tracer
    ) {
        var parent = ServiceContext.topLevel
        tracer.extract(request.headers, into: &parent, using: NIOHeadersPropagation())
        let span = tracer.startSpan(route, context: parent, ofKind: .server)
        span.attributes["http.request.method"] = request.method.rawValue
        span.attributes["http.route"] = route
        span.attributes["url.path"] = String(path)
        span.attributes["http.response.status_code"] = Int(response.status.code)
        var outgoing = HTTPHeaders()
        tracer.inject(span.context, into: &outgoing, using: NIOHeadersPropagation())
        var response = response
        response.headers += outgoing.map { ($0.name, $0.value) }
        ServiceContext.$current.withValue(span.context) {
            self.respond(encoded, to: request, path: path, with: response, since: start)
        }
        span.end()
    }
}

/// Reads and writes propagation fields (`traceparent`, `tracestate`) in NIO's headers.
struct NIOHeadersPropagation: Extractor, Injector {
    func extract(key: String, from headers: HTTPHeaders) -> String? {
        headers.first(name: key)
    }

    func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: key, value: value)
    }
}
