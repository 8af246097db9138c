/// What a service exports about itself: Prometheus metrics on `/metrics`, and
/// OpenTelemetry traces over OTLP/HTTP, configured by the standard `OTEL_*` variables.
public struct ObservabilityConfiguration: Sendable {
    /// `METRICS`: serve `/metrics` and count requests, pools, caches and loop lag. Default on.
    public var metrics = true
    /// `METRICS_PORT`: also serve `/metrics` on this port plus the worker's `FLEET_INSTANCE`, on `HOST`:
    /// workers sharing the app's port cannot be scraped one by one there. Default none.
    public var metricsPort: Int?
    /// `BLOCK_ROUTE`: serve `GET /debug/block/N`, which blocks its event loop N ms (at most 5 s), to see the lag metric move. Default off.
    public var blockRoute = false
    /// On when `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
    /// `OTEL_TRACES_EXPORTER` is set, unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`:
    /// a service nobody collects from does not try to export every few seconds.
    public var tracing = false
    /// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`: which requests get a span, decided
    /// before one exists (see `TraceSampling`). Default `parentbased_always_on`, as OpenTelemetry's.
    public var traceSampling = TraceSampling()

    public init() {}
}

extension FleetConfiguration {
    mutating func readObservability(_ env: EnvironmentReader) throws(ConfigurationError) {
        self.observability.metrics = try env.boolean("METRICS") ?? true
        self.observability.metricsPort = try env.integer("METRICS_PORT", in: 1...65535)
        self.observability.blockRoute = try env.boolean("BLOCK_ROUTE") ?? false
        let disabled = try env.boolean("OTEL_SDK_DISABLED") ?? false
        let exporter = env.string("OTEL_TRACES_EXPORTER")
        let endpoint = env.string("OTEL_EXPORTER_OTLP_ENDPOINT") ?? env.string("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        self.observability.tracing = !disabled && exporter != "none" && (endpoint != nil || exporter != nil)
        let sampler = env.string("OTEL_TRACES_SAMPLER")
        let argument = env.string("OTEL_TRACES_SAMPLER_ARG")
        guard let sampling = TraceSampling(sampler: sampler, argument: argument) else {
            if let sampler, TraceSampling(sampler: sampler, argument: nil) == nil {
                throw ConfigurationError(
                    variable: "OTEL_TRACES_SAMPLER", value: sampler,
                    accepted: "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio"
                )
            }
            throw ConfigurationError(variable: "OTEL_TRACES_SAMPLER_ARG", value: argument ?? "", accepted: "a ratio from 0 to 1")
        }
        self.observability.traceSampling = sampling
    }
}
