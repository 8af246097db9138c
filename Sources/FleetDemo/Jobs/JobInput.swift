import FleetHTTP
import FleetState
import Foundation
import HTTPTypes
import NIOCore
import NIOFoundationCompat

/// The body of `POST /jobs`: `{"name", "payload", "priority", "delay_ms", "idempotency_key"}`.
/// Every failure is a `Problem` naming the field.
struct JobInput {
    static let maxDelayMilliseconds = 86_400_000
    static let maxKeyLength = 200
    static let rules: [String: String] = [
        "name": "name must be a string naming a job",
        "priority": "priority must be high, normal or low",
        "delay_ms": "delay_ms must be an integer from 0 to \(maxDelayMilliseconds)",
        "idempotency_key": "idempotency_key must be a string of 1 to \(maxKeyLength) bytes without control characters",
    ]

    var request: JobRequest

    /// Decodes and validates `body`; `names` are the jobs the workers handle.
    static func parse(_ body: ByteBuffer, names: Set<String>) throws(Problem) -> JobInput {
        let raw = try Self.decode(body)
        guard names.contains(raw.name) else {
            throw Problem.invalidField("name", "name must be one of \(names.sorted().joined(separator: ", ")), not \"\(raw.name)\".")
        }
        var request = JobRequest(name: raw.name, payload: Array(#"{}"#.utf8))
        // The payload is any JSON value, kept as the bytes the handler will decode.
        if let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any], let payload = object["payload"],
            let data = try? JSONSerialization.data(withJSONObject: payload, options: [.fragmentsAllowed])
        {
            request.payload = Array(data)
        }
        let priorities: [String: JobPriority] = ["high": .high, "normal": .normal, "low": .low]
        if let name = raw.priority {
            guard let priority = priorities[name] else { throw Self.invalid("priority") }
            request.priority = priority
        }
        if let number = raw.delayMilliseconds {
            guard let delay = Int(exactly: number), (0...Self.maxDelayMilliseconds).contains(delay) else { throw Self.invalid("delay_ms") }
            request.delay = .milliseconds(delay)
        }
        if let key = raw.idempotencyKey {
            guard (1...Self.maxKeyLength).contains(key.utf8.count), !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw Self.invalid("idempotency_key")
            }
            request.idempotencyKey = key
        }
        return JobInput(request: request)
    }

    private static func decode(_ body: ByteBuffer) throws(Problem) -> RawJobInput {
        do {
            return try JSONDecoder().decode(RawJobInput.self, from: body)
        } catch let DecodingError.keyNotFound(key, _) {
            throw Problem.invalidField(key.stringValue, "\(key.stringValue) is required.")
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            throw Self.invalid(context.codingPath[0].stringValue)
        } catch let DecodingError.valueNotFound(_, context) where !context.codingPath.isEmpty {
            throw Self.invalid(context.codingPath[0].stringValue)
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw Self.invalid(context.codingPath[0].stringValue)
        } catch DecodingError.typeMismatch {
            throw Problem("malformed-json", title: "Malformed JSON", status: .badRequest, detail: "The body must be a JSON object.", field: "body")
        } catch {
            throw Problem.malformedJSON("The body is not valid JSON.")
        }
    }

    private static func invalid(_ field: String) -> Problem {
        .invalidField(field, (Self.rules[field] ?? "\(field) is not valid") + ".")
    }
}

/// The body as sent, before validation; the payload is read apart, as any JSON value.
private struct RawJobInput: Decodable {
    var name: String
    var priority: String?
    /// A number, checked to be a whole one after: a fraction is then the field's fault, not the JSON's.
    var delayMilliseconds: Double?
    var idempotencyKey: String?

    enum CodingKeys: String, CodingKey {
        case name, priority
        case delayMilliseconds = "delay_ms"
        case idempotencyKey = "idempotency_key"
    }
}
