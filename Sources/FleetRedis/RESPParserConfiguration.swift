/// Limits that keep a hostile or broken server from exhausting memory.
public struct RESPParserConfiguration: Sendable {
    /// Largest bulk string, blob error or verbatim string accepted, in bytes.
    /// Default 512 MiB, Redis's own `proto-max-bulk-len`.
    public var maximumBulkLength: Int = 512 * 1024 * 1024
    /// Largest element count an aggregate may declare. Default `Int32.max`.
    public var maximumAggregateCount: Int = Int(Int32.max)
    /// Deepest nesting of aggregates accepted. Default 64.
    public var maximumDepth: Int = 64
    /// Longest line (simple string, simple error, number) accepted, in bytes. Default 1 MiB.
    public var maximumLineLength: Int = 1024 * 1024

    /// The defaults.
    public init() {}
}
