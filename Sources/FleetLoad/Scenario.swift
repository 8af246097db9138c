import Yams

/// A scenario file (YAML or JSON): weighted requests, and optionally the base URL and thresholds.
///
/// ```yaml
/// url: http://127.0.0.1:8080          # optional; the command's URL otherwise
/// thresholds: ["p95<200ms", "errors<1%"]
/// requests:
///   - name: read user
///     url: /users/{rand:1-10000}
///     weight: 9
///   - name: sign up
///     method: POST
///     url: /users
///     headers: {Content-Type: application/json}
///     body: '{"email": "u{seq}@example.com"}'
/// ```
public struct Scenario: Sendable {
    /// The base URL, when the file gives one.
    public var url: String?
    /// The requests, with paths relative to the base URL.
    public var requests: [RequestSpec]
    /// Thresholds the file adds.
    public var thresholds: [Threshold]

    private static let requestFields: Set<String> = ["name", "method", "url", "path", "weight", "headers", "body"]
    private static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// Parses a scenario; errors name the line and the field at fault.
    public init(yaml text: String) throws {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw LoadError(.invalidScenario, "scenario: the file is empty") }
            root = node
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError(.invalidScenario, "scenario: not valid YAML or JSON: \(error)")
        }
        guard let top = root.mapping else { throw Self.error(root, "top level", "expected a mapping with a 'requests' list") }
        for key in top.keys where !["url", "requests", "thresholds"].contains(key.string ?? "") {
            throw Self.error(key, key.string ?? "?", "unknown field; allowed: url, requests, thresholds")
        }
        url = try top["url"].map { try Self.string($0, "url") }
        thresholds = try (top["thresholds"]?.sequence.map(Array.init) ?? []).map { node in
            do { return try Threshold(parsing: try Self.string(node, "thresholds")) } catch let error as LoadError {
                throw Self.error(node, "thresholds", error.message)
            }
        }
        guard let list = top["requests"] else { throw Self.error(root, "requests", "missing; give at least one request") }
        guard let items = list.sequence, !items.isEmpty else { throw Self.error(list, "requests", "expected a non-empty list") }
        requests = try items.map(Self.request)
    }

    private static func request(_ node: Node) throws -> RequestSpec {
        guard let fields = node.mapping else { throw error(node, "requests", "each request must be a mapping with at least 'url'") }
        for key in fields.keys where !requestFields.contains(key.string ?? "") {
            throw error(key, key.string ?? "?", "unknown request field; allowed: \(requestFields.sorted().joined(separator: ", "))")
        }
        guard let urlNode = fields["url"] ?? fields["path"] else { throw error(node, "url", "missing; each request needs a url such as /users/{seq}") }
        let path = try string(urlNode, "url")
        let method = try fields["method"].map { try string($0, "method").uppercased() } ?? "GET"
        if let methodNode = fields["method"], !methods.contains(method) {
            throw error(methodNode, "method", "'\(method)' is not one of \(methods.sorted().joined(separator: ", "))")
        }
        var weight = 1.0
        if let weightNode = fields["weight"] {
            guard let value = weightNode.float ?? weightNode.int.map(Double.init), value > 0 else {
                throw error(weightNode, "weight", "must be a positive number")
            }
            weight = value
        }
        var headers: [(String, String)] = []
        if let headerNode = fields["headers"] {
            guard let mapping = headerNode.mapping else { throw error(headerNode, "headers", "expected a mapping of name: value") }
            headers = try mapping.map { (try string($0.key, "headers"), try string($0.value, "headers")) }
        }
        let body = try fields["body"].map { try string($0, "body") }
        for (field, text) in [("url", path), ("body", body ?? "")] {
            do { _ = try RequestTemplate.parse(text, field: field) } catch let failure as LoadError {
                throw error(fields[field] ?? urlNode, field, failure.message)
            }
        }
        let name = try fields["name"].map { try string($0, "name") }
        return RequestSpec(name: name, method: method, path: path, headers: headers, body: body, weight: weight)
    }

    private static func string(_ node: Node, _ field: String) throws -> String {
        guard let scalar = node.scalar else { throw error(node, field, "expected a string") }
        return scalar.string
    }

    private static func error(_ node: Node, _ field: String, _ message: String) -> LoadError {
        let line = node.mark.map { "line \($0.line)" } ?? "line ?"
        return LoadError(.invalidScenario, "scenario \(line), field '\(field)': \(message)")
    }
}

extension Scenario {
    /// The requests with absolute URLs checked against `target` (one host and port per run) and reduced to paths.
    public func requests(for target: Target) throws -> [RequestSpec] {
        try requests.map { spec in
            var spec = spec
            if spec.path.hasPrefix("http://") || spec.path.hasPrefix("https://") {
                let parsed = try Target(url: spec.path)
                guard parsed.host == target.host, parsed.port == target.port else {
                    throw LoadError(.invalidScenario, "scenario request '\(spec.name)', field 'url': \(spec.path) is not on \(target.hostHeader); one run loads one host and port")
                }
                spec.path = parsed.path
            } else if !spec.path.hasPrefix("/") {
                spec.path = "/" + spec.path
            }
            return spec
        }
    }
}
