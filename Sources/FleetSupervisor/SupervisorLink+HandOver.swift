import NIOConcurrencyHelpers
import NIOPosix
import ServiceLifecycle

extension SupervisorLink {
    /// The worker's side of the hand-over: says `prepared`, then waits for `accept`.
    ///
    /// A graceful shutdown (the supervisor's SIGTERM) ends the wait: a worker
    /// stopped before it accepted has nothing to drain, and its `accept` may
    /// never come, so waiting would hold the stop until the SIGKILL.
    /// - Parameter descriptor: the supervisor link (`FLEET_IPC_FD`).
    /// - Returns: true once the worker may accept; false if it is stopping or the supervisor is gone.
    public static func prepareAndWaitForAccept(descriptor: Int32) async throws -> Bool {
        self.send("prepared", descriptor: descriptor)
        let stopping = NIOLockedValueBox(false)
        return try await withGracefulShutdownHandler {
            try await NIOThreadPool.singleton.runIfActive {
                self.waitFor("accept", descriptor: descriptor) { stopping.withLockedValue { $0 } }
            }
        } onGracefulShutdown: {
            stopping.withLockedValue { $0 = true }
        }
    }
}
