import FleetHTTP
import Foundation

/// A chat message as every member of the room receives it: `{user, text, ts}`,
/// `ts` in milliseconds since 1970.
struct ChatMessage: Sendable, Equatable {
    /// The longest text a message may carry, in bytes.
    static let maxText = 4096

    var user: String
    var text: String
    var ts: Int64

    /// The message a client sent as `{"text": "..."}`, or the error to send back.
    static func parse(_ body: String, user: String, now: Date = Date()) -> Result<ChatMessage, ChatError> {
        struct Input: Decodable { var text: String? }
        guard let input = try? JSONDecoder().decode(Input.self, from: Data(body.utf8)) else {
            return .failure(ChatError(error: "malformed-json", detail: #"Send a JSON object: {"text": "..."}."#, field: nil))
        }
        guard let text = input.text, !text.isEmpty else {
            return .failure(ChatError(error: "invalid-field", detail: "text must be a non-empty string.", field: "text"))
        }
        guard text.utf8.count <= Self.maxText else {
            return .failure(ChatError(error: "invalid-field", detail: "text must be at most \(Self.maxText) bytes.", field: "text"))
        }
        return .success(ChatMessage(user: user, text: text, ts: Int64(now.timeIntervalSince1970 * 1000)))
    }

    var json: String {
        #"{"user":\#(JSONString.quoted(self.user)),"text":\#(JSONString.quoted(self.text)),"ts":\#(self.ts)}"#
    }
}

/// What the server sends back to one client whose message it refused.
struct ChatError: Error, Equatable {
    var error: String
    var detail: String
    var field: String?
    var retryAfterMilliseconds: Int64? = nil

    var json: String {
        var out = #"{"error":\#(JSONString.quoted(self.error)),"detail":\#(JSONString.quoted(self.detail))"#
        if let field { out += #","field":\#(JSONString.quoted(field))"# }
        if let retryAfterMilliseconds { out += #","retryAfterMs":\#(retryAfterMilliseconds)"# }
        return out + "}"
    }
}
