import FleetSupervisor
import ServiceLifecycle

/// The hand-over of a process that serves no port (a job worker) with its
/// supervisor: `prepared` once the services it guards are set up, `ready` once
/// the supervisor says `accept`, and `released` as soon as a stop begins, so a
/// rolling reload starts the replacement at once while this one finishes its jobs.
public struct SupervisedWorker: Service {
    let link: Int32

    /// - Parameter link: the supervisor link (`FleetConfiguration.supervisorLink`).
    public init(link: Int32) {
        self.link = link
    }

    public func run() async throws {
        let link = self.link
        guard try await SupervisorLink.prepareAndWaitForAccept(descriptor: link) else { return }
        // Reading the link relays the bus and notices the supervisor's death (`WorkerBus.startReading`).
        WorkerBus.current?.startReading()
        SupervisorLink.send("ready", descriptor: link)
        try? await gracefulShutdown()
        SupervisorLink.send("released", descriptor: link)
    }
}
