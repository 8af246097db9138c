import FleetHTTP
import NIOCore

/// The body of `POST /login`: the demo's users have no passwords, so an email is enough.
struct LoginInput: Sendable, Equatable {
    /// Lower-cased, as users are stored.
    var email: String

    /// Decodes and validates a JSON body with the same rules and problems as `UserInput`.
    static func parse(_ body: ByteBuffer) throws(Problem) -> LoginInput {
        let raw = try UserInput.decode(RawLoginInput.self, from: body)
        return LoginInput(email: try UserInput.validEmail(raw.email))
    }
}

/// The body as sent, before validation.
private struct RawLoginInput: Decodable {
    var email: String
}
