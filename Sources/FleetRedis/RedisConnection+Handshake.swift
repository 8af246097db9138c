import Logging

extension RedisConnection {
    /// `HELLO 3 [AUTH user pass] [SETNAME name]`, or AUTH and CLIENT SETNAME on RESP2
    /// (asked for, or because the server does not know HELLO); then SELECT.
    func handshake(_ configuration: RedisConnectionConfiguration) async throws {
        var resp3 = configuration.protocolVersion == .resp3
        if resp3 {
            var hello = RedisCommand("HELLO", "3")
            if let password = configuration.password {
                hello.append("AUTH")
                hello.append(configuration.username ?? "default")
                hello.append(password)
            }
            if let name = configuration.clientName {
                hello.append("SETNAME")
                hello.append(name)
            }
            do {
                _ = try await execute(hello)
            } catch let error as RedisError where Self.refusesHello(error, withPassword: configuration.password != nil) {
                logger.debug("redis server refused HELLO 3, using RESP2", metadata: ["redis.error": "\(error)"])
                resp3 = false
            }
        }
        setNegotiated(resp3 ? .resp3 : .resp2)
        if !resp3 {
            if let password = configuration.password {
                if let username = configuration.username {
                    _ = try await execute(RedisCommand("AUTH", username, password))
                } else {
                    _ = try await execute(RedisCommand("AUTH", password))
                }
            }
            if let name = configuration.clientName {
                _ = try await execute(RedisCommand("CLIENT", "SETNAME", name))
            }
        }
        if configuration.database != 0 {
            _ = try await execute(RedisCommand("SELECT", configuration.database))
        }
    }

    /// Servers before 6.0 answer `ERR unknown command 'HELLO'`, or `NOAUTH` when they
    /// require a password (they check it before looking the command up; a server that
    /// knows HELLO takes the password in it); some proxies answer `NOPROTO`.
    static func refusesHello(_ error: RedisError, withPassword: Bool) -> Bool {
        error.code == .server("NOPROTO")
            || (error.code == .noAuth && withPassword)
            || (error.code == .err && error.message.lowercased().hasPrefix("unknown command"))
    }
}
