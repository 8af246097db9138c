import Foundation
import NIOCore
import NIOPosix

/// A bare HTTP/1.1 client on a socket, for what a polite client library hides:
/// a request left half-sent across a SIGTERM, a connection refused.
struct RawHTTPConnection {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// Connects to a loopback port. A connection lives at most `timeout`: a
    /// server that never answers fails the test instead of hanging the run.
    static func connect(port: Int, timeout: TimeAmount = .seconds(30)) async throws -> RawHTTPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
                channel.closeFuture.whenComplete { _ in deadline.cancel() }
                return channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawHTTPConnection(channel: channel)
    }

    /// Sends `text`, then reads until the server closes, and returns the status and body.
    func exchange(sending text: String) async throws -> (status: Int, body: String) {
        try await self.channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            return try await Self.readResponse(inbound)
        }
    }

    /// Sends `first`, waits for `resume`, sends `rest`, then reads the response.
    func exchange(sending first: String, then rest: String, after resume: @Sendable () async throws -> Void) async throws -> (status: Int, body: String) {
        try await self.channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: first))
            try await resume()
            try await outbound.write(ByteBuffer(string: rest))
            return try await Self.readResponse(inbound)
        }
    }

    /// Sends `text` and returns the status, the header fields (names lower-cased) and the body.
    func exchangeWithHeaders(sending text: String) async throws -> (status: Int, headers: [(name: String, value: String)], body: String) {
        try await self.channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            let received = try await Self.readRaw(inbound)
            let (status, body) = Self.parse(received) ?? (0, received)
            let head = received[..<(received.range(of: "\r\n\r\n")?.lowerBound ?? received.endIndex)]
            let headers = head.split(separator: "\r\n").dropFirst().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            return (status, headers, body)
        }
    }

    static func readResponse(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws -> (status: Int, body: String) {
        let received = try await Self.readRaw(inbound)
        return Self.parse(received) ?? (0, received)
    }

    /// Reads until a whole response has arrived or the server closes.
    static func readRaw(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws -> String {
        var received = ""
        for try await chunk in inbound {
            received += String(buffer: chunk)
            if Self.parse(received) != nil { break }
        }
        return received
    }

    /// A whole response with a Content-Length, or nil while more is needed.
    static func parse(_ text: String) -> (Int, String)? {
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<split.lowerBound].lowercased()
        let body = String(text[split.upperBound...])
        guard let statusText = head.split(separator: " ").dropFirst().first, let status = Int(statusText) else { return nil }
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return body.utf8.count >= length ? (status, body) : nil
    }
}
