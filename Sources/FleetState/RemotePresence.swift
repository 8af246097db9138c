/// Other instances' room members, as their heartbeats, joins, leaves and
/// snapshots report them.
struct RemotePresence {
    struct Instance {
        var lastSeen: ContinuousClock.Instant
        var rooms: [String: [String: PresenceMember]] = [:]
        var memberships = 0
        /// A snapshot was asked for and has not begun to arrive.
        var syncRequested = false
    }

    var instances: [String: Instance] = [:]

    mutating func seen(_ origin: String, at now: ContinuousClock.Instant) {
        self.instances[origin, default: Instance(lastSeen: now)].lastSeen = now
    }

    mutating func join(_ origin: String, room: String, member: PresenceMember, at now: ContinuousClock.Instant) {
        self.seen(origin, at: now)
        if self.instances[origin]?.rooms[room, default: [:]].updateValue(member, forKey: member.id) == nil {
            self.instances[origin]?.memberships += 1
        }
    }

    mutating func leave(_ origin: String, room: String, member: PresenceMember, at now: ContinuousClock.Instant) {
        self.seen(origin, at: now)
        guard self.instances[origin]?.rooms[room]?.removeValue(forKey: member.id) != nil else { return }
        self.instances[origin]?.memberships -= 1
        if self.instances[origin]?.rooms[room]?.isEmpty == true { self.instances[origin]?.rooms.removeValue(forKey: room) }
    }

    /// Takes one part of `origin`'s snapshot; the first part replaces what was known.
    mutating func snapshot(_ origin: String, rooms: [String: [PresenceMember]], reset: Bool, at now: ContinuousClock.Instant) {
        self.seen(origin, at: now)
        if reset {
            self.instances[origin]?.rooms = [:]
            self.instances[origin]?.memberships = 0
            self.instances[origin]?.syncRequested = false
        }
        for (room, members) in rooms {
            for member in members { self.join(origin, room: room, member: member, at: now) }
        }
    }

    /// Records a heartbeat; true when the count disagrees with what is known
    /// (a join or leave was lost) and no snapshot is on its way yet.
    mutating func alive(_ origin: String, memberships: Int, at now: ContinuousClock.Instant) -> Bool {
        self.seen(origin, at: now)
        guard self.instances[origin]?.memberships != memberships, self.instances[origin]?.syncRequested == false else { return false }
        self.instances[origin]?.syncRequested = true
        return true
    }

    /// Forgets instances silent since `deadline`; returns how many.
    mutating func expire(before deadline: ContinuousClock.Instant) -> Int {
        let dead = self.instances.filter { $0.value.lastSeen < deadline }.map(\.key)
        for origin in dead { self.instances.removeValue(forKey: origin) }
        return dead.count
    }

    /// After messages may have been lost: every instance's next heartbeat may ask for a snapshot again.
    mutating func allowResync() {
        for origin in self.instances.keys { self.instances[origin]?.syncRequested = false }
    }

    func members(of room: String, aliveAfter deadline: ContinuousClock.Instant) -> [PresenceMember] {
        self.instances.values.filter { $0.lastSeen >= deadline }.flatMap { $0.rooms[room].map { Array($0.values) } ?? [] }
    }
}
