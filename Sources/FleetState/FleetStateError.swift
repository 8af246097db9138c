/// The one error type of FleetState: a code to match on, a message for people,
/// and the error underneath when there is one.
public struct FleetStateError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A state file could not be opened, sized or mapped.
        public static let sharedMemory = Code("sharedMemory")
        /// A state file was written by a different layout and cannot be shared.
        public static let layoutMismatch = Code("layoutMismatch")
        /// The backend (Redis, SQLite) failed to answer.
        public static let backendUnavailable = Code("backendUnavailable")
        /// A configuration value is out of range.
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// An object key that is not a safe path (`ObjectKey`).
        public static let invalidKey = Code("invalidKey")
        /// An object body larger than the limit given to `ObjectStore.put`.
        public static let objectTooLarge = Code("objectTooLarge")
        /// A job request out of range: its name, attempts, delay or idempotency key.
        public static let invalidJob = Code("invalidJob")
        /// A job payload or result larger than the queue's `maxPayloadBytes`.
        public static let jobTooLarge = Code("jobTooLarge")
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(message): \(underlying)" }
        return message
    }
}
