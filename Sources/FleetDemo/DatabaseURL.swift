import FleetHTTP
import Foundation
import NIOSSL
import PostgresNIO

/// Turns `DATABASE_URL` (`postgres://user:pass@host:port/db?sslmode=...`) into a client configuration.
enum DatabaseURL {
    /// - Parameter variable: the variable the URL came from, named in the error.
    static func configuration(_ url: String, variable: String = "DATABASE_URL") throws(ConfigurationError) -> PostgresClient.Configuration {
        let accepted = "postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]"
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
            let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty
        else {
            throw ConfigurationError(variable: variable, value: Self.redacted(url), accepted: accepted)
        }
        let database = String(components.path.drop { $0 == "/" })
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw ConfigurationError(variable: variable, value: Self.redacted(url), accepted: accepted)
        }
        return PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: user,
            password: components.percentEncodedPassword?.removingPercentEncoding,
            database: database.isEmpty ? nil : database,
            tls: tls
        )
    }

    /// The URL without its password, for error messages and logs.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}
