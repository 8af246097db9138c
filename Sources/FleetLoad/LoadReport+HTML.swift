import Foundation

extension LoadReport {
    /// A self-contained HTML page: headline figures, latency and rate over time, the percentile spectrum,
    /// breakdowns and the full JSON report embedded; inline SVG only, so it opens offline.
    public func html() throws -> String {
        let times = series.map(\.time)
        let latencyChart = SVGChart(
            title: "Latency over time (ms)",
            xLabel: "seconds",
            yLabel: "ms",
            lines: [
                .init(name: "p50", color: "#2b8a3e", points: zipPoints(times, series.map(\.p50))),
                .init(name: "p95", color: "#e67700", points: zipPoints(times, series.map(\.p95))),
                .init(name: "p99", color: "#c92a2a", points: zipPoints(times, series.map(\.p99))),
                .init(name: "p99 uncorrected", color: "#868e96", points: zipPoints(times, series.map(\.uncorrectedP99)), dashed: true),
            ]
        )
        var rateLines: [SVGChart.Line] = [.init(name: "achieved req/s", color: "#1971c2", points: zipPoints(times, series.map(\.rate)))]
        if model == "open" {
            rateLines.append(.init(name: "target req/s", color: "#868e96", points: zipPoints(times, series.map(\.targetLevel)), dashed: true))
        }
        let rateChart = SVGChart(title: "Rate over time", xLabel: "seconds", yLabel: "requests/s", lines: rateLines)
        // The spectrum's x axis is log10(1 / (1 - p)), so 90, 99, 99.9 are evenly spaced.
        let spectrumPoints = spectrum.filter { $0.percentile < 100 }
        let xs = spectrumPoints.map { log10(1 / (1 - $0.percentile / 100)) }
        let spectrumChart = SVGChart(
            title: "Latency by percentile (ms)",
            xLabel: "percentile",
            yLabel: "ms",
            lines: [
                .init(name: "corrected", color: "#c92a2a", points: zipPoints(xs, spectrumPoints.map(\.corrected))),
                .init(name: "uncorrected", color: "#868e96", points: zipPoints(xs, spectrumPoints.map(\.uncorrected)), dashed: true),
            ],
            xTicks: [(0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%"), (5, "99.999%")]
        )
        let json = try jsonString()
        let verdict = thresholds.isEmpty ? "" : (passed ? "<span class=pass>thresholds passed</span>" : "<span class=fail>thresholds failed</span>")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>fleet load: \(escape(target))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font:14px system-ui,sans-serif;margin:24px auto;max-width:900px;color:#212529;background:#f8f9fa}
            h1{font-size:20px} .cards{display:flex;gap:12px;flex-wrap:wrap}
            .card{background:#fff;border:1px solid #dee2e6;border-radius:6px;padding:10px 14px;min-width:120px}
            .card b{display:block;font-size:20px} figure{background:#fff;border:1px solid #dee2e6;border-radius:6px;margin:16px 0;padding:8px}
            table{border-collapse:collapse;background:#fff;margin:12px 0} td,th{border:1px solid #dee2e6;padding:4px 10px;text-align:right}
            th:first-child,td:first-child{text-align:left} .pass{color:#2b8a3e;font-weight:600} .fail{color:#c92a2a;font-weight:600}
            .warn{color:#e67700}
            </style></head><body>
            <h1>fleet load: \(escape(target)) \(verdict)</h1>
            <div class="cards">
            \(card("achieved", "\(format(achievedRate, 1)) req/s"))
            \(targetRate.map { card("target", "\(format($0, 1)) req/s") } ?? "")
            \(card("requests", "\(requests)"))
            \(card("errors", "\(format(errorRate * 100, 2))%"))
            \(card("dropped", "\(dropped)"))
            \(card("p95", "\(format(latency.p95, 2)) ms"))
            \(card("p99", "\(format(latency.p99, 2)) ms"))
            </div>
            \(warnings.map { "<p class=warn>warning: \(escape($0))</p>" }.joined())
            <figure>\(latencyChart.render())</figure>
            <figure>\(rateChart.render())</figure>
            <figure>\(spectrumChart.render())</figure>
            \(groupTable("Request", requestsByName))
            \(groupTable("Stage", stages))
            \(thresholdTable())
            <details><summary>JSON report</summary><pre id="report">\(escape(json))</pre></details>
            </body></html>
            """
    }

    private func card(_ title: String, _ value: String) -> String {
        "<div class=card>\(escape(title))<b>\(escape(value))</b></div>"
    }

    private func groupTable(_ title: String, _ groups: [Group]) -> String {
        let rows = groups.map {
            "<tr><td>\(escape($0.name))</td><td>\($0.requests)</td><td>\($0.errors)</td><td>\(format($0.latency.p50, 2))</td><td>\(format($0.latency.p95, 2))</td><td>\(format($0.latency.p99, 2))</td></tr>"
        }
        return "<table><tr><th>\(title)</th><th>requests</th><th>errors</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>\(rows.joined())</table>"
    }

    private func thresholdTable() -> String {
        guard !thresholds.isEmpty else { return "" }
        let rows = thresholds.map {
            "<tr><td>\(escape($0.expression))</td><td>\(format($0.actual, 3))</td><td class=\($0.passed ? "pass" : "fail")>\($0.passed ? "pass" : "fail")</td></tr>"
        }
        return "<table><tr><th>threshold</th><th>actual</th><th>result</th></tr>\(rows.joined())</table>"
    }
}

private func zipPoints(_ xs: [Double], _ ys: [Double]) -> [(x: Double, y: Double)] {
    zip(xs, ys).map { (x: $0, y: $1) }
}
