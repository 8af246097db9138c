import NIOCore
import Testing

@testable import FleetLoad

@Suite("HTTP/1.1 response parser")
struct ResponseParserTests {
    private func parseAll(_ chunks: [String], collectBody: Bool = true) throws -> [ResponseParser.Response] {
        var parser = ResponseParser()
        parser.collectBody = collectBody
        var buffer = ByteBuffer()
        var responses: [ResponseParser.Response] = []
        for chunk in chunks {
            buffer.writeString(chunk)
            while let response = try parser.parse(&buffer) { responses.append(response) }
        }
        return responses
    }

    @Test("content-length responses, split anywhere, pipelined back to back")
    func contentLength() throws {
        let wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
        for split in 1..<wire.utf8.count {
            let bytes = Array(wire.utf8)
            let chunks = [String(decoding: bytes[..<split], as: UTF8.self), String(decoding: bytes[split...], as: UTF8.self)]
            let responses = try parseAll(chunks)
            #expect(responses.map(\.status) == [200, 404])
            #expect(responses.first?.body.map { String(buffer: $0) } == "hello")
        }
    }

    @Test("chunked bodies with extensions and trailers")
    func chunked() throws {
        let responses = try parseAll(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n", " world\r\n0\r\nX-Trailer: 1\r\n\r\n"])
        #expect(responses.count == 1)
        #expect(responses.first?.body.map { String(buffer: $0) } == "hello world")
    }

    @Test("connection close, 204, 1xx and a body framed by the connection's end")
    func framing() throws {
        var responses = try parseAll(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"])
        #expect(responses.map(\.status) == [204])
        #expect(responses.first?.close == true)
        var parser = ResponseParser()
        var buffer = ByteBuffer(string: "HTTP/1.0 200 OK\r\n\r\nabc")
        #expect(try parser.parse(&buffer) == nil)
        responses = [parser.parseEOF()].compactMap { $0 }
        #expect(responses.map(\.status) == [200])
    }

    @Test("garbage is a protocol error")
    func garbage() {
        var parser = ResponseParser()
        var buffer = ByteBuffer(string: "SSH-2.0-OpenSSH\r\n\r\n")
        #expect(throws: ResponseParser.ParseError.self) { try parser.parse(&buffer) }
    }
}
