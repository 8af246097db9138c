/// One versioned step of the schema. Versions only grow; a step is never edited
/// once released, a new one is added instead.
struct Migration: Sendable {
    let version: Int
    let statements: [String]
}
