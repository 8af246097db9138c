import Foundation

/// What instances tell each other through a `BroadcastBackend`, as one JSON object.
struct BroadcastEnvelope: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        /// `text` to the members of `room`, but `except`.
        case room
        /// `text` to every connection, but `except`.
        case all
        /// `text` to connection `target` only.
        case direct
        /// `member` joined or left `room` on `origin`.
        case join, leave
        /// `origin` is alive with `count` memberships.
        case alive
        /// `target` (every instance when nil) should send its snapshot.
        case sync
        /// Part of `origin`'s memberships; `reset` on the first part.
        case snapshot
        /// `origin` is shutting down: forget its members now.
        case bye
    }

    var kind: Kind
    var origin: String
    var room: String?
    var text: String?
    var except: String?
    var target: String?
    var member: PresenceMember?
    var count: Int?
    var rooms: [String: [PresenceMember]]?
    var reset: Bool?

    init(_ kind: Kind, origin: String) {
        self.kind = kind
        self.origin = origin
    }

    func encoded() -> String {
        // Encoding a struct of strings and numbers cannot fail.
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ text: String) -> BroadcastEnvelope? {
        try? JSONDecoder().decode(BroadcastEnvelope.self, from: Data(text.utf8))
    }
}
