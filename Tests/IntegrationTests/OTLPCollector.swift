import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// An OpenTelemetry collector in the test process: takes OTLP/HTTP JSON on
/// `POST /v1/traces` on a free loopback port and keeps every span it receives.
final class OTLPCollector: Sendable {
    /// One received span, ids as lowercase hex.
    struct Span: Sendable {
        let name: String
        let traceID: String
        let spanID: String
        let parentSpanID: String
        let kind: Int
        let attributes: [String: String]
    }

    private let received = NIOLockedValueBox<[Span]>([])
    private let port = NIOLockedValueBox<Int?>(nil)

    var spans: [Span] { self.received.withLockedValue { $0 } }

    /// Serves until `body` returns, handing it the collector's base URL.
    func run<Result: Sendable>(_ body: @Sendable (String) async throws -> Result) async throws -> Result {
        let router = Router()
        router.post("/v1/traces") { request, _ in
            let data = try await request.body.collect(upTo: 16 << 20)
            let spans = try Self.spans(fromJSON: Data(data.readableBytesView))
            self.received.withLockedValue { $0 += spans }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        let (started, markStarted) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { markStarted.yield($0.localAddress?.port ?? 0) }
        )
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = started.makeAsyncIterator()
            guard let port = await iterator.next() else { throw FleetProcessError(message: "the collector did not start") }
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            return result
        }
    }

    /// The spans of an `ExportTraceServiceRequest` in OTLP's JSON mapping, whose
    /// ids are hex in the specification and base64 in plain protobuf JSON: both are read.
    static func spans(fromJSON data: Data) throws -> [Span] {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        var result: [Span] = []
        for resource in root["resourceSpans"] as? [[String: Any]] ?? [] {
            for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    var attributes: [String: String] = [:]
                    for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                        guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any], let first = value.values.first else { continue }
                        attributes[key] = "\(first)"
                    }
                    let kind: Int
                    switch span["kind"] {
                    case let number as Int: kind = number
                    case let name as String: kind = ["SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3][name] ?? 0
                    default: kind = 0
                    }
                    result.append(Span(
                        name: span["name"] as? String ?? "",
                        traceID: hex(span["traceId"]),
                        spanID: hex(span["spanId"]),
                        parentSpanID: hex(span["parentSpanId"]),
                        kind: kind,
                        attributes: attributes
                    ))
                }
            }
        }
        return result
    }

    static func hex(_ value: Any?) -> String {
        guard let text = value as? String, !text.isEmpty else { return "" }
        if text.count % 2 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
