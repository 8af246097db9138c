import FleetHTTP
import FleetState
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The users API: create, read, replace, delete and list with keyset pagination.
/// Reads of one user go through `cache` when there is one; writes invalidate it.
struct UserRoutes<Store: UserStore>: Sendable {
    static var defaultPageSize: Int { 20 }
    static var maxPageSize: Int { 100 }
    static var link: HTTPField.Name { HTTPField.Name("Link")! }

    let store: Store
    let cache: Cache?
    let bodyLimit: Int

    func register<Context: RequestContext>(on router: some RouterMethods<Context>) {
        router.post("/users") { request, context in
            let input = try await self.input(from: request)
            let user = try await self.unique { try await self.store.create(input) }
            // A read of this id before it existed may have cached "no such user".
            await self.invalidate(user.id, context)
            return Self.json(user.json, status: .created, location: "/users/\(user.id)")
        }
        router.get("/users/:id") { _, context in
            let id = try Self.id(context)
            guard let json = try await self.userJSON(id) else { throw Self.noUser(id) }
            return Self.json(json)
        }
        router.put("/users/:id") { request, context in
            let id = try Self.id(context)
            let input = try await self.input(from: request)
            let updated = try await self.unique { try await self.store.update(id: id, input) }
            await self.invalidate(id, context)
            guard let user = updated else { throw Self.noUser(id) }
            return Self.json(user.json)
        }
        router.delete("/users/:id") { _, context in
            let id = try Self.id(context)
            let deleted = try await self.store.delete(id: id)
            await self.invalidate(id, context)
            guard deleted else { throw Self.noUser(id) }
            return Response(status: .noContent)
        }
        router.get("/users") { request, _ in
            try await self.page(request)
        }
    }

    /// The user's JSON, cached as the bytes of the response body so a hit encodes nothing.
    func userJSON(_ id: Int64) async throws -> ByteBuffer? {
        guard let cache = self.cache else { return try await self.store.user(id: id)?.json }
        return try await cache.getOrLoad(Self.cacheKey(id)) { try await self.store.freshUser(id: id)?.json }
    }

    /// Drops the user from every instance's cache, once the store write has committed.
    func invalidate(_ id: Int64, _ context: some RequestContext) async {
        guard let cache = self.cache else { return }
        do {
            try await cache.invalidate(Self.cacheKey(id))
        } catch {
            // The write stands; other instances may serve the old user until the TTL ends.
            context.logger.error("cache invalidation failed", metadata: ["cache.error": "\(error)"])
        }
    }

    static func cacheKey(_ id: Int64) -> String {
        "users:" + String(id)
    }

    func page(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = try Self.integer(query.get("limit"), name: "limit", in: 1...Int64(Self.maxPageSize)).map(Int.init) ?? Self.defaultPageSize
        let after = try Self.integer(query.get("after"), name: "after", in: 0...Int64.max) ?? 0
        // One extra row says whether there is a next page without a COUNT.
        var users = try await self.store.list(after: after, limit: limit + 1)
        let hasMore = users.count > limit
        if hasMore { users.removeLast() }
        var body = #"{"users":["#
        for (index, user) in users.enumerated() {
            if index > 0 { body += "," }
            user.appendJSON(to: &body)
        }
        body += "],\"next\":"
        var headers: HTTPFields = [.contentType: "application/json"]
        if hasMore, let last = users.last {
            body += "\(last.id)}"
            headers[Self.link] = "</users?after=\(last.id)&limit=\(limit)>; rel=\"next\""
        } else {
            body += "null}"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func input(from request: Request) async throws -> UserInput {
        try UserInput.parse(try await request.jsonBody(limit: self.bodyLimit))
    }

    func unique<T>(_ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch UserStoreError.duplicateEmail {
            throw Problem.conflict("email", "A user with this email already exists.")
        }
    }

    static func id(_ context: some RequestContext) throws(Problem) -> Int64 {
        guard let id = try Self.integer(context.parameters.get("id"), name: "id", in: 1...Int64.max) else {
            throw Problem.invalidParameter("id", "id is required.")
        }
        return id
    }

    static func integer(_ raw: String?, name: String, in range: ClosedRange<Int64>) throws(Problem) -> Int64? {
        guard let raw else { return nil }
        let digits = raw.hasPrefix("-") ? raw.utf8.dropFirst() : raw.utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw Problem.invalidParameter(name, "\(name) must be an integer, not \"\(raw)\".")
        }
        // All digits but no Int64: too large, which is out of range too.
        guard let value = Int64(raw), range.contains(value) else {
            throw Problem.invalidParameter(name, "\(name) must be between \(range.lowerBound) and \(range.upperBound).")
        }
        return value
    }

    static func noUser(_ id: Int64) -> Problem {
        .notFound("No user with id \(id).", field: "id")
    }

    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok, location: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
