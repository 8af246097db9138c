/// One slot of the shared table: six 64-bit words.
struct RateLimitSlot {
    private let words: UnsafeMutablePointer<Int64>

    init(_ address: UnsafeMutableRawPointer) {
        self.words = address.assumingMemoryBound(to: Int64.self)
    }

    /// The key's hash; zero for a slot never used.
    var hash: UInt64 { UInt64(bitPattern: self.words[0]) }
    var expiresAt: Int64 { self.words[1] }

    var cell: RateLimitCell {
        RateLimitCell(time: self.words[2], count: self.words[3], previous: self.words[4], blockedUntil: self.words[5])
    }

    func claim(_ hash: UInt64) {
        self.words[0] = Int64(bitPattern: hash)
        for word in 1..<6 { self.words[word] = 0 }
    }

    func store(_ cell: RateLimitCell, expiresAt: Int64) {
        self.words[1] = expiresAt
        self.words[2] = cell.time
        self.words[3] = cell.count
        self.words[4] = cell.previous
        self.words[5] = cell.blockedUntil
    }
}
