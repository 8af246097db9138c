import FleetState
import HTTPTypes

extension HTTPField.Name {
    /// `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers): the quota policies.
    public static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    /// `RateLimit` (draft-ietf-httpapi-ratelimit-headers): what is left of a policy's quota.
    public static let rateLimit = HTTPField.Name("RateLimit")!
    /// `X-RateLimit-Limit`: the limit, in the legacy convention.
    public static let xRateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    /// `X-RateLimit-Remaining`: points left, in the legacy convention.
    public static let xRateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    /// `X-RateLimit-Reset`: seconds until the quota is whole, in the legacy convention.
    public static let xRateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}

/// Writes the rate-limit fields of a response, in the structured-field form of
/// draft-ietf-httpapi-ratelimit-headers:
///
///     RateLimit-Policy: "default";q=100;w=60
///     RateLimit: "default";r=37;t=12
///
/// What does not change per request is formatted once, up front.
struct RateLimitHeaders: Sendable {
    /// The `RateLimit-Policy` value listing every policy.
    let policyField: String
    /// Per policy: `"name";r=`, the start of its `RateLimit` value.
    let remainingPrefixes: [String]
    /// Per policy: its limit as text, for `X-RateLimit-Limit`.
    let limits: [String]
    let legacy: Bool

    init(policies: [RateLimitPolicy], legacy: Bool) {
        self.policyField = policies.map { policy in
            let (seconds, attoseconds) = policy.window.components
            return "\(Self.quoted(policy.name));q=\(policy.limit);w=\(seconds + (attoseconds > 0 ? 1 : 0))"
        }.joined(separator: ", ")
        self.remainingPrefixes = policies.map { "\(Self.quoted($0.name));r=" }
        self.limits = policies.map { String($0.limit) }
        self.legacy = legacy
    }

    /// Adds the fields for `decision`, made under the rule at `rule`.
    func apply(_ decision: RateLimitDecision, rule: Int, to headers: inout HTTPFields) {
        self.forEachField(of: decision, rule: rule) { headers.append(HTTPField(name: $0, value: $1)) }
    }

    /// The fields for `decision` as name and value pairs, for the fast path's NIO headers.
    func pairs(_ decision: RateLimitDecision, rule: Int) -> [(String, String)] {
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(self.legacy ? 6 : 3)
        self.forEachField(of: decision, rule: rule) { pairs.append(($0.rawName, $1)) }
        return pairs
    }

    private func forEachField(of decision: RateLimitDecision, rule: Int, _ body: (HTTPField.Name, String) -> Void) {
        let remaining = String(decision.remaining)
        let reset = String(Self.seconds(decision.resetMilliseconds))
        body(.rateLimitPolicy, self.policyField)
        body(.rateLimit, Self.rateLimitValue(prefix: self.remainingPrefixes[rule], remaining: remaining, reset: reset))
        if !decision.isAllowed {
            body(.retryAfter, String(Self.seconds(decision.retryAfterMilliseconds)))
        }
        if self.legacy {
            body(.xRateLimitLimit, self.limits[rule])
            body(.xRateLimitRemaining, remaining)
            body(.xRateLimitReset, reset)
        }
    }

    /// `"name";r=37;t=12`, in one allocation: chained `+` makes one per step.
    static func rateLimitValue(prefix: String, remaining: String, reset: String) -> String {
        var value = ""
        value.reserveCapacity(prefix.utf8.count + remaining.utf8.count + 3 + reset.utf8.count)
        value += prefix
        value += remaining
        value += ";t="
        value += reset
        return value
    }

    /// Whole seconds, rounded up: a client that waits this long is not early.
    static func seconds(_ milliseconds: Int64) -> Int64 {
        (max(0, milliseconds) + 999) / 1000
    }

    /// A structured-field string: quoted, with `"` and `\` escaped.
    static func quoted(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
