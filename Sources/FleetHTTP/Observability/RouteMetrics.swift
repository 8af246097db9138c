import CoreMetrics
import Hummingbird
import NIOHTTP1

/// The series Hummingbird's `MetricsMiddleware` writes for one route, resolved
/// once when a fast route is added, so a fast answer adds to the same counter
/// and latency histogram as a routed one without a lookup or a lock.
final class RouteMetrics: Sendable {
    /// Handles for one status code.
    struct Series: Sendable {
        let status: UInt
        let requests: Counter
        let duration: Timer
    }

    let method: String
    let route: String
    /// The status the route usually answers: a route's `200`, a refusal's `429`.
    let common: [Series]

    /// - Parameters:
    ///   - method: the request method, as `MetricsMiddleware` writes it.
    ///   - path: the route as registered (`/users/:id`); written as Hummingbird's router does (`/users/{id}`).
    ///   - status: the status resolved now; others are found when first answered.
    init(method: String, path: String, status: UInt) {
        let route = RouterPath(path).description
        self.method = method
        self.route = route
        self.common = [Self.series(method: method, route: route, status: status)]
    }

    func record(status: HTTPResponseStatus, nanoseconds: Int64) {
        let code = status.code
        for series in self.common where series.status == code {
            series.requests.increment()
            series.duration.recordNanoseconds(nanoseconds)
            return
        }
        // Rare statuses: the factory finds (or makes) the handles each time.
        let series = Self.series(method: self.method, route: self.route, status: code)
        series.requests.increment()
        series.duration.recordNanoseconds(nanoseconds)
    }

    static func series(method: String, route: String, status: UInt) -> Series {
        let dimensions = [("http.route", route), ("http.request.method", method), ("http.response.status_code", String(status))]
        return Series(
            status: status,
            requests: Counter(label: "hb.requests", dimensions: dimensions),
            duration: Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds)
        )
    }
}
