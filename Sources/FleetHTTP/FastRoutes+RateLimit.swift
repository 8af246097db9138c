import FleetState
import HTTPTypes
import NIOCore
import NIOHTTP1

/// A client-address rate limit applied on the fast path, keyed and answered
/// exactly as `RateLimitMiddleware` with `RateLimitRule.clientAddress` would.
/// A class: route closures capture it, and a copy is then one retain.
public final class FastRateLimit: Sendable {
    /// What the limit says of a fast request.
    public enum Outcome: Sendable {
        /// Refused: send this `429`.
        case refuse(FastRoutes.Response)
        /// Allowed: add these `RateLimit` fields to the answer.
        case allow([(String, String)])
    }

    let limiter: RateLimiter
    let policy: RateLimitPolicy
    let trustedProxies: TrustedProxies
    let headers: RateLimitHeaders
    let refusal: ByteBuffer
    let metrics: RateLimitMetrics

    /// - Parameters: the middleware's limiter, client-address policy, trusted proxies and `X-RateLimit-*` choice.
    public init(limiter: RateLimiter, policy: RateLimitPolicy, trustedProxies: TrustedProxies, legacyHeaders: Bool) {
        self.limiter = limiter
        self.policy = policy
        self.trustedProxies = trustedProxies
        self.headers = RateLimitHeaders(policies: [policy], legacy: legacyHeaders)
        self.refusal = Problem.rateLimited(policy: policy.name).jsonBody()
        self.metrics = RateLimitMetrics(policy: policy.name)
    }

    /// Takes one request from the client's quota, if the backend answers at
    /// once; nil (nothing taken) when it cannot, so the router counts it instead.
    public func acquire(_ request: FastRoutes.Request) -> Outcome? {
        guard let check = self.check(request), let decision = self.limiter.acquireNow([check]) else { return nil }
        return self.outcome(decision)
    }

    /// The refusal for a client refused moments ago and still blocked; nil for everyone else.
    public func refusalIfBlocked(_ request: FastRoutes.Request) -> FastRoutes.Response? {
        guard self.limiter.hasBlockedKeys, let check = self.check(request), let decision = self.limiter.blockedDecision([check]),
            case .refuse(let response) = self.outcome(decision)
        else { return nil }
        return response
    }

    private func check(_ request: FastRoutes.Request) -> RateLimitCheck? {
        var forwarded = HTTPFields()
        if !self.trustedProxies.isEmpty {
            for (name, value) in request.head.headers {
                if let field = HTTPField.Name(name) { forwarded.append(HTTPField(name: field, value: value)) }
            }
        }
        return self.trustedProxies.clientAddress(peer: request.channel.remoteAddress, headers: forwarded).map {
            RateLimitCheck(policy: self.policy, key: $0)
        }
    }

    private func outcome(_ decision: RateLimitDecision) -> Outcome {
        self.metrics.count(allowed: decision.isAllowed)
        let pairs = self.headers.pairs(decision, rule: 0)
        guard decision.isAllowed else {
            return .refuse(FastRoutes.Response(status: .tooManyRequests, contentType: "application/problem+json", headers: pairs, body: self.refusal))
        }
        return .allow(pairs)
    }
}

extension FastRoutes {
    /// Refuses, on the event loop, a client the limiter refused moments ago and
    /// still blocks: an attacker's further requests cost neither a task nor a
    /// backend round trip. Everyone else goes on to the routes, where the
    /// middleware with the same policy and keys counts them.
    public mutating func refuseBlockedClients(under prefixes: [String], limit: FastRateLimit) {
        self.refuse(under: prefixes) { limit.refusalIfBlocked($0) }
    }
}
