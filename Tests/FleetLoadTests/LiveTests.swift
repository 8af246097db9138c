import Testing

/// Runs that send real traffic over loopback, one at a time: timing assertions must not share the CPU with each other.
@Suite("Live loopback runs", .serialized)
struct LiveTests {}
