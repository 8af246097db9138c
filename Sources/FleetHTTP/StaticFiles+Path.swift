import Foundation

extension StaticFiles {
    /// A regular file below the root, or one of its precompressed variants.
    struct File: Sendable {
        let path: String
        let size: Int
        let etag: String
        /// `br` or `gzip` for a precompressed variant; nil for the file itself.
        let encoding: String?

        var fileExtension: String {
            guard let dot = self.path.lastIndex(of: "."), !self.path[dot...].contains("/") else { return "" }
            return String(self.path[self.path.index(after: dot)...])
        }
    }

    /// The percent-decoded path below the root, or nil when it could leave it.
    ///
    /// Segments are decoded one by one, so `%2F` never makes a new segment; `.`, `..`,
    /// dot files, empty segments, NUL and malformed escapes are all refused.
    static func relativePath(_ raw: Substring) -> String? {
        guard raw.first == "/" else { return nil }
        var segments: [String] = []
        for encoded in raw.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let segment = Self.percentDecoded(encoded), !segment.isEmpty, !segment.hasPrefix("."),
                !segment.utf8.contains(where: { $0 == 0 || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") })
            else { return nil }
            segments.append(segment)
        }
        return segments.isEmpty ? nil : segments.joined(separator: "/")
    }

    static func percentDecoded(_ encoded: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.utf8.count)
        var iterator = encoded.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The regular file at `relative`, once symlinks are resolved and it is still below the root.
    func file(at relative: String, encoding: String? = nil) -> File? {
        let path = URL(fileURLWithPath: "\(self.root)/\(relative)").resolvingSymlinksInPath().path
        guard path.hasPrefix(self.root + "/") else { return nil }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let size = (attributes[.size] as? NSNumber)?.intValue,
            let date = attributes[.modificationDate] as? Date
        else { return nil }
        let modified = Int64(date.timeIntervalSince1970 * 1_000_000_000)
        // Strong: any change of the bytes changes size or modification time (as nginx's tags).
        let suffix = encoding.map { "-\($0)" } ?? ""
        let etag = "\"\(String(size, radix: 16))-\(String(modified, radix: 16))\(suffix)\""
        return File(path: path, size: size, etag: etag, encoding: encoding)
    }

    /// The precompressed variant of `file` that `Accept-Encoding` allows (`br` before `gzip`), else `file`.
    func variant(of file: File, accepting header: String?) -> File {
        guard let header else { return file }
        let accepted = AcceptEncoding(header)
        for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] where accepted.allows(encoding) {
            let relative = String(file.path.dropFirst(self.root.utf8.count + 1)) + "." + suffix
            if let variant = self.file(at: relative, encoding: encoding) { return variant }
        }
        return file
    }

    /// Whether a name carries a content hash (`app.3f9a1c.js`): a dot-separated part before the
    /// extension of 8 to 64 lowercase hex digits, or of 6 or 7 with at least one digit (so
    /// words such as `deface` do not count).
    /// - Parameter relative: a file name or path, e.g. `js/app.3f9a1c.js`.
    public static func isFingerprinted(_ relative: String) -> Bool {
        let name = relative.split(separator: "/").last ?? ""
        let parts = name.split(separator: ".")
        guard parts.count >= 3 else { return false }
        return parts.dropFirst().dropLast().contains { part in
            let digits = part.utf8.count { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            let letters = part.utf8.count { (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
            guard digits + letters == part.utf8.count else { return false }
            return (8...64).contains(part.utf8.count) || ((6...7).contains(part.utf8.count) && digits > 0)
        }
    }
}
