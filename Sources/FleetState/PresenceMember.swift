/// A connection as presence lists it: its id (unique across instances) and its user.
public struct PresenceMember: Codable, Sendable, Hashable {
    /// The connection's id: `<instance>.<number>`.
    public var id: String
    /// Who is connected, as the application named them.
    public var user: String

    public init(id: String, user: String) {
        self.id = id
        self.user = user
    }
}
