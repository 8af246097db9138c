import NIOCore
import Testing

@testable import FleetLoad

@Suite struct WebSocketLoadConfigurationTests {
    @Test func aWebSocketURLKeepsItsRoomPlaceholder() throws {
        let target = try Target(webSocketURL: "ws://127.0.0.1:8080/chat/{room}")
        #expect(target.host == "127.0.0.1" && target.port == 8080 && target.path == "/chat/{room}")
        let configuration = WebSocketLoadConfiguration(target: target, connections: 10, rooms: 5)
        #expect(configuration.path(room: 3) == "/chat/room-3")
        #expect(throws: LoadError.self) { try Target(webSocketURL: "wss://127.0.0.1/chat") }
        #expect(throws: LoadError.self) { try Target(webSocketURL: "http://127.0.0.1/chat") }
    }

    @Test(arguments: [
        (WebSocketLoadConfiguration(target: try! Target(webSocketURL: "ws://h/chat/{room}"), connections: 0), "connections"),
        (WebSocketLoadConfiguration(target: try! Target(webSocketURL: "ws://h/chat/{room}"), connections: 4, rooms: 5), "rooms"),
        (WebSocketLoadConfiguration(target: try! Target(webSocketURL: "ws://h/chat/lobby"), connections: 4, rooms: 2), "rooms"),
        (WebSocketLoadConfiguration(target: try! Target(webSocketURL: "ws://h/chat/{room}"), connections: 4, rooms: 2, sendersPerRoom: 3), "senders"),
        (WebSocketLoadConfiguration(target: try! Target(webSocketURL: "ws://h/chat/lobby"), rate: .infinity), "rate"),
        (WebSocketLoadConfiguration(target: try! Target(webSocketURL: "ws://h/chat/lobby"), duration: .zero), "duration"),
    ])
    func aBadFieldIsNamed(_ configuration: WebSocketLoadConfiguration, _ field: String) {
        let error = #expect(throws: LoadError.self) { try configuration.validate() }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix(field + " ") == true, "\(String(describing: error))")
    }

    @Test func theStampIsTheDigitsAfterTheMarker() {
        #expect(WebSocketLoadConnection.stamp(in: ByteBuffer(string: #"{"user":"guest","text":"wsl-123456789","ts":1}"#)) == 123_456_789)
        #expect(WebSocketLoadConnection.stamp(in: ByteBuffer(string: "ws wsl-42")) == 42)
        #expect(WebSocketLoadConnection.stamp(in: ByteBuffer(string: #"{"type":"welcome","id":"a.1"}"#)) == nil)
        #expect(WebSocketLoadConnection.stamp(in: ByteBuffer(string: "wsl-")) == nil)
        #expect(WebSocketLoadConnection.stamp(in: ByteBuffer(string: "wsl-x1")) == nil)
    }
}
