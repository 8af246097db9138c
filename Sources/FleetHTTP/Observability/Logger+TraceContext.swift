import Logging
import OTel

extension Logger.MetadataProvider {
    /// `trace_id`, `span_id` and `trace_flags` of the span the line is logged in, when there is one.
    public static let traceContext = OTel.makeLoggingMetadataProvider()
}
