/// One kind of request a run sends, chosen by weight among the scenario's requests.
///
/// The path and body may hold templates: `{seq}` becomes a run-wide sequence
/// number and `{rand:1-10000}` a uniform random integer in the range.
public struct RequestSpec: Sendable, Hashable {
    /// The name reports group by (default `METHOD path`).
    public var name: String
    /// The HTTP method.
    public var method: String
    /// The path and query, starting with `/`, possibly templated.
    public var path: String
    /// Extra request headers.
    public var headers: [(String, String)] {
        get { headerPairs.map { ($0.name, $0.value) } }
        set { headerPairs = newValue.map { Header(name: $0.0, value: $0.1) } }
    }
    /// The body, possibly templated; nil for none.
    public var body: String?
    /// The relative weight among the scenario's requests.
    public var weight: Double

    struct Header: Sendable, Hashable {
        var name: String
        var value: String
    }
    var headerPairs: [Header]

    /// Creates a request.
    public init(name: String? = nil, method: String = "GET", path: String, headers: [(String, String)] = [], body: String? = nil, weight: Double = 1) {
        self.name = name ?? "\(method) \(path)"
        self.method = method
        self.path = path
        self.headerPairs = headers.map { Header(name: $0.0, value: $0.1) }
        self.body = body
        self.weight = weight
    }
}
