import FleetHTTP
import FleetState
import Logging
import Testing

@Suite struct WebSocketConfigurationTests {
    func configuration(_ environment: [String: String]) throws(ConfigurationError) -> WebSocketConfiguration {
        try FleetConfiguration(environment: environment).webSocket
    }

    @Test func everyVariableIsRead() throws {
        let defaults = try self.configuration([:])
        #expect(defaults.backend == .automatic)
        #expect(defaults.messageLimit == RateLimitPolicy(name: "chat", limit: 20, window: .seconds(1), algorithm: .gcra))
        let configuration = try self.configuration([
            "BROADCAST": "process", "BROADCAST_CHANNEL": "app:rooms", "WS_SEND_QUEUE": "16", "WS_HEARTBEAT": "500ms", "CHAT_RATE_LIMIT": "off",
        ])
        #expect(configuration.backend == .process)
        #expect(configuration.channel == "app:rooms")
        #expect(configuration.broadcaster.sendQueueLimit == 16)
        #expect(configuration.broadcaster.heartbeatInterval == .milliseconds(500))
        #expect(configuration.broadcaster.presenceTimeout == .milliseconds(1500))
        #expect(configuration.messageLimit == nil)
    }

    @Test(arguments: [
        ("BROADCAST", "kafka"), ("WS_SEND_QUEUE", "0"), ("WS_HEARTBEAT", "10ms"), ("CHAT_RATE_LIMIT", "many"),
    ])
    func badValuesNameTheVariable(variable: String, value: String) {
        #expect {
            try self.configuration([variable: value])
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    @Test func aBackendThatIsNotThereIsAConfigurationError() throws {
        var configuration = WebSocketConfiguration()
        configuration.backend = .redis
        #expect(throws: ConfigurationError.self) { try Broadcaster(configuration: configuration, redis: nil, logger: Logger(label: "test")) }
        configuration.backend = .workers
        #expect(throws: ConfigurationError.self) { try Broadcaster(configuration: configuration, redis: nil, logger: Logger(label: "test")) }
        configuration.backend = .automatic
        #expect(try Broadcaster(configuration: configuration, redis: nil, logger: Logger(label: "test")).backendName == "process")
    }
}
