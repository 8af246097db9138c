import NIOCore
import Testing

@testable import FleetRedis

@Suite struct RedisCommandTests {
    func encoded(_ command: RedisCommand) -> String {
        var buffer = ByteBuffer()
        command.write(to: &buffer)
        return String(buffer: buffer)
    }

    @Test func encodesArgumentsAsBulkStrings() {
        #expect(encoded(RedisCommand("GET", "key")) == "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
        #expect(encoded(RedisCommand("DEL", ["a", "bb"])) == "*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$2\r\nbb\r\n")
        #expect(encoded(RedisCommand("INCRBY", "n", -12)) == "*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$3\r\n-12\r\n")
        #expect(encoded(RedisCommand("ZRANGEBYSCORE", "z", -Double.infinity, Double.infinity))
            == "*4\r\n$13\r\nZRANGEBYSCORE\r\n$1\r\nz\r\n$4\r\n-inf\r\n$4\r\n+inf\r\n")
        #expect(encoded(RedisCommand("SET", "k", ByteBuffer(bytes: [0, 13, 10]))) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\0\r\n\r\n")
    }

    @Test func encodesSetOptions() {
        let command = RedisCommand.set("k", "v", expiration: .milliseconds(1500), condition: .ifNotExists, returnOld: true)
        #expect(encoded(command) == "*7\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nNX\r\n$3\r\nGET\r\n$2\r\nPX\r\n$4\r\n1500\r\n")
    }

    @Test func writesDecimals() {
        for value in [0, 7, 10, 99, 100, 123_456_789, Int.max] {
            var buffer = ByteBuffer()
            buffer.writeDecimal(value)
            #expect(String(buffer: buffer) == String(value))
        }
    }

    @Test func sha1MatchesKnownDigests() {
        #expect(SHA1.hexDigest("".utf8) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(SHA1.hexDigest("abc".utf8) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(SHA1.hexDigest("The quick brown fox jumps over the lazy dog".utf8) == "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12")
        #expect(SHA1.hexDigest(Array(repeating: UInt8(ascii: "a"), count: 1_000_000)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }

    @Test func splitsServerErrors() {
        let error = RedisError(serverReply: "WRONGTYPE Operation against a key holding the wrong kind of value")
        #expect(error.code == .wrongType)
        #expect(error.code.isServerError)
        #expect(error.message == "Operation against a key holding the wrong kind of value")
        #expect(RedisError(serverReply: "NOSCRIPT No matching script").code == .noScript)
        #expect(!RedisError.Code.timeout.isServerError)
    }
}
