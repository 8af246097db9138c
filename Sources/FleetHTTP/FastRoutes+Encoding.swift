import FleetRedis
import NIOCore
import NIOHTTP1

extension FastRoutes.Response {
    /// Bodies up to this size are copied behind the head, so the whole
    /// response leaves in one buffer and one `write`; larger ones follow it.
    static let inlineBodyLimit = 4096

    /// The response as HTTP/1.x bytes: status line, headers and, when small
    /// enough, the body. What `HTTPResponseEncoder` would write for the same
    /// head, without building `HTTPHeaders` first.
    /// - Parameters:
    ///   - version: the request's version; an HTTP/1.0 client asked for keep-alive and is told so.
    ///   - requestID: the `X-Request-Id` value, already checked to be plain printable text.
    ///   - date: the `Date` value.
    /// - Returns: the bytes, and the body when it did not fit inline.
    func encoded(version: HTTPVersion, requestID: String, date: String, allocator: ByteBufferAllocator) -> (head: ByteBuffer, body: ByteBuffer?) {
        let inline = self.body.readableBytes <= Self.inlineBodyLimit
        var buffer = allocator.buffer(capacity: 160 + self.contentType.utf8.count + (inline ? self.body.readableBytes : 0) + self.headers.count * 48 + (self.rateLimit == nil ? 0 : 160))
        buffer.writeStaticString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        buffer.writeDecimal(Int(self.status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(self.status.reasonPhrase)
        buffer.writeStaticString("\r\nContent-Type: ")
        buffer.writeString(self.contentType)
        buffer.writeStaticString("\r\nContent-Length: ")
        buffer.writeDecimal(self.body.readableBytes)
        if version.minor == 0 { buffer.writeStaticString("\r\nConnection: keep-alive") }
        buffer.writeStaticString("\r\nDate: ")
        buffer.writeString(date)
        buffer.writeStaticString("\r\nX-Request-Id: ")
        buffer.writeString(requestID)
        for (name, value) in self.headers {
            buffer.writeStaticString("\r\n")
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
        }
        self.rateLimit?.write(into: &buffer)
        buffer.writeStaticString("\r\n\r\n")
        guard inline else { return (buffer, self.body) }
        var body = self.body
        buffer.writeBuffer(&body)
        return (buffer, nil)
    }
}
