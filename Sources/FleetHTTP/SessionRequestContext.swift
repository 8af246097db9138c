import Hummingbird

/// A request context that carries the request's session, for `SessionMiddleware`.
///
/// Conform by adding a stored `let session = RequestSession()`: the middleware
/// fills it in before the handler runs and reads it back afterwards.
public protocol SessionRequestContext: RequestContext {
    /// The session of this request; anonymous until a cookie or a login says otherwise.
    var session: RequestSession { get }
}
