import FleetRedis
import FleetState
import HTTPTypes
import NIOCore

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
    /// Per policy: the header lines up to the remaining points, for `write`:
    /// `\r\nRateLimit-Policy: …\r\nRateLimit: "name";r=`.
    let encodedPrefixes: [String]
    /// Per policy: its limit as text, for `X-RateLimit-Limit`.
    let limits: [String]
    let legacy: Bool

    init(policies: [RateLimitPolicy], legacy: Bool) {
        self.policyField = policies.map { policy in
            let (seconds, attoseconds) = policy.window.components
            return "\(Self.quoted(policy.name));q=\(policy.limit);w=\(seconds + (attoseconds > 0 ? 1 : 0))"
        }.joined(separator: ", ")
        self.remainingPrefixes = policies.map { "\(Self.quoted($0.name));r=" }
        self.encodedPrefixes = self.remainingPrefixes.map { [policyField] in
            "\r\n\(HTTPField.Name.rateLimitPolicy.rawName): \(policyField)\r\n\(HTTPField.Name.rateLimit.rawName): \($0)"
        }
        self.limits = policies.map { String($0.limit) }
        self.legacy = legacy
    }

    /// Adds the fields for `decision`, made under the rule at `rule`.
    func apply(_ decision: RateLimitDecision, rule: Int, to headers: inout HTTPFields) {
        let remaining = String(max(0, decision.remaining))
        let reset = String(Self.seconds(decision.resetMilliseconds))
        headers.append(HTTPField(name: .rateLimitPolicy, value: self.policyField))
        headers.append(HTTPField(name: .rateLimit, value: Self.rateLimitValue(prefix: self.remainingPrefixes[rule], remaining: remaining, reset: reset)))
        if !decision.isAllowed {
            headers.append(HTTPField(name: .retryAfter, value: String(Self.seconds(decision.retryAfterMilliseconds))))
        }
        if self.legacy {
            headers.append(HTTPField(name: .xRateLimitLimit, value: self.limits[rule]))
            headers.append(HTTPField(name: .xRateLimitRemaining, value: remaining))
            headers.append(HTTPField(name: .xRateLimitReset, value: reset))
        }
    }

    /// Writes the fields `apply` adds, as HTTP/1 header lines (each after a
    /// CRLF), for the fast path's encoded answers: the constant lines are
    /// copied whole, the numbers written as digits, with no strings in between.
    func write(_ decision: RateLimitDecision, rule: Int, into buffer: inout ByteBuffer) {
        let remaining = max(0, decision.remaining)
        let reset = Int(Self.seconds(decision.resetMilliseconds))
        buffer.writeString(self.encodedPrefixes[rule])
        buffer.writeDecimal(remaining)
        buffer.writeStaticString(";t=")
        buffer.writeDecimal(reset)
        if !decision.isAllowed {
            buffer.writeStaticString("\r\nRetry-After: ")
            buffer.writeDecimal(Int(Self.seconds(decision.retryAfterMilliseconds)))
        }
        if self.legacy {
            buffer.writeStaticString("\r\nX-RateLimit-Limit: ")
            buffer.writeString(self.limits[rule])
            buffer.writeStaticString("\r\nX-RateLimit-Remaining: ")
            buffer.writeDecimal(remaining)
            buffer.writeStaticString("\r\nX-RateLimit-Reset: ")
            buffer.writeDecimal(reset)
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
