/// What went wrong in the supervisor, with a code callers can branch on.
public struct SupervisorError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// Binding or listening failed.
        public static let socket = Code(name: "socket")
        /// A worker could not be started.
        public static let spawn = Code(name: "spawn")
        /// A new worker did not report ready in time; the old ones keep serving.
        public static let notReady = Code(name: "notReady")
        /// The control socket could not be reached or answered badly.
        public static let control = Code(name: "control")
        /// The request is not valid (an unknown command, a bad count).
        public static let invalidRequest = Code(name: "invalidRequest")
        public var description: String { self.name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
