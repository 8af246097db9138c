/// When each arrival of the open model is due: the inverse of the cumulative arrival count.
///
/// The rate is piecewise linear (one piece per stage), so the count is piecewise
/// quadratic and arrival `i` falls where the count reaches `i`.
struct ArrivalSchedule: Sendable {
    private struct Piece: Sendable {
        var startTime: Double
        var length: Double
        var fromRate: Double
        var toRate: Double
        var countBefore: Double
    }
    private let pieces: [Piece]
    /// The number of arrivals in the whole run.
    let totalArrivals: Double

    init(model: LoadModel) {
        var pieces: [Piece] = []
        var time = 0.0
        var count = 0.0
        var rate = model.start
        for stage in model.stages {
            let length = stage.duration.seconds
            pieces.append(Piece(startTime: time, length: length, fromRate: rate, toRate: stage.target, countBefore: count))
            count += (rate + stage.target) / 2 * length
            time += length
            rate = stage.target
        }
        self.pieces = pieces
        self.totalArrivals = count
    }

    /// The time in seconds from the start at which arrival `index` (from 0) is due, or nil after the end.
    func time(ofArrival index: Int) -> Double? {
        let target = Double(index)
        guard target < totalArrivals else { return nil }
        for piece in pieces {
            let countAfter = piece.countBefore + (piece.fromRate + piece.toRate) / 2 * piece.length
            guard target < countAfter else { continue }
            let needed = target - piece.countBefore
            let slope = (piece.toRate - piece.fromRate) / piece.length
            let offset: Double
            if abs(slope) < 1e-12 {
                offset = needed / piece.fromRate
            } else {
                // needed = fromRate * x + slope / 2 * x^2
                let discriminant = max(piece.fromRate * piece.fromRate + 2 * slope * needed, 0)
                offset = (discriminant.squareRoot() - piece.fromRate) / slope
            }
            return piece.startTime + min(max(offset, 0), piece.length)
        }
        return nil
    }
}
