/// What a `Range` header asks of a representation of `size` bytes (RFC 9110 14.2).
///
/// Only one range is served; a list of ranges is answered with the whole
/// representation, which the RFC allows.
enum ByteRange: Equatable {
    case whole
    case part(ClosedRange<Int>)
    case unsatisfiable

    /// - Parameters:
    ///   - header: the `Range` header, if any.
    ///   - ifRange: the `If-Range` header: a range is served only while it matches `etag`.
    ///   - etag: the representation's strong entity tag.
    ///   - size: the representation's length.
    init(_ header: String?, ifRange: String?, etag: String, size: Int) {
        guard let header, header.hasPrefix("bytes="), ifRange == nil || ifRange == etag else {
            self = .whole
            return
        }
        let spec = header.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // A suffix: the last N bytes.
            guard let length = Int(last), last.allSatisfy(\.isNumber) else {
                self = .whole
                return
            }
            self = length > 0 && size > 0 ? .part(max(0, size - length)...(size - 1)) : .unsatisfiable
            return
        }
        guard let start = Int(first), first.allSatisfy(\.isNumber), last.isEmpty || last.allSatisfy(\.isNumber) else {
            self = .whole
            return
        }
        let requestedEnd = last.isEmpty ? Int.max : Int(last) ?? Int.max
        guard requestedEnd >= start else {
            self = .whole
            return
        }
        guard start < size else {
            self = .unsatisfiable
            return
        }
        self = .part(start...min(requestedEnd, size - 1))
    }
}
