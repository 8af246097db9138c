import FleetState
import HTTPTypes
import NIOCore
import NIOHTTP1

extension FastRoutes {
    /// Refuses, on the event loop, a client the limiter refused moments ago and
    /// still blocks: an attacker's further requests cost neither a task nor a
    /// backend round trip. Everyone else goes on to the routes, where
    /// `RateLimitMiddleware` with the same policy and keys counts them.
    /// - Parameters:
    ///   - prefixes: the paths the limit covers.
    ///   - limiter: the limiter the middleware uses.
    ///   - policy: the middleware's client-address policy.
    ///   - trustedProxies: the middleware's trusted proxies, so the key is the same.
    ///   - legacyHeaders: the middleware's `X-RateLimit-*` choice.
    public mutating func refuseBlockedClients(
        under prefixes: [String],
        limiter: RateLimiter,
        policy: RateLimitPolicy,
        trustedProxies: TrustedProxies,
        legacyHeaders: Bool
    ) {
        let headers = RateLimitHeaders(policies: [policy], legacy: legacyHeaders)
        let body = Problem.rateLimited(policy: policy.name).jsonBody()
        self.refuse(under: prefixes) { request in
            var forwarded = HTTPFields()
            if !trustedProxies.isEmpty {
                for (name, value) in request.head.headers {
                    if let field = HTTPField.Name(name) { forwarded.append(HTTPField(name: field, value: value)) }
                }
            }
            guard let key = trustedProxies.clientAddress(peer: request.channel.remoteAddress, headers: forwarded),
                let decision = limiter.blockedDecision([RateLimitCheck(policy: policy, key: key)])
            else { return nil }
            var fields = HTTPFields()
            headers.apply(decision, rule: 0, to: &fields)
            return Response(
                status: .tooManyRequests,
                contentType: "application/problem+json",
                headers: fields.map { ($0.name.rawName, $0.value) },
                body: body
            )
        }
    }
}
