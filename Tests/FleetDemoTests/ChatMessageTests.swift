import Foundation
import Testing

@testable import FleetDemo

@Suite struct ChatMessageTests {
    @Test func aTextBecomesUserTextAndTimestamp() throws {
        let result = ChatMessage.parse(#"{"text":"hi \"there\""}"#, user: "user-7", now: Date(timeIntervalSince1970: 1.5))
        let message = try result.get()
        #expect(message == ChatMessage(user: "user-7", text: #"hi "there""#, ts: 1500))
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(message.json.utf8)) as? [String: Any])
        #expect(decoded["user"] as? String == "user-7")
        #expect(decoded["text"] as? String == #"hi "there""#)
        #expect(decoded["ts"] as? Int == 1500)
    }

    @Test(arguments: [
        (#"{"text":"#, "malformed-json", nil),
        (#"{"text":""}"#, "invalid-field", "text"),
        (#"{"text":42}"#, "malformed-json", nil),
        (#"{}"#, "invalid-field", "text"),
        (#"{"text":"\#(String(repeating: "a", count: ChatMessage.maxText + 1))"}"#, "invalid-field", "text"),
    ] as [(String, String, String?)])
    func badMessagesAreRefusedNamingTheField(body: String, error: String, field: String?) {
        guard case .failure(let refusal) = ChatMessage.parse(body, user: "u") else {
            Issue.record("accepted \(body.prefix(40))")
            return
        }
        #expect(refusal.error == error)
        #expect(refusal.field == field)
    }

    @Test func roomNames() {
        #expect(ChatRoutes.isValidRoom("lobby-1_a.b"))
        #expect(!ChatRoutes.isValidRoom(""))
        #expect(!ChatRoutes.isValidRoom("a b"))
        #expect(!ChatRoutes.isValidRoom("é"))
        #expect(!ChatRoutes.isValidRoom(String(repeating: "a", count: 65)))
    }
}
