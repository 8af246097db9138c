/// Which jobs a consumer takes first: every waiting `high` job before any
/// `normal` one, every `normal` before any `low`.
public enum JobPriority: Int, Sendable, CaseIterable {
    case high = 0
    case normal = 1
    case low = 2
}
