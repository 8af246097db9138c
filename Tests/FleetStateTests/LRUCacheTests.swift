import Testing

@testable import FleetState

@Suite struct LRUCacheTests {
    @Test func evictsTheLeastRecentlyUsedEntry() {
        var lru = LRUCache<String, Int>(capacity: 3)
        lru.insert(1, forKey: "a")
        lru.insert(2, forKey: "b")
        lru.insert(3, forKey: "c")
        #expect(lru.value(forKey: "a") == 1)
        let evicted = lru.insert(4, forKey: "d")
        #expect(evicted?.key == "b")
        #expect(evicted?.value == 2)
        #expect(lru.keysByRecency == ["d", "a", "c"])
        #expect(lru.value(forKey: "b") == nil)
    }

    @Test func replacingAValueEvictsNothing() {
        var lru = LRUCache<String, Int>(capacity: 2)
        lru.insert(1, forKey: "a")
        lru.insert(2, forKey: "b")
        #expect(lru.insert(3, forKey: "a") == nil)
        #expect(lru.keysByRecency == ["a", "b"])
        #expect(lru.value(forKey: "a") == 3)
    }

    /// Random operations against a plain array kept in recency order: same
    /// answers, same order, never more than the capacity.
    @Test func matchesAReferenceModel() {
        let capacity = 8
        var lru = LRUCache<Int, Int>(capacity: capacity)
        var model: [(key: Int, value: Int)] = []  // most recent first
        var random = SplitMix64(seed: 42)
        for step in 0..<20_000 {
            let key = Int(random.next() % 20)
            switch random.next() % 4 {
            case 0, 1:
                let expected = model.firstIndex { $0.key == key }.map { model.remove(at: $0) }
                if let expected { model.insert(expected, at: 0) }
                #expect(lru.value(forKey: key) == expected?.value)
            case 2:
                let evicted = lru.insert(step, forKey: key)
                var expectedEviction: Int?
                if let index = model.firstIndex(where: { $0.key == key }) {
                    model.remove(at: index)
                } else if model.count == capacity {
                    expectedEviction = model.removeLast().key
                }
                model.insert((key, step), at: 0)
                #expect(evicted?.key == expectedEviction)
            default:
                let expected = model.firstIndex { $0.key == key }.map { model.remove(at: $0) }
                #expect(lru.removeValue(forKey: key) == expected?.value)
            }
            #expect(lru.count <= capacity)
            #expect(lru.keysByRecency == model.map(\.key))
        }
    }
}

/// A seeded generator, so a failing sequence can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
