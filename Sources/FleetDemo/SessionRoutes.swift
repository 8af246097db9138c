import FleetHTTP
import HTTPTypes
import Hummingbird
import NIOCore

/// Login sessions for the demo users: log in by email, see who you are, log
/// out here or everywhere. Needs `SessionMiddleware` in front.
struct SessionRoutes<Store: UserStore>: Sendable {
    let store: Store
    let bodyLimit: Int

    func register<Context: SessionRequestContext>(on router: some RouterMethods<Context>) {
        router.post("/login") { request, context in
            let input = try LoginInput.parse(try await request.jsonBody(limit: self.bodyLimit))
            guard let user = try await self.store.user(email: input.email) else {
                throw Problem.unauthenticated("No user has this email.", field: "email")
            }
            try await context.session.login(userID: String(user.id))
            return Self.json(user.json)
        }
        router.get("/me") { _, context in
            let user = try await self.currentUser(context)
            return Self.json(user.json)
        }
        router.post("/logout") { _, context in
            try await context.session.logout()
            return Response(status: .noContent)
        }
        router.post("/logout-all") { _, context in
            _ = try await self.currentUser(context)
            let ended = try await context.session.logoutEverywhere()
            return Self.json(ByteBuffer(string: #"{"ended":\#(ended)}"#))
        }
    }

    /// The logged-in user; a session whose user was deleted is ended.
    func currentUser(_ context: some SessionRequestContext) async throws -> User {
        guard let userID = context.session.userID.flatMap(Int64.init) else {
            throw Problem.unauthenticated("Log in first: POST /login.")
        }
        guard let user = try await self.store.user(id: userID) else {
            try await context.session.logout()
            throw Problem.unauthenticated("The user of this session no longer exists.")
        }
        return user
    }

    static func json(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
