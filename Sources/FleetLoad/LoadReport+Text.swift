import Foundation

extension LoadReport {
    /// The report as JSON (schema `fleet.load/v1`, keys sorted).
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A text summary for a terminal: headline figures, latency side by side, breakdowns, thresholds, warnings.
    public var summary: String {
        var lines: [String] = []
        lines.append("target      \(target)  (\(model) model\(aborted ? ", aborted by a threshold" : ""))")
        if let targetRate {
            lines.append("rate        \(format(achievedRate, 1)) req/s achieved of \(format(targetRate, 1)) target (\(format(targetRate > 0 ? achievedRate / targetRate * 100 : 0, 1))%)")
        } else {
            lines.append("rate        \(format(achievedRate, 1)) req/s")
        }
        lines.append("requests    \(requests)  errors \(errors) (\(format(errorRate * 100, 2))%)  dropped \(dropped)")
        lines.append("")
        lines.append("latency ms    corrected  uncorrected")
        let rows: [(String, KeyPath<Latency, Double>)] = [
            ("p50", \.p50), ("p90", \.p90), ("p95", \.p95), ("p99", \.p99), ("p99.9", \.p999), ("max", \.max), ("mean", \.mean),
        ]
        for (label, path) in rows {
            lines.append(pad(label, 12) + pad(format(latency[keyPath: path], 2), 11, right: true) + pad(format(uncorrectedLatency[keyPath: path], 2), 13, right: true))
        }
        lines.append("")
        let statusText = statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        let errorText = errorKinds.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        lines.append("statuses    " + (statusText.isEmpty ? "none" : statusText.joined(separator: "  ")))
        if !errorText.isEmpty { lines.append("errors      " + errorText.joined(separator: "  ")) }
        if requestsByName.count > 1 { lines.append(contentsOf: table("request", requestsByName)) }
        if stages.count > 1 { lines.append(contentsOf: table("stage", stages)) }
        if !thresholds.isEmpty {
            lines.append("")
            for result in thresholds {
                let mark = result.passed ? "✓" : "✗"
                lines.append("\(mark) \(result.expression)  (actual \(format(result.actual, 3))\(result.note.map { ", \($0)" } ?? ""))")
            }
        }
        for warning in warnings { lines.append("warning: \(warning)") }
        return lines.joined(separator: "\n")
    }

    private func table(_ title: String, _ groups: [Group]) -> [String] {
        var lines = ["", pad(title, 32) + pad("requests", 10, right: true) + pad("errors", 8, right: true) + pad("p50", 10, right: true) + pad("p95", 10, right: true) + pad("p99", 10, right: true)]
        for group in groups {
            lines.append(
                pad(group.name, 32) + pad(String(group.requests), 10, right: true) + pad(String(group.errors), 8, right: true)
                    + pad(format(group.latency.p50, 2), 10, right: true) + pad(format(group.latency.p95, 2), 10, right: true)
                    + pad(format(group.latency.p99, 2), 10, right: true)
            )
        }
        return lines
    }
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let count = text.count
    guard count < width else { return right ? " " + text : String(text.prefix(width - 1)) + " " }
    let spaces = String(repeating: " ", count: width - count)
    return right ? spaces + text : text + spaces
}
