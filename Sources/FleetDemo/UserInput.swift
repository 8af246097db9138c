import FleetHTTP
import Foundation
import HTTPTypes
import NIOCore
import NIOFoundationCompat

/// The writable fields of a user: the body of `POST /users` and `PUT /users/:id`.
public struct UserInput: Sendable, Equatable {
    static let maxNameLength = 100
    static let maxEmailLength = 254

    public var name: String
    /// Lower-cased by `parse`.
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// Decodes and validates a JSON body; every failure is a `Problem` naming the field.
    static func parse(_ body: ByteBuffer) throws(Problem) -> UserInput {
        let raw = try Self.decode(RawUserInput.self, from: body)
        return UserInput(name: try validName(raw.name), email: try validEmail(raw.email))
    }

    /// Decodes a JSON body as sent; a failure is a `Problem` naming the field at fault.
    static func decode<Raw: Decodable>(_ type: Raw.Type, from body: ByteBuffer) throws(Problem) -> Raw {
        do {
            return try JSONDecoder().decode(Raw.self, from: body)
        } catch let error as DecodingError {
            throw Self.problem(for: error)
        } catch {
            throw Problem.malformedJSON("The body is not valid JSON.")
        }
    }

    static func validName(_ name: String) throws(Problem) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw Problem.invalidField("name", "name must not be empty.")
        }
        guard trimmed.count <= maxNameLength else {
            throw Problem.invalidField("name", "name must be at most \(maxNameLength) characters.")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Problem.invalidField("name", "name must not contain control characters.")
        }
        return trimmed
    }

    /// A pragmatic address check (one `@`, a dotted domain, no spaces); the
    /// only full check of an address is a mail that arrives.
    static func validEmail(_ email: String) throws(Problem) -> String {
        let trimmed = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !trimmed.isEmpty else {
            throw Problem.invalidField("email", "email must not be empty.")
        }
        guard trimmed.utf8.count <= maxEmailLength else {
            throw Problem.invalidField("email", "email must be at most \(maxEmailLength) bytes.")
        }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
            (1...64).contains(local.utf8.count),
            domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains(".."),
            !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else {
            throw Problem.invalidField("email", "email must be an address such as ada@example.com.")
        }
        return trimmed
    }

    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, _):
            return .invalidField(key.stringValue, "\(key.stringValue) is required.")
        case .valueNotFound(_, let context):
            let field = Self.field(context)
            return .invalidField(field, "\(field) must not be null.")
        case .typeMismatch(_, let context) where !context.codingPath.isEmpty:
            let field = Self.field(context)
            return .invalidField(field, "\(field) must be a string.")
        case .typeMismatch:
            return Problem("malformed-json", title: "Malformed JSON", status: .badRequest, detail: "The body must be a JSON object.", field: "body")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            let field = Self.field(context)
            return .invalidField(field, "\(field) is not valid.")
        default:
            return .malformedJSON("The body is not valid JSON.")
        }
    }

    static func field(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".")
    }
}

/// The body as sent, before validation.
private struct RawUserInput: Decodable {
    var name: String
    var email: String
}
