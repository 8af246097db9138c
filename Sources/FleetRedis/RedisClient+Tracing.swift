import NIOCore
import Tracing

extension RedisClient {
    /// Runs `body` in a client span named after the command, when the caller is
    /// inside a traced operation; otherwise runs it alone: a command outside any
    /// request (a cache invalidation, a health check) starts no trace of its own.
    func traced<Value>(_ operation: @autoclosure () -> String, batch: Int? = nil, _ body: () async throws -> Value) async throws -> Value {
        guard ServiceContext.current != nil else { return try await body() }
        return try await withSpan(operation(), ofKind: .client) { span in
            span.attributes["db.system.name"] = "redis"
            span.attributes["db.operation.name"] = operation()
            if let batch { span.attributes["db.operation.batch.size"] = batch }
            return try await body()
        }
    }
}

extension RedisCommand {
    /// The command's name (`GET`, `EVALSHA`), its first bulk string.
    public var name: String {
        // "$<length>\r\n<name>\r\n"
        let view = self.arguments.readableBytesView
        guard let lineEnd = view.firstIndex(of: UInt8(ascii: "\r")),
            let length = Int(String(decoding: view[view.startIndex + 1..<lineEnd], as: UTF8.self))
        else { return "" }
        let start = lineEnd + 2
        guard start + length <= view.endIndex else { return "" }
        return String(decoding: view[start..<start + length], as: UTF8.self).uppercased()
    }
}
