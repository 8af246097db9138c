import NIOCore
import Testing

@testable import FleetLoad

@Suite("Scenario files and request templates")
struct ScenarioTests {
    @Test("a YAML scenario gives weighted requests with templates, headers and body")
    func parsesYAML() throws {
        let scenario = try Scenario(
            yaml: """
                url: http://127.0.0.1:8080
                thresholds: ["p95<200ms"]
                requests:
                  - name: read
                    url: /users/{rand:1-10000}
                    weight: 9
                  - method: post
                    url: http://127.0.0.1:8080/users
                    headers: {Content-Type: application/json}
                    body: '{"email": "u{seq}@example.com"}'
                """
        )
        #expect(scenario.url == "http://127.0.0.1:8080")
        #expect(scenario.thresholds.map(\.expression) == ["p95<200ms"])
        let requests = try scenario.requests(for: try Target(url: "http://127.0.0.1:8080/"))
        #expect(requests.map(\.name) == ["read", "POST http://127.0.0.1:8080/users"])
        #expect(requests.map(\.path) == ["/users/{rand:1-10000}", "/users"])
        #expect(requests.map(\.weight) == [9, 1])
        #expect(requests[1].headers.first?.0 == "Content-Type")
    }

    @Test("JSON is accepted too")
    func parsesJSON() throws {
        let scenario = try Scenario(yaml: #"{"requests": [{"url": "/a", "weight": 2}, {"url": "/b"}]}"#)
        #expect(scenario.requests.map(\.path) == ["/a", "/b"])
    }

    @Test("errors name the line and the field", arguments: [
        ("requests:\n  - url: /a\n    weight: -1\n", "line 3", "'weight'"),
        ("requests:\n  - url: /a\n  - method: GET\n", "line 3", "'url'"),
        ("requests:\n  - url: /a\n    methd: GET\n", "line 3", "'methd'"),
        ("requests:\n  - url: /a/{rand:9-1}\n", "line 2", "'url'"),
        ("requests:\n  - url: /a\n    method: FETCH\n", "line 3", "'method'"),
        ("requests: []\n", "line 1", "'requests'"),
        ("rate: 5\nrequests:\n  - url: /a\n", "line 1", "'rate'"),
    ])
    func namesLineAndField(yaml: String, line: String, field: String) {
        #expect {
            try Scenario(yaml: yaml)
        } throws: { error in
            let message = (error as? LoadError)?.message ?? ""
            return message.contains(line) && message.contains(field)
        }
    }

    @Test("a request on another host is refused")
    func otherHost() throws {
        let scenario = try Scenario(yaml: "requests:\n  - url: http://10.0.0.1/x\n")
        #expect(throws: LoadError.self) { try scenario.requests(for: try Target(url: "http://127.0.0.1:8080/")) }
    }

    @Test("templates render sequence numbers and bounded random values, with the body's length")
    func rendersTemplates() throws {
        let spec = RequestSpec(method: "POST", path: "/u/{seq}?r={rand:5-7}", body: "id={seq}")
        let template = try RequestTemplate(spec: spec, target: try Target(url: "http://127.0.0.1:9/"))
        #expect(template.fixed == nil)
        var random = SplitMix64(seed: 1)
        var buffer = ByteBuffer()
        template.render(sequence: 42, random: &random, into: &buffer)
        let text = String(buffer: buffer)
        #expect(text.hasPrefix("POST /u/42?r="))
        #expect(text.contains("Host: 127.0.0.1:9\r\n"))
        #expect(text.hasSuffix("Content-Length: 5\r\n\r\nid=42"))
        let value = Int(text.split(separator: "=")[1].prefix(1)) ?? 0
        #expect((5...7).contains(value))
    }
}
