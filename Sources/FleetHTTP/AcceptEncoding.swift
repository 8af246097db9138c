/// The content codings an `Accept-Encoding` header allows (RFC 9110 12.5.3).
struct AcceptEncoding {
    private var allowed: Set<String> = []
    private var refused: Set<String> = []
    private var wildcard = false

    init(_ header: String) {
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let name = parts.first?.split(separator: " ").first?.lowercased() else { continue }
            let zero = parts.dropFirst().contains { parameter in
                let words = parameter.split(separator: "=").map { $0.split(separator: " ").first ?? "" }
                return words.count == 2 && words[0] == "q" && (Double(words[1]) ?? 1) == 0
            }
            if name == "*" {
                self.wildcard = !zero
            } else if zero {
                self.refused.insert(name)
            } else {
                self.allowed.insert(name)
            }
        }
    }

    /// Whether the client takes `coding` (`br`, `gzip`).
    func allows(_ coding: String) -> Bool {
        self.allowed.contains(coding) || (self.wildcard && !self.refused.contains(coding))
    }
}
