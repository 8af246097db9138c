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

    /// A field's value: text, or the `RateLimit` value in its parts, which a
    /// writer of bytes copies one after another instead of joining first.
    enum Value {
        case text(String)
        case rateLimit(prefix: String, remaining: String, reset: String)
    }

    /// Adds the fields for `decision`, made under the rule at `rule`.
    func apply(_ decision: RateLimitDecision, rule: Int, to headers: inout HTTPFields) {
        self.forEachField(of: decision, rule: rule) { name, value in
            switch value {
            case .text(let text):
                headers.append(HTTPField(name: name, value: text))
            case .rateLimit(let prefix, let remaining, let reset):
                headers.append(HTTPField(name: name, value: Self.rateLimitValue(prefix: prefix, remaining: remaining, reset: reset)))
            }
        }
    }

    /// Writes the fields for `decision` as HTTP/1 header lines (each after a
    /// CRLF), for the fast path's encoded answers: no field list, no joined value.
    func write(_ decision: RateLimitDecision, rule: Int, into buffer: inout ByteBuffer) {
        self.forEachField(of: decision, rule: rule) { name, value in
            buffer.writeStaticString("\r\n")
            buffer.writeString(name.rawName)
            buffer.writeStaticString(": ")
            switch value {
            case .text(let text):
                buffer.writeString(text)
            case .rateLimit(let prefix, let remaining, let reset):
                buffer.writeString(prefix)
                buffer.writeString(remaining)
                buffer.writeStaticString(";t=")
                buffer.writeString(reset)
            }
        }
    }

    private func forEachField(of decision: RateLimitDecision, rule: Int, _ body: (HTTPField.Name, Value) -> Void) {
        let remaining = String(decision.remaining)
        let reset = String(Self.seconds(decision.resetMilliseconds))
        body(.rateLimitPolicy, .text(self.policyField))
        body(.rateLimit, .rateLimit(prefix: self.remainingPrefixes[rule], remaining: remaining, reset: reset))
        if !decision.isAllowed {
            body(.retryAfter, .text(String(Self.seconds(decision.retryAfterMilliseconds))))
        }
        if self.legacy {
            body(.xRateLimitLimit, .text(self.limits[rule]))
            body(.xRateLimitRemaining, .text(remaining))
            body(.xRateLimitReset, .text(reset))
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
