import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The users API: create, read, replace, delete and list with keyset pagination.
struct UserRoutes<Store: UserStore>: Sendable {
    static var defaultPageSize: Int { 20 }
    static var maxPageSize: Int { 100 }
    static var link: HTTPField.Name { HTTPField.Name("Link")! }

    let store: Store
    let bodyLimit: Int

    func register<Context: RequestContext>(on router: some RouterMethods<Context>) {
        router.post("/users") { request, _ in
            let input = try await self.input(from: request)
            let user = try await self.unique { try await self.store.create(input) }
            return Self.json(user.json, status: .created, location: "/users/\(user.id)")
        }
        router.get("/users/:id") { _, context in
            let id = try Self.id(context)
            guard let user = try await self.store.user(id: id) else { throw Self.noUser(id) }
            return Self.json(user.json)
        }
        router.put("/users/:id") { request, context in
            let id = try Self.id(context)
            let input = try await self.input(from: request)
            guard let user = try await self.unique({ try await self.store.update(id: id, input) }) else { throw Self.noUser(id) }
            return Self.json(user.json)
        }
        router.delete("/users/:id") { _, context in
            let id = try Self.id(context)
            guard try await self.store.delete(id: id) else { throw Self.noUser(id) }
            return Response(status: .noContent)
        }
        router.get("/users") { request, _ in
            try await self.page(request)
        }
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
