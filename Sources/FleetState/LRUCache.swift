/// A map of at most `capacity` entries that evicts the least recently used
/// one to make room; every operation is O(1).
///
/// Not synchronised: `Cache` keeps one behind a lock. The entries live in one
/// array linked by index, so an insert allocates no node, and a removal moves
/// the last entry into the hole to keep the array dense.
struct LRUCache<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var newer: Int
        var older: Int
    }

    private static var none: Int { -1 }

    /// The most entries held at once.
    let capacity: Int
    private var nodes: [Node] = []
    private var positions: [Key: Int] = [:]
    private var newest = Self.none
    private var oldest = Self.none

    init(capacity: Int) {
        precondition(capacity > 0, "an LRU cache holds at least one entry")
        self.capacity = capacity
        self.nodes.reserveCapacity(capacity)
        self.positions.reserveCapacity(capacity)
    }

    var count: Int { self.nodes.count }

    /// The keys from the most to the least recently used.
    var keysByRecency: [Key] {
        var keys: [Key] = []
        var position = self.newest
        while position != Self.none {
            keys.append(self.nodes[position].key)
            position = self.nodes[position].older
        }
        return keys
    }

    /// The value for `key`, which becomes the most recently used.
    mutating func value(forKey key: Key) -> Value? {
        guard let position = self.positions[key] else { return nil }
        self.moveToFront(position)
        return self.nodes[position].value
    }

    /// Inserts or replaces the value for `key`, which becomes the most recently used.
    /// - Returns: the entry evicted to make room, if any.
    @discardableResult
    mutating func insert(_ value: Value, forKey key: Key) -> (key: Key, value: Value)? {
        if let position = self.positions[key] {
            self.nodes[position].value = value
            self.moveToFront(position)
            return nil
        }
        guard self.nodes.count == self.capacity else {
            self.nodes.append(Node(key: key, value: value, newer: Self.none, older: Self.none))
            let position = self.nodes.count - 1
            self.positions[key] = position
            self.linkAtFront(position)
            return nil
        }
        // Full: the oldest node takes the new entry in place.
        let position = self.oldest
        let evicted = (key: self.nodes[position].key, value: self.nodes[position].value)
        self.positions.removeValue(forKey: evicted.key)
        self.nodes[position].key = key
        self.nodes[position].value = value
        self.positions[key] = position
        self.moveToFront(position)
        return evicted
    }

    /// Removes the entry for `key`, returning its value.
    @discardableResult
    mutating func removeValue(forKey key: Key) -> Value? {
        guard let position = self.positions.removeValue(forKey: key) else { return nil }
        self.unlink(position)
        let value = self.nodes[position].value
        let last = self.nodes.count - 1
        if position != last {
            // Fill the hole with the last node and repoint its neighbours.
            self.nodes.swapAt(position, last)
            let moved = self.nodes[position]
            self.positions[moved.key] = position
            if moved.newer != Self.none { self.nodes[moved.newer].older = position } else { self.newest = position }
            if moved.older != Self.none { self.nodes[moved.older].newer = position } else { self.oldest = position }
        }
        self.nodes.removeLast()
        return value
    }

    mutating func removeAll() {
        self.nodes.removeAll(keepingCapacity: true)
        self.positions.removeAll(keepingCapacity: true)
        self.newest = Self.none
        self.oldest = Self.none
    }

    private mutating func moveToFront(_ position: Int) {
        guard position != self.newest else { return }
        self.unlink(position)
        self.linkAtFront(position)
    }

    private mutating func linkAtFront(_ position: Int) {
        self.nodes[position].newer = Self.none
        self.nodes[position].older = self.newest
        if self.newest != Self.none { self.nodes[self.newest].newer = position }
        self.newest = position
        if self.oldest == Self.none { self.oldest = position }
    }

    private mutating func unlink(_ position: Int) {
        let node = self.nodes[position]
        if node.newer != Self.none { self.nodes[node.newer].older = node.older } else { self.newest = node.older }
        if node.older != Self.none { self.nodes[node.older].newer = node.newer } else { self.oldest = node.newer }
    }
}
