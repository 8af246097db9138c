import Logging
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import FleetRedis

/// A connection over an in-memory channel, and the commands it writes.
struct TestConnection {
    let channel: NIOAsyncTestingChannel
    let connection: RedisConnection
    var parser = RESPParser()
    var written = ByteBuffer()

    init(commandTimeout: Duration? = .seconds(10)) async throws {
        let channel = NIOAsyncTestingChannel()
        let queue = RedisSubmissionQueue()
        let logger = Logger(label: "test")
        let handler = try await channel.eventLoop.submit {
            let handler = RedisChannelHandler(queue: queue, parser: .init(), logger: logger)
            try channel.pipeline.syncOperations.addHandler(handler)
            return NIOLoopBound(handler, eventLoop: channel.eventLoop)
        }.get()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379))
        self.channel = channel
        connection = RedisConnection(channel: channel, queue: queue, handler: handler, commandTimeout: commandTimeout, logger: logger)
    }

    /// The next command the connection wrote, as its arguments.
    mutating func nextCommand() async throws -> [String] {
        while true {
            if let value = try parser.next(&written) {
                return value.array?.compactMap(\.string) ?? []
            }
            var more = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            written.writeBuffer(&more)
        }
    }

    func reply(_ bytes: String) async throws {
        try await channel.writeInbound(ByteBuffer(string: bytes))
    }
}

