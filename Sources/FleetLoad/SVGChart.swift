import Foundation

/// A line chart drawn as inline SVG: no script, no network, prints and opens offline.
struct SVGChart {
    struct Line {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var lines: [Line]
    /// Tick labels for the x axis at given positions; nil for evenly spaced numbers.
    var xTicks: [(x: Double, label: String)]?
    var width = 860.0
    var height = 300.0

    func render() -> String {
        let left = 64.0, right = 16.0, top = 34.0, bottom = 42.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let all = lines.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let minX = all.map(\.x).min() ?? 0
        let maxX = max(all.map(\.x).max() ?? 1, minX + 1e-9)
        let maxY = niceCeiling(max(all.map(\.y).max() ?? 1, 1e-9))
        func px(_ x: Double) -> Double { left + (x - minX) / (maxX - minX) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - y / maxY * plotHeight }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        svg += "<text x=\"\(left)\" y=\"20\" font-size=\"15\" font-weight=\"600\">\(escape(title))</text>"
        for step in 0...4 {
            let value = maxY * Double(step) / 4
            let y = py(value)
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#e3e3e3\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(f(y + 4))\" font-size=\"11\" text-anchor=\"end\">\(label(value))</text>"
        }
        let ticks = xTicks ?? (0...5).map { step in
            let x = minX + (maxX - minX) * Double(step) / 5
            return (x, label(x))
        }
        for tick in ticks where tick.x >= minX && tick.x <= maxX {
            svg += "<text x=\"\(f(px(tick.x)))\" y=\"\(f(top + plotHeight + 16))\" font-size=\"11\" text-anchor=\"middle\">\(escape(tick.label))</text>"
        }
        svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(f(top + plotHeight))\" y2=\"\(f(top + plotHeight))\" stroke=\"#777\"/>"
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 6))\" font-size=\"12\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(14 \(f(top + plotHeight / 2))) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">\(escape(yLabel))</text>"
        var legendX = left + plotWidth
        for line in lines.reversed() {
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(points)\"/>"
            legendX -= Double(line.name.count) * 7 + 28
            svg += "<rect x=\"\(f(legendX))\" y=\"12\" width=\"14\" height=\"4\" fill=\"\(line.color)\"/>"
            svg += "<text x=\"\(f(legendX + 18))\" y=\"18\" font-size=\"11\">\(escape(line.name))</text>"
        }
        return svg + "</svg>"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func label(_ value: Double) -> String {
        if value >= 10_000 { return String(format: "%.0fk", value / 1000) }
        if value >= 100 { return String(format: "%.0f", value) }
        return String(format: value >= 10 ? "%.1f" : "%.2f", value)
    }

    private func niceCeiling(_ value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
