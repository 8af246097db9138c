import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization
import Testing

/// A WebSocket client of the demo's `/chat/:room`, on swift-websocket's client.
/// It reads what the server sends into `messages`, or, made with `reading:
/// false`, reads nothing until `startReading()`, like a client that stalled.
final class ChatClient: Sendable {
    /// The connection id the server's welcome named.
    let id: String
    let outbound: WebSocketOutboundWriter
    private let task: Task<WebSocketCloseFrame?, any Error>
    private let inbox: Mutex<[String]> = Mutex([])
    private let resume: AsyncStream<Void>.Continuation

    private init(id: String, outbound: WebSocketOutboundWriter, task: Task<WebSocketCloseFrame?, any Error>, resume: AsyncStream<Void>.Continuation, first: [String]) {
        self.id = id
        self.outbound = outbound
        self.task = task
        self.resume = resume
        self.inbox.withLock { $0 = first }
    }

    /// Connects and waits for the welcome (unless not reading).
    static func connect(port: Int, room: String, reading: Bool = true) async throws -> ChatClient {
        let (opened, openedContinuation) = AsyncStream<WebSocketOutboundWriter>.makeStream()
        let (resume, resumeContinuation) = AsyncStream<Void>.makeStream()
        let (received, receivedContinuation) = AsyncStream<String>.makeStream()
        let task = Task {
            defer {
                openedContinuation.finish()
                receivedContinuation.finish()
            }
            return try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/chat/\(room)",
                configuration: .init(maxFrameSize: 1 << 16),
                logger: Logger(label: "chat-client")
            ) { inbound, outbound, _ in
                openedContinuation.yield(outbound)
                if !reading {
                    for await _ in resume { break }
                }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { receivedContinuation.yield(text) }
                }
            }
        }
        var openedIterator = opened.makeAsyncIterator()
        guard let outbound = await openedIterator.next() else {
            _ = try await task.value
            throw FleetProcessError(message: "the WebSocket closed before it opened")
        }
        let client = ChatClient(id: "", outbound: outbound, task: task, resume: resumeContinuation, first: [])
        guard reading else { return client }
        var iterator = received.makeAsyncIterator()
        guard let welcome = await iterator.next(), let id = Self.field("id", of: welcome), welcome.contains(#""type":"welcome""#) else {
            throw FleetProcessError(message: "no welcome from /chat/\(room)")
        }
        let named = ChatClient(id: id, outbound: outbound, task: task, resume: resumeContinuation, first: [])
        Task { [named] in
            while let text = await iterator.next() { named.inbox.withLock { $0.append(text) } }
        }
        return named
    }

    /// The messages received after the welcome, so far.
    var messages: [String] { self.inbox.withLock { $0 } }

    /// The chat texts received so far, in order.
    var texts: [String] { self.messages.compactMap { Self.field("text", of: $0) } }

    func say(_ text: String) async throws {
        try await self.outbound.write(.text(#"{"text":"\#(text)"}"#))
    }

    func startReading() {
        self.resume.yield()
    }

    /// Closes from this side, normally.
    func close() async throws {
        try await self.outbound.close(.normalClosure, reason: nil)
    }

    /// Waits for the connection to end; the server's close frame, if it sent one.
    func closed(timeout: Duration = .seconds(30)) async throws -> WebSocketCloseFrame? {
        let task = self.task
        let timer = Task {
            try await Task.sleep(for: timeout)
            task.cancel()
        }
        defer { timer.cancel() }
        return try await task.value
    }

    /// Waits up to `seconds` until `condition` holds on the messages.
    func waitFor(seconds: Double = 10, _ condition: ([String]) -> Bool) async -> Bool {
        await eventually(seconds: seconds) { condition(self.messages) }
    }

    static func field(_ name: String, of json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return object[name].map { "\($0)" }
    }
}
