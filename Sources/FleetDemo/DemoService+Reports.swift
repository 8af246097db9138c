import FleetHTTP
import Hummingbird
import NIOPosix

extension DemoService {
    /// `POST /reports` on an `Offload` pool sized by `OFFLOAD_THREADS` and `OFFLOAD_QUEUE`.
    /// - Returns: the pool, a service to run so a graceful shutdown stops its threads.
    static func registerReports<Context: RequestContext>(
        on router: some RouterMethods<Context>, configuration: FleetConfiguration, observability: FleetObservability?
    ) -> Offload {
        let offload = Offload(configuration: configuration.offload)
        if let observability { offload.observe(on: observability.samplers) }
        ReportRoutes(
            offload: offload,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            bodyLimit: configuration.bodyLimit,
            comparisons: configuration.benchmarkRoutes
        ).register(on: router)
        return offload
    }
}
