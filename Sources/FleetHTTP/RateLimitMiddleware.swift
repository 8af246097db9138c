import FleetState
import HTTPTypes
import Hummingbird
import NIOCore

/// Limits the requests each client makes: `429` with `Retry-After` past the
/// limit, and the `RateLimit-Policy`/`RateLimit` fields on every response.
///
/// Every rule is checked in one step on the limiter's backend, and a request
/// spends from all of them or from none: a request refused by the per-user
/// limit does not use up its IP's quota.
public struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limiter: RateLimiter
    let rules: [RateLimitRule<Context>]
    let headers: RateLimitHeaders
    /// Per rule, the `429` body, rendered once: a client under attack gets it many times.
    let rejections: [ByteBuffer]
    let metrics: [RateLimitMetrics]

    /// - Parameters:
    ///   - limiter: where requests are counted.
    ///   - rules: the policies and their keys; a request is limited by every rule that keys it.
    ///   - legacyHeaders: also send `X-RateLimit-Limit`, `-Remaining` and `-Reset`. Default false.
    public init(limiter: RateLimiter, rules: [RateLimitRule<Context>], legacyHeaders: Bool = false) {
        precondition(!rules.isEmpty, "a rate limit middleware needs a rule")
        self.limiter = limiter
        self.rules = rules
        self.headers = RateLimitHeaders(policies: rules.map(\.policy), legacy: legacyHeaders)
        self.rejections = rules.map { Problem.rateLimited(policy: $0.policy.name).jsonBody() }
        self.metrics = rules.map { RateLimitMetrics(policy: $0.policy.name) }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var checks: [RateLimitCheck] = []
        // Nil while every rule keyed the request, so check i is rule i.
        var ruleOfCheck: [Int]?
        for (index, rule) in self.rules.enumerated() {
            guard let key = rule.key(request, context) else {
                if ruleOfCheck == nil { ruleOfCheck = Array(checks.indices) }
                continue
            }
            ruleOfCheck?.append(index)
            checks.append(RateLimitCheck(policy: rule.policy, key: key))
        }
        guard !checks.isEmpty else { return try await next(request, context) }
        let decision: RateLimitDecision?
        do {
            decision = try await self.limiter.acquire(checks)
        } catch {
            throw Problem.rateLimitUnavailable
        }
        guard let decision else { return try await next(request, context) }
        let rule = ruleOfCheck?[decision.index] ?? decision.index
        self.metrics[rule].count(allowed: decision.isAllowed)
        guard decision.isAllowed else {
            var fields: HTTPFields = [.contentType: "application/problem+json"]
            self.headers.apply(decision, rule: rule, to: &fields)
            return Response(status: .tooManyRequests, headers: fields, body: .init(byteBuffer: self.rejections[rule]))
        }
        var response = try await next(request, context)
        self.headers.apply(decision, rule: rule, to: &response.headers)
        return response
    }
}
