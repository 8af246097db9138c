import Foundation

extension EnvironmentReader {
    /// A comma-separated list of secrets, each at least `minimumBytes` long.
    /// A short secret is named by its position, never quoted, so it stays out of logs.
    public func secrets(_ name: String, minimumBytes: Int) throws(ConfigurationError) -> [String]? {
        guard let raw = self.string(name) else { return nil }
        let secrets = raw.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for (index, secret) in secrets.enumerated() where secret.utf8.count < minimumBytes {
            throw ConfigurationError(
                variable: name,
                value: "<secret \(index + 1) of \(secrets.count): \(secret.utf8.count) bytes>",
                accepted: "comma-separated secrets of at least \(minimumBytes) bytes each"
            )
        }
        return secrets
    }
}
