/// Gunther's Universal Scalability Law: X(N) = λN / (1 + σ(N − 1) + κN(N − 1)).
///
/// σ is contention (serialised work), κ coherency (crosstalk), λ the throughput of one worker.
public struct ScalabilityLaw: Sendable, Hashable, Codable {
    /// Contention, 0 ≤ σ.
    public var sigma: Double
    /// Coherency delay, 0 ≤ κ.
    public var kappa: Double
    /// Throughput at a concurrency of one.
    public var lambda: Double

    /// Creates the law from known coefficients.
    public init(sigma: Double, kappa: Double, lambda: Double) {
        self.sigma = sigma
        self.kappa = kappa
        self.lambda = lambda
    }

    /// Throughput predicted at concurrency `n`.
    public func throughput(at n: Double) -> Double {
        lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))
    }

    /// The concurrency of peak throughput, √((1 − σ) / κ) (infinite when κ is 0).
    public var peakConcurrency: Double {
        kappa > 0 ? ((1 - sigma) / kappa).squareRoot() : .infinity
    }

    /// Fits the law to (concurrency, throughput) measurements by least squares.
    ///
    /// N / X(N) = 1/λ + (σ/λ)(N − 1) + (κ/λ)N(N − 1) is linear in its three coefficients,
    /// so ordinary least squares on N / X gives them directly; a negative σ or κ is refitted at 0.
    /// - Parameter points: at least three distinct concurrencies with positive throughput.
    public static func fit(_ points: [(concurrency: Double, throughput: Double)]) throws -> ScalabilityLaw {
        let usable = points.filter { $0.concurrency >= 1 && $0.throughput > 0 }
        guard Set(usable.map(\.concurrency)).count >= 3 else {
            throw LoadError(.invalidArgument, "USL fit: needs throughput at three or more distinct concurrencies")
        }
        let rows = usable.map { point -> ([Double], Double) in
            let n = point.concurrency
            return ([1, n - 1, n * (n - 1)], n / point.throughput)
        }
        for columns in [[0, 1, 2], [0, 2], [0, 1], [0]] {
            guard let solution = leastSquares(rows.map { row in (columns.map { row.0[$0] }, row.1) }) else { continue }
            var coefficients = [0.0, 0.0, 0.0]
            for (index, column) in columns.enumerated() { coefficients[column] = solution[index] }
            guard coefficients[0] > 0, coefficients[1] >= 0, coefficients[2] >= 0 else { continue }
            return ScalabilityLaw(sigma: coefficients[1] / coefficients[0], kappa: coefficients[2] / coefficients[0], lambda: 1 / coefficients[0])
        }
        throw LoadError(.invalidArgument, "USL fit: the measurements do not fit the law (throughput falling from the first point?)")
    }

    /// Solves the normal equations by Gaussian elimination with partial pivoting.
    private static func leastSquares(_ rows: [([Double], Double)]) -> [Double]? {
        let size = rows.first?.0.count ?? 0
        var matrix = Array(repeating: Array(repeating: 0.0, count: size + 1), count: size)
        for (x, y) in rows {
            for i in 0..<size {
                for j in 0..<size { matrix[i][j] += x[i] * x[j] }
                matrix[i][size] += x[i] * y
            }
        }
        for column in 0..<size {
            guard let pivot = (column..<size).max(by: { abs(matrix[$0][column]) < abs(matrix[$1][column]) }),
                abs(matrix[pivot][column]) > 1e-300
            else { return nil }
            matrix.swapAt(column, pivot)
            for row in 0..<size where row != column {
                let factor = matrix[row][column] / matrix[column][column]
                for k in column...size { matrix[row][k] -= factor * matrix[column][k] }
            }
        }
        return (0..<size).map { matrix[$0][size] / matrix[$0][$0] }
    }
}