/// Expects `body` to throw a `RedisError` with `code`.
func expectRedisError<Value>(
    _ code: RedisError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Value
) async {
    do {
        _ = try await body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let error as RedisError {
        #expect(error.code == code, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct RedisConnectionTests {
    @Test func matchesPipelinedRepliesInOrder() async throws {
        var test = try await TestConnection()
        let connection = test.connection
        try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<100 {
                group.addTask { (index, try await connection.send("ECHO", "value-\(index)").string) }
            }
            var replies = ""
            for _ in 0..<100 {
                let command = try await test.nextCommand()
                #expect(command.first == "ECHO")
                replies += "$\(command[1].utf8.count)\r\n\(command[1])\r\n"
            }
            // Deliver all replies byte by byte: matching must not depend on read boundaries.
            for byte in replies.utf8 { try await test.channel.writeInbound(ByteBuffer(bytes: [byte])) }
            for try await (index, reply) in group {
                #expect(reply == "value-\(index)")
            }
        }
    }

    @Test func pushFramesInterleavedWithRepliesGoToThePushHandler() async throws {
        var test = try await TestConnection()
        let connection = test.connection
        let pushes = Mutex<[RESPValue]>([])
        try await test.connection.setPushHandler { value in pushes.withLock { $0.append(value) } }
        async let first = connection.send("GET", "a")
        async let second = connection.send("GET", "b")
        _ = try await test.nextCommand()
        _ = try await test.nextCommand()
        try await test.reply(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nA\r\n>2\r\n$10\r\ninvalidate\r\n*0\r\n|1\r\n+ttl\r\n:3\r\n$1\r\nB\r\n")
        let replies = try await [first, second].map(\.string)
        #expect(Set(replies.compactMap { $0 }) == ["A", "B"])
        #expect(pushes.withLock { $0.count } == 2)
    }

    @Test func serverErrorsThrowWithTheirCode() async throws {
        var test = try await TestConnection()
        let connection = test.connection
        let reply = Task { try await connection.send("INCR", "text") }
        _ = try await test.nextCommand()
        try await test.reply("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        await expectRedisError(.wrongType) { try await reply.value }
    }

    @Test func pipelineReturnsEveryReplyIncludingErrors() async throws {
        var test = try await TestConnection()
        let connection = test.connection
        async let replies = connection.pipeline([RedisCommand("SET", "a", "1"), RedisCommand("INCR", "h"), RedisCommand("GET", "a")])
        for _ in 0..<3 { _ = try await test.nextCommand() }
        try await test.reply("+OK\r\n-WRONGTYPE no\r\n$1\r\n1\r\n")
        let results = try await replies
        #expect(results.count == 3)
        #expect(try results[0].get() == simple("OK"))
        #expect(throws: RedisError.self) { try results[1].get() }
        #expect(try results[2].get() == bulk("1"))
    }

    @Test func commandTimeoutFailsTheCommandAndDropsTheConnection() async throws {
        var test = try await TestConnection(commandTimeout: .milliseconds(50))
        let connection = test.connection
        let slow = Task { try await connection.send("BLPOP", "list", 0) }
        _ = try await test.nextCommand()
        await test.channel.testingEventLoop.advanceTime(to: .now() + .seconds(1))
        await expectRedisError(.timeout) { try await slow.value }
        try await test.connection.closeFuture.get()
        await #expect(throws: RedisError.self) { try await test.connection.send("PING") }
    }

    @Test func aCommandWithATimeoutBehindOneWithoutTimesOut() async throws {
        var test = try await TestConnection(commandTimeout: nil)
        let connection = test.connection
        let blocking = Task { try await connection.execute(RedisCommand("BLPOP", "list", 0), timeout: nil) }
        let bounded = Task { try await connection.execute(RedisCommand("GET", "a"), timeout: .milliseconds(50)) }
        _ = try await test.nextCommand()
        _ = try await test.nextCommand()
        await test.channel.testingEventLoop.advanceTime(to: .now() + .seconds(1))
        await expectRedisError(.timeout) { try await bounded.value }
        await expectRedisError(.connectionClosed) { try await blocking.value }
    }

    @Test func closingFailsCommandsInFlight() async throws {
        var test = try await TestConnection()
        let connection = test.connection
        let reply = Task { try await connection.send("GET", "a") }
        _ = try await test.nextCommand()
        try await test.channel.close()
        await expectRedisError(.connectionClosed) { try await reply.value }
    }

    @Test func malformedReplyClosesTheConnectionWithAProtocolError() async throws {
        var test = try await TestConnection()
        let connection = test.connection
        let reply = Task { try await connection.send("GET", "a") }
        _ = try await test.nextCommand()
        try await test.reply("?garbage\r\n")
        await expectRedisError(.protocolError) { try await reply.value }
    }

    @Test func handshakeUsesHelloWithAuthAndName() async throws {
        var test = try await TestConnection()
        let connection = test.connection
        var configuration = RedisConnectionConfiguration()
        configuration.username = "app"
        configuration.password = "pw"
        configuration.clientName = "worker-1"
        configuration.database = 2
        async let done: Void = connection.handshake(configuration)
        #expect(try await test.nextCommand() == ["HELLO", "3", "AUTH", "app", "pw", "SETNAME", "worker-1"])
        try await test.reply("%1\r\n+proto\r\n:3\r\n")
        #expect(try await test.nextCommand() == ["SELECT", "2"])
        try await test.reply("+OK\r\n")
        try await done
        #expect(connection.protocolVersion == .resp3)
    }

    @Test func handshakeFallsBackToRESP2WhenHelloIsUnknown() async throws {
        var test = try await TestConnection()
        let connection = test.connection
        var configuration = RedisConnectionConfiguration()
        configuration.password = "pw"
        configuration.clientName = "worker-1"
        async let done: Void = connection.handshake(configuration)
        #expect(try await test.nextCommand().first == "HELLO")
        try await test.reply("-ERR unknown command 'HELLO', with args beginning with: '3' \r\n")
        #expect(try await test.nextCommand() == ["AUTH", "pw"])
        try await test.reply("+OK\r\n")
        #expect(try await test.nextCommand() == ["CLIENT", "SETNAME", "worker-1"])
        try await test.reply("+OK\r\n")
        try await done
        #expect(connection.protocolVersion == .resp2)
    }

    @Test func passwordProtectedOldServerAnswersNoAuthToHello() async throws {
        var test = try await TestConnection()
        var configuration = RedisConnectionConfiguration()
        configuration.password = "pw"
        configuration.clientName = nil
        let connection = test.connection
        async let done: Void = connection.handshake(configuration)
        #expect(try await test.nextCommand().first == "HELLO")
        try await test.reply("-NOAUTH Authentication required.\r\n")
        #expect(try await test.nextCommand() == ["AUTH", "pw"])
        try await test.reply("+OK\r\n")
        try await done
        #expect(connection.protocolVersion == .resp2)
    }

    @Test func resp2SubscribeModeRoutesPubSubArraysToThePushHandler() async throws {
        var test = try await TestConnection()
        test.connection.setNegotiated(.resp2)
        let pushes = Mutex<[RESPValue]>([])
        try await test.connection.setPushHandler { value in pushes.withLock { $0.append(value) } }
        test.connection.sendWithoutReply([RedisCommand("SUBSCRIBE", "c")])
        #expect(try await test.nextCommand() == ["SUBSCRIBE", "c"])
        try await test.reply("*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n")
        try await Task.sleep(for: .milliseconds(20))
        #expect(pushes.withLock { $0.count } == 2)
    }
}
