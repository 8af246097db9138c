import FleetState
import Hummingbird

/// Resumes the session a request's signed cookie names, hands it to the
/// handler in `context.session`, and sends the cookie the request ended with.
///
/// A cookie that is unsigned, tampered with, unknown or expired means an
/// anonymous request, never an error; the response then clears it. The cookie
/// is `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` when configured, and lives
/// until the session's absolute deadline.
public struct SessionMiddleware<Context: SessionRequestContext>: RouterMiddleware {
    let sessions: SessionManager
    let cookieName: String
    let secure: Bool

    /// - Parameters:
    ///   - sessions: the store, signer and timeouts.
    ///   - cookieName: the cookie's name. Default `fleet_session`.
    ///   - secure: mark the cookie `Secure` (sent over HTTPS only). Default false.
    public init(sessions: SessionManager, cookieName: String = "fleet_session", secure: Bool = false) {
        self.sessions = sessions
        self.cookieName = cookieName
        self.secure = secure
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let presented = request.cookies[self.cookieName]?.value
        var record: SessionRecord?
        if let presented, !presented.isEmpty {
            record = try await self.sessions.resume(cookie: presented)
        }
        context.session.attach(self.sessions, record: record)
        var response = try await next(request, context)
        switch context.session.cookieChange {
        case .set(let created):
            response.setCookie(self.cookie(self.sessions.cookieValue(for: created.id), maxAge: self.sessions.cookieMaxAge(for: created)))
        case .clear:
            response.setCookie(self.cookie("", maxAge: 0))
        case .keep where presented?.isEmpty == false && record == nil:
            // The browser holds a dead cookie: have it dropped rather than resent on every request.
            response.setCookie(self.cookie("", maxAge: 0))
        case .keep:
            break
        }
        return response
    }

    func cookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: self.cookieName, value: value, maxAge: maxAge, path: "/", secure: self.secure, httpOnly: true, sameSite: .lax)
    }
}
