import FleetSupervisor
import Hummingbird
import Logging
import Metrics
import NIOCore
import OTel
import Prometheus
import ServiceLifecycle
import Tracing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process's metrics and tracing, set up once at start: swift-metrics on a
/// Prometheus registry served at `/metrics`, swift-distributed-tracing on
/// swift-otel's OTLP exporter; the event-loop lag probe; process readings.
public struct FleetObservability: Sendable {
    /// Where every metric of the process is registered; nil with `METRICS=off`.
    public let registry: PrometheusCollectorRegistry?
    /// Readings taken on each scrape; add the pools' and caches' here.
    public let samplers = ScrapeSamplers()
    /// Whether spans are recorded and exported.
    public let tracing: Bool
    /// Which requests get a span; nil traces every one.
    public let sampler: TraceSampler?
    let tracingService: (any Service)?

    /// Not bootstrapped: for tests that bootstrap the systems themselves.
    public init(registry: PrometheusCollectorRegistry?, tracing: Bool, sampler: TraceSampler? = nil, tracingService: (any Service)? = nil) {
        self.registry = registry
        self.tracing = tracing
        self.sampler = sampler
        self.tracingService = tracingService
        if registry != nil {
            let process = ProcessMetrics()
            self.samplers.add { process.sample() }
        }
    }

    /// Bootstraps `MetricsSystem` and `InstrumentationSystem` as `configuration` says; call once, at start.
    /// - Throws: an OTel configuration error when an `OTEL_*` variable does not parse.
    public static func bootstrap(configuration: ObservabilityConfiguration) throws -> FleetObservability {
        var registry: PrometheusCollectorRegistry?
        if configuration.metrics {
            let prometheus = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(Self.metricsFactory(registry: prometheus))
            registry = prometheus
        }
        var service: (any Service)?
        if configuration.tracing {
            var otel = OTel.Configuration.default
            otel.logs.enabled = false
            // Metrics go to Prometheus; OTLP carries the traces.
            otel.metrics.enabled = false
            // Fleet samples before a span exists (TraceSampling); the exporter follows that
            // decision. swift-otel reads these variables from the environment over the configuration.
            otel.traces.sampler = .parentBasedAlwaysOn
            unsetenv("OTEL_TRACES_SAMPLER")
            unsetenv("OTEL_TRACES_SAMPLER_ARG")
            let backend = try OTel.makeTracingBackend(configuration: otel)
            InstrumentationSystem.bootstrap(backend.factory)
            service = backend.service
        }
        let sampler = configuration.tracing ? TraceSampler(configuration.traceSampling) : nil
        return FleetObservability(registry: registry, tracing: configuration.tracing, sampler: sampler, tracingService: service)
    }

    /// swift-prometheus as swift-metrics' backend, with OpenTelemetry's names and buckets fit for HTTP and loop lag.
    public static func metricsFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = PrometheusNaming.sanitize
        let fine: [Duration] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2)]
        factory.defaultDurationHistogramBuckets = fine + factory.defaultDurationHistogramBuckets
        return factory
    }

    /// What must run beside the server: the lag probe on `eventLoopGroup`, the span
    /// exporter, and the worker's own metrics port when `METRICS_PORT` is set.
    public func services(eventLoopGroup: any EventLoopGroup, configuration: FleetConfiguration, logger: Logger) -> [any Service] {
        var services: [any Service] = []
        if let tracingService {
            services.append(EventLoopBoundService(base: tracingService, executor: EventLoopTaskExecutor(eventLoopGroup.next())))
        }
        guard self.registry != nil else { return services }
        services.append(EventLoopLagMonitor(eventLoopGroup: eventLoopGroup))
        if let base = configuration.observability.metricsPort {
            let port = base + (configuration.instance ?? 0)
            services.append(MetricsHTTPServer(host: configuration.host, port: port, logger: logger) { String(decoding: self.scrape(), as: UTF8.self) })
        }
        return services
    }

    /// Every metric now, in Prometheus' text format; the scrape readings are taken first.
    public func scrape() -> [UInt8] {
        self.samplers.sample()
        return self.registry?.emitToBuffer() ?? []
    }

    /// Gives `fastRoutes` the tracer, when tracing is on, so fast answers get server spans too.
    public func configure(_ fastRoutes: inout FastRoutes) {
        if self.tracing {
            fastRoutes.tracer = InstrumentationSystem.tracer
            fastRoutes.traceSampler = self.sampler
        }
    }

    /// Adds the request metrics and server spans to `router`, and serves `GET /metrics`;
    /// call before adding routes, as the middleware sees only routes added after it.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        if self.registry != nil {
            router.add(middleware: MetricsMiddleware())
            router.get("/metrics") { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: self.scrape()))
                )
            }
        }
        if self.tracing {
            router.add(middleware: SampledTracingMiddleware(sampler: self.sampler))
        }
    }
}
