import FleetState
import Hummingbird

/// A policy and whose quota a request spends under it: its key.
public struct RateLimitRule<Context: RequestContext>: Sendable {
    /// The limit.
    public let policy: RateLimitPolicy
    /// The key of a request (a client address, a user id, an API key), or nil
    /// to leave the request out of this rule.
    public let key: @Sendable (Request, Context) -> String?

    /// - Parameters:
    ///   - policy: the limit.
    ///   - key: the key of a request, or nil when the rule does not apply to it.
    public init(_ policy: RateLimitPolicy, key: @escaping @Sendable (Request, Context) -> String?) {
        self.policy = policy
        self.key = key
    }
}

extension RateLimitRule where Context: RemoteAddressRequestContext {
    /// Keyed by client address: the connection's peer, or, when the peer is a
    /// trusted proxy, the client it forwarded for.
    /// - Parameters:
    ///   - policy: the limit.
    ///   - trustedProxies: whose forwarding headers are believed. Default none.
    public static func clientAddress(_ policy: RateLimitPolicy, trustedProxies: TrustedProxies = .init()) -> Self {
        Self(policy) { request, context in
            trustedProxies.clientAddress(peer: context.remoteAddress, headers: request.headers)
        }
    }
}
