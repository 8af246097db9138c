import NIOCore
import Testing

@testable import FleetRedis

/// Parses every complete value in `bytes` fed as one buffer.
func parseAll(_ bytes: String, configuration: RESPParserConfiguration = .init()) throws -> [RESPValue] {
    try parseChunks([Array(bytes.utf8)], configuration: configuration)
}

/// Parses values from `chunks` fed one after another, carrying leftovers as the handler does.
func parseChunks(_ chunks: [[UInt8]], configuration: RESPParserConfiguration = .init()) throws -> [RESPValue] {
    var parser = RESPParser(configuration: configuration)
    var buffer = ByteBuffer()
    var values: [RESPValue] = []
    for chunk in chunks {
        buffer.writeBytes(chunk)
        while let value = try parser.next(&buffer) { values.append(value) }
    }
    #expect(buffer.readableBytes == 0)
    return values
}

func bulk(_ text: String) -> RESPValue { .bulkString(ByteBuffer(string: text)) }
func simple(_ text: String) -> RESPValue { .simpleString(ByteBuffer(string: text)) }

/// One reply of every RESP3 type, with the value it must parse to.
let everyType: [(String, RESPValue)] = [
    ("+OK\r\n", simple("OK")),
    ("-ERR bad thing\r\n", .error(ByteBuffer(string: "ERR bad thing"))),
    (":-42\r\n", .integer(-42)),
    (":9223372036854775807\r\n", .integer(.max)),
    ("$5\r\nhello\r\n", bulk("hello")),
    ("$0\r\n\r\n", bulk("")),
    ("$-1\r\n", .null),
    ("*-1\r\n", .null),
    ("_\r\n", .null),
    (",3.25\r\n", .double(3.25)),
    (",-inf\r\n", .double(-.infinity)),
    (",1e3\r\n", .double(1000)),
    ("#t\r\n", .boolean(true)),
    ("#f\r\n", .boolean(false)),
    ("(3492890328409238509324850943850943825024385\r\n", .bigNumber(ByteBuffer(string: "3492890328409238509324850943850943825024385"))),
    ("!21\r\nSYNTAX invalid syntax\r\n", .error(ByteBuffer(string: "SYNTAX invalid syntax"))),
    ("=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", ByteBuffer(string: "Some string"))),
    ("*2\r\n$1\r\na\r\n:1\r\n", .array([bulk("a"), .integer(1)])),
    ("*0\r\n", .array([])),
    ("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", .map([(simple("first"), .integer(1)), (simple("second"), .integer(2))])),
    ("~3\r\n+a\r\n+b\r\n+c\r\n", .set([simple("a"), simple("b"), simple("c")])),
    (">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", .push([bulk("message"), bulk("ch"), bulk("hi")])),
    ("|1\r\n+key-popularity\r\n*2\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2039\r\n",
     .attribute([(simple("key-popularity"), .array([bulk("a"), .double(0.19)]))], .array([.integer(2039)]))),
    ("*?\r\n:1\r\n:2\r\n.\r\n", .array([.integer(1), .integer(2)])),
    ("%?\r\n+a\r\n:1\r\n.\r\n", .map([(simple("a"), .integer(1))])),
    ("~?\r\n.\r\n", .set([])),
    ("$?\r\n;4\r\nHell\r\n;6\r\no worl\r\n;1\r\nd\r\n;0\r\n", bulk("Hello world")),
    ("*2\r\n*1\r\n%1\r\n+k\r\n~1\r\n#t\r\n_\r\n", .array([.array([.map([(simple("k"), .set([.boolean(true)]))])]), .null])),
]

@Suite struct RESPParserTests {
    @Test func parsesEveryType() throws {
        for (bytes, expected) in everyType {
            #expect(try parseAll(bytes) == [expected], "\(bytes.debugDescription)")
        }
    }

    @Test func parsesNaN() throws {
        guard case .double(let value) = try parseAll(",nan\r\n").first else {
            Issue.record("not a double")
            return
        }
        #expect(value.isNaN)
    }

    @Test func splitAtEveryByteBoundaryParsesTheSame() throws {
        let stream = everyType.map(\.0).joined()
        let bytes = Array(stream.utf8)
        let expected = everyType.map(\.1)
        for split in 0...bytes.count {
            let values = try parseChunks([Array(bytes[..<split]), Array(bytes[split...])])
            #expect(values == expected, "split at \(split)")
        }
        #expect(try parseChunks(bytes.map { [$0] }) == expected)
    }

    @Test(arguments: [
        "?\r\n", "+OK\rX", ":12a\r\n", ":\r\n", ":99999999999999999999\r\n", "$3\r\nabcd\r\n", "$-5\r\n",
        "#x\r\n", "_x\r\n", ",abc\r\n", "(12x\r\n", "=3\r\ntxt\r\n", "*-2\r\n", ".\r\n", ";3\r\nabc\r\n",
        "$?\r\n+OK\r\n", ">?\r\n", "|?\r\n", "%?\r\n+a\r\n.\r\n", "*1\r\n.\r\n",
    ])
    func rejectsMalformedInput(_ input: String) {
        #expect(throws: RedisError.self) { try parseAll(input) }
        do {
            _ = try parseAll(input)
        } catch let error as RedisError {
            #expect(error.code == .protocolError)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func enforcesLimits() throws {
        var limits = RESPParserConfiguration()
        limits.maximumBulkLength = 8
        limits.maximumAggregateCount = 4
        limits.maximumDepth = 3
        limits.maximumLineLength = 16
        #expect(throws: RedisError.self) { try parseAll("$9\r\n", configuration: limits) }
        #expect(throws: RedisError.self) { try parseAll("*5\r\n", configuration: limits) }
        #expect(throws: RedisError.self) { try parseAll("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", configuration: limits) }
        #expect(throws: RedisError.self) { try parseAll("+" + String(repeating: "a", count: 17), configuration: limits) }
        #expect(throws: RedisError.self) { try parseAll("$?\r\n;5\r\nabcde\r\n;5\r\nabcde\r\n", configuration: limits) }
        #expect(throws: RedisError.self) { try parseAll("$512000000000\r\n") }
        #expect(try parseAll("*1\r\n*1\r\n:1\r\n", configuration: limits) == [.array([.array([.integer(1)])])])
    }

    @Test func hugeDeclaredCountDoesNotAllocateUpFront() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: "*2147483647\r\n:1\r\n")
        #expect(try parser.next(&buffer) == nil)
    }

    @Test func bulkStringsAreSlicesOfTheInput() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: "$5\r\nhello\r\n")
        let value = try parser.next(&buffer)
        #expect(value?.buffer.map { String(buffer: $0) } == "hello")
    }
}
