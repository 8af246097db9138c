/// A configuration value that does not parse; names the variable and what it accepts.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable (or flag) at fault, e.g. `PORT`.
    public var variable: String
    /// The value that was given.
    public var value: String
    /// What the variable accepts, e.g. `an integer from 0 to 65535`.
    public var accepted: String

    public init(variable: String, value: String, accepted: String) {
        self.variable = variable
        self.value = value
        self.accepted = accepted
    }

    public var description: String {
        "\(self.variable)=\"\(self.value)\" is not valid: expected \(self.accepted)"
    }
}
