@testable import FleetHTTP
import Foundation
import Logging
import Testing

@Suite struct FleetLogHandlerTests {
    func event(_ message: String, metadata: Logger.Metadata) -> LogEvent {
        LogEvent(level: .info, message: "\(message)", metadata: metadata, source: "test", file: #fileID, function: #function, line: #line)
    }

    @Test func jsonLinesCarryTheProcessAndMetadata() throws {
        var handler = FleetLogHandler(label: "fleet.test", format: .json, level: .info, instance: 2)
        handler[metadataKey: "hb.request.id"] = "abc"
        let line = handler.jsonLine(
            self.event("quote \" and\nnewline", metadata: ["http.status": .stringConvertible(201), "tags": .array(["a", "b"])]),
            handler.metadata.merging(["http.status": .stringConvertible(201), "tags": .array(["a", "b"])]) { $1 }
        )
        #expect(!line.contains("\n"), "one event, one line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "quote \" and\nnewline")
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "fleet.test")
        #expect(object["pid"] as? Int == Int(ProcessInfo.processInfo.processIdentifier))
        #expect(object["instance"] as? Int == 2)
        #expect(object["hb.request.id"] as? String == "abc")
        #expect(object["http.status"] as? String == "201")
        #expect(object["tags"] as? [String] == ["a", "b"])
        let time = try #require(object["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"), "RFC 3339 with milliseconds: \(time)")
    }

    @Test func textLinesAreReadable() {
        let handler = FleetLogHandler(label: "fleet.test", format: .text, level: .info, instance: nil)
        let line = handler.textLine(self.event("listening", metadata: [:]), ["server.port": "8080"])
        #expect(line.contains(" info [\(ProcessInfo.processInfo.processIdentifier)] listening server.port=8080"))
    }

    @Test(arguments: [("plain", "\"plain\""), ("a\"b", "\"a\\\"b\""), ("back\\slash", "\"back\\\\slash\""), ("\u{1}", "\"\\u0001\""), ("tab\t", "\"tab\\t\""), ("é", "\"é\"")])
    func escapesJSONStrings(raw: String, quoted: String) {
        #expect(JSONString.quoted(raw) == quoted)
    }
}
