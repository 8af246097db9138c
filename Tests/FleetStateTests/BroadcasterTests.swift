import Logging
import Synchronization
import Testing

@testable import FleetState

/// Broadcasters of one process joined by an `InProcessBroadcastHub`: each
/// stands for an instance of a service.
@Suite struct BroadcasterTests {
    @Test func aBroadcastReachesTheRoomOnEveryInstanceInOrderButTheSender() async throws {
        try await withInstances(2) { first, second in
            let sender = first.connect(user: "ann") { _ in }
            let sameInstance = first.connect(user: "bob") { _ in }
            let otherInstance = second.connect(user: "cat") { _ in }
            let elsewhere = second.connect(user: "dan") { _ in }
            for connection in [sender, sameInstance] { await first.join(connection, room: "lobby") }
            await second.join(otherInstance, room: "lobby")
            await second.join(elsewhere, room: "kitchen")
            for number in 1...100 { await first.broadcast("m\(number)", to: "lobby", except: sender.id) }
            let expected = (1...100).map { "m\($0)" }
            #expect(await sameInstance.next(100) == expected)
            #expect(await otherInstance.next(100) == expected)
            await first.broadcastToAll("last")
            for connection in [sender, sameInstance, otherInstance, elsewhere] {
                #expect(await connection.next(1) == ["last"], "no earlier message reached \(connection.user)")
            }
        }
    }

    @Test func aDirectMessageFindsItsConnectionOnAnotherInstance() async throws {
        try await withInstances(2) { first, second in
            let target = second.connect(user: "eve") { _ in }
            let bystander = second.connect(user: "fay") { _ in }
            await first.send("psst", to: target.id)
            await first.send("hello", to: bystander.id)
            #expect(await target.next(1) == ["psst"])
            #expect(await bystander.next(1) == ["hello"])
        }
    }

    @Test func presenceSpansInstancesAndForgetsAnInstanceThatFallsSilent() async throws {
        var configuration = BroadcasterConfiguration()
        configuration.heartbeatInterval = .milliseconds(100)
        configuration.presenceTimeout = .milliseconds(300)
        let hub = InProcessBroadcastHub()
        let failing = FailingBackend(base: hub.backend())
        let survivor = Broadcaster(backend: hub.backend(), configuration: configuration, logger: Logger(label: "test"))
        let doomed = Broadcaster(backend: failing, configuration: configuration, logger: Logger(label: "test"))
        try await withRunning([survivor, doomed]) {
            try await eventually { hub.receiving == 2 }
            let local = survivor.connect(user: "gil") { _ in }
            await survivor.join(local, room: "r")
            for user in ["hal", "ian"] { await doomed.join(doomed.connect(user: user) { _ in }, room: "r") }
            try await eventually { Set(survivor.members(of: "r").map(\.user)) == ["gil", "hal", "ian"] }
            try await eventually { Set(doomed.members(of: "r").map(\.user)) == ["gil", "hal", "ian"] }
            // The instance dies without a goodbye: only the heartbeat timeout can tell.
            failing.cut()
            let start = ContinuousClock.now
            try await eventually { survivor.members(of: "r").map(\.user) == ["gil"] }
            #expect(ContinuousClock.now - start < .seconds(2), "gone within the presence timeout and a heartbeat")
        }
    }

    @Test func aLateInstanceLearnsWhoIsAlreadyThere() async throws {
        var configuration = BroadcasterConfiguration()
        configuration.heartbeatInterval = .milliseconds(100)
        configuration.snapshotChunk = 3
        let hub = InProcessBroadcastHub()
        let early = Broadcaster(backend: hub.backend(), configuration: configuration, logger: Logger(label: "test"))
        try await withRunning([early]) {
            for number in 1...10 { await early.join(early.connect(user: "u\(number)") { _ in }, room: "r") }
            let late = Broadcaster(backend: hub.backend(), configuration: configuration, logger: Logger(label: "test"))
            try await withRunning([late]) {
                try await eventually { late.members(of: "r").count == 10 }
            }
        }
    }

    @Test func aConnectionThatOverflowsItsQueueIsClosedWithoutHoldingUpTheRoom() async throws {
        var configuration = BroadcasterConfiguration()
        configuration.sendQueueLimit = 8
        let broadcaster = Broadcaster(backend: InProcessBroadcastBackend(), configuration: configuration, logger: Logger(label: "test"))
        let closed = Mutex<[BroadcastConnection.CloseReason]>([])
        let slow = broadcaster.connect(user: "slow") { reason in closed.withLock { $0.append(reason) } }
        let fast = broadcaster.connect(user: "fast") { _ in }
        for connection in [slow, fast] { await broadcaster.join(connection, room: "r") }
        var received: [String] = []
        for number in 1...100 {
            await broadcaster.broadcast("\(number)", to: "r")
            received += await fast.next(1)
        }
        #expect(received == (1...100).map { "\($0)" })
        #expect(closed.withLock { $0 } == [.tooSlow], "closed once, as too slow")
        #expect(slow.closedBecause == .tooSlow)
        #expect(await slow.next(9).count == 8, "what was queued before the overflow is still there; nothing after")
    }

    @Test func shutdownClosesEveryConnectionAsGoingAway() async throws {
        let broadcaster = Broadcaster(backend: InProcessBroadcastBackend(), logger: Logger(label: "test"))
        let connection = broadcaster.connect(user: "jo") { _ in }
        try await withRunning([broadcaster]) {}
        #expect(connection.closedBecause == .goingAway)
    }
}

/// Runs `body` with `count` broadcasters on one hub, each running.
func withInstances(_ count: Int, _ body: (Broadcaster, Broadcaster) async throws -> Void) async throws {
    let hub = InProcessBroadcastHub()
    let instances = (0..<count).map { _ in Broadcaster(backend: hub.backend(), logger: Logger(label: "test")) }
    try await withRunning(instances) {
        try await eventually { hub.receiving == count }
        try await body(instances[0], instances[1])
    }
}

/// Runs the broadcasters for the duration of `body`, then cancels them and waits.
func withRunning(_ broadcasters: [Broadcaster], _ body: () async throws -> Void) async throws {
    let tasks = broadcasters.map { broadcaster in Task { try await broadcaster.run() } }
    do {
        try await body()
    } catch {
        for task in tasks { task.cancel() }
        throw error
    }
    for task in tasks {
        task.cancel()
        try await task.value
    }
}

/// Waits up to 5 s for `condition`.
func eventually(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within 5 s")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

extension BroadcastConnection {
    /// The next `count` queued messages, or fewer if the queue ends or 5 s pass.
    func next(_ count: Int) async -> [String] {
        let outbox = self.outbox
        let reader = Task {
            var messages: [String] = []
            for await message in outbox {
                messages.append(message)
                if messages.count == count { break }
            }
            return messages
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(5))
            reader.cancel()
        }
        defer { timeout.cancel() }
        return await reader.value
    }
}

/// A backend whose link can be cut, as a crashed instance's would be.
final class FailingBackend: BroadcastBackend {
    let base: InProcessBroadcastBackend
    private let isCut = Atomic<Bool>(false)

    init(base: InProcessBroadcastBackend) {
        self.base = base
    }

    func cut() {
        self.isCut.store(true, ordering: .relaxed)
    }

    func publish(_ payload: String) async throws {
        if !self.isCut.load(ordering: .relaxed) { try await self.base.publish(payload) }
    }

    func run(deliver: @escaping @Sendable (String) -> Void, onGap: @escaping @Sendable () -> Void) async throws {
        try await self.base.run(deliver: deliver, onGap: onGap)
    }
}
