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
        /// Allowed: put these `RateLimit` fields in the answer.
        case allow(FastRoutes.RateLimitFields)
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
        guard let checks = self.checks(request), let decision = self.limiter.acquireNow(checks) else { return nil }
        return self.outcome(decision)
    }

    /// The refusal for a client refused moments ago and still blocked; nil for everyone else.
    public func refusalIfBlocked(_ request: FastRoutes.Request) -> FastRoutes.Response? {
        guard self.limiter.hasBlockedKeys, let checks = self.checks(request), let decision = self.limiter.blockedDecision(checks),
            case .refuse(let response) = self.outcome(decision)
        else { return nil }
        return response
    }

    /// The request's check. A client that is the peer itself (no trusted proxy
    /// speaks for it) has the same check on every request of the connection:
    /// it is worked out once and kept on the connection.
    private func checks(_ request: FastRoutes.Request) -> [RateLimitCheck]? {
        if let kept = request.connection.rateLimitChecks, kept.limit === self { return kept.checks }
        guard let peer = request.channel.remoteAddress else { return nil }
        if !self.trustedProxies.isEmpty, self.trustedProxies.contains(peer) {
            var forwarded = HTTPFields()
            for (name, value) in request.head.headers {
                if let field = HTTPField.Name(name) { forwarded.append(HTTPField(name: field, value: value)) }
            }
            return self.trustedProxies.clientAddress(peer: peer, headers: forwarded).map { [RateLimitCheck(policy: self.policy, key: $0)] }
        }
        guard let client = self.trustedProxies.clientAddress(peer: peer, headers: [:]) else { return nil }
        let checks = [RateLimitCheck(policy: self.policy, key: client)]
        request.connection.rateLimitChecks = FastRoutes.KeptChecks(limit: self, checks: checks)
        return checks
    }

    private func outcome(_ decision: RateLimitDecision) -> Outcome {
        self.metrics.count(allowed: decision.isAllowed)
        let fields = FastRoutes.RateLimitFields(limit: self, decision: decision)
        guard decision.isAllowed else {
            var refusal = FastRoutes.Response(status: .tooManyRequests, contentType: "application/problem+json", body: self.refusal)
            refusal.rateLimit = fields
            return .refuse(refusal)
        }
        return .allow(fields)
    }
}

extension FastRoutes {
    /// The rate-limit fields of a fast answer, written straight into its bytes.
    public struct RateLimitFields: Sendable {
        let limit: FastRateLimit
        let decision: RateLimitDecision

        func write(into buffer: inout ByteBuffer) {
            self.limit.headers.write(self.decision, rule: 0, into: &buffer)
        }
    }
}

extension FastRoutes {
    /// Refuses, on the event loop, a client the limiter refused moments ago and
    /// still blocks: an attacker's further requests cost neither a task nor a
    /// backend round trip. Everyone else goes on to the routes, where the
    /// middleware with the same policy and keys counts them.
    public mutating func refuseBlockedClients(under prefixes: [String], limit: FastRateLimit) {
        let limiter = limit.limiter
        self.refuse(under: prefixes, while: { limiter.hasBlockedKeys }) { limit.refusalIfBlocked($0) }
    }
}
