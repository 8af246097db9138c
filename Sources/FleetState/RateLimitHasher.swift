/// A 64-bit hash of a policy and a key: FNV-1a over the bytes, then a
/// splitmix64 finish so nearby keys spread over the whole table.
///
/// Stable across processes and runs (unlike `Hasher`), which the shared
/// table needs: every worker must find a key in the same slot.
struct RateLimitHasher {
    private(set) var state: UInt64 = 0xCBF2_9CE4_8422_2325

    init(seed: UInt64 = 0) {
        if seed != 0 { self.state = seed }
    }

    mutating func combine(_ bytes: String.UTF8View) {
        if bytes.withContiguousStorageIfAvailable({ self.combine(bytes: $0) }) != nil { return }
        for byte in bytes { self.combine(byte: byte) }
    }

    mutating func combine(_ value: UInt64) {
        var value = value
        for _ in 0..<8 {
            self.combine(byte: UInt8(truncatingIfNeeded: value))
            value >>= 8
        }
    }

    private mutating func combine(bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes { self.combine(byte: byte) }
    }

    @inline(__always)
    private mutating func combine(byte: UInt8) {
        self.state = (self.state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    /// The finished hash; never zero, which marks an empty slot.
    var value: UInt64 {
        var z = self.state &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return z == 0 ? 1 : z
    }
}
