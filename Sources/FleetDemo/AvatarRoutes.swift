import FleetHTTP
import FleetState
import HTTPTypes
import Hummingbird
import NIOCore

/// `PUT/GET/DELETE /users/:id/avatar`: a user's picture in the object store, so every
/// instance serves what any instance received. Uploads stream to the store as they arrive.
struct AvatarRoutes<Store: UserStore>: Sendable {
    static var mediaTypes: Set<String> { ["image/png", "image/jpeg", "image/gif", "image/webp"] }

    let users: Store
    let objects: any ObjectStore
    /// The largest avatar accepted, in bytes.
    let limit: Int

    func register<Context: RequestContext>(on router: some RouterMethods<Context>) {
        router.put("/users/:id/avatar") { request, context in
            try await self.upload(request, context)
        }
        router.get("/users/:id/avatar") { request, context in
            try await self.download(request, context)
        }
        router.delete("/users/:id/avatar") { _, context in
            let id = try UserRoutes<Store>.id(context)
            guard try await self.objects.delete(Self.key(id)) else { throw Self.noAvatar(id) }
            return Response(status: .noContent)
        }
    }

    func upload(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try UserRoutes<Store>.id(context)
        let mediaType = request.headers[.contentType].map(Self.mediaType) ?? ""
        guard Self.mediaTypes.contains(mediaType) else {
            throw Problem(
                "unsupported-media-type",
                title: "Unsupported media type",
                status: .unsupportedMediaType,
                detail: "An avatar is one of \(Self.mediaTypes.sorted().joined(separator: ", ")), not \"\(mediaType)\".",
                field: "Content-Type"
            )
        }
        if let declared = request.headers[.contentLength], (Int(declared) ?? .max) > self.limit {
            throw Problem.bodyTooLarge(limit: self.limit)
        }
        guard try await self.users.user(id: id) != nil else { throw UserRoutes<Store>.noUser(id) }
        let info: ObjectInfo
        do {
            info = try await self.objects.put(Self.key(id), body: request.body, contentType: mediaType, maxSize: self.limit)
        } catch let error as FleetStateError where error.code == .objectTooLarge {
            throw Problem.bodyTooLarge(limit: self.limit)
        }
        return Response(status: .noContent, headers: [.eTag: info.etag])
    }

    func download(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let id = try UserRoutes<Store>.id(context)
        let key = try Self.key(id)
        // With S3 the client fetches the bytes from the bucket: no instance streams them.
        if let url = self.objects.presignedURL(key, method: "GET") {
            guard try await self.objects.exists(key) else { throw Self.noAvatar(id) }
            return Response(status: .found, headers: [.location: url, .cacheControl: "no-store"])
        }
        guard let object = try await self.objects.get(key) else { throw Self.noAvatar(id) }
        var headers: HTTPFields = [
            .eTag: object.info.etag,
            .cacheControl: "no-cache",
            .contentType: object.info.contentType,
            // Uploaded bytes are never sniffed into something executable.
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        if let tags = request.headers[.ifNoneMatch], StaticFiles.matches(tags, etag: object.info.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(object.info.size)
        let body = ResponseBody(contentLength: object.info.size) { writer in
            try await object.write { try await writer.write($0) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    static func key(_ id: Int64) throws -> ObjectKey {
        try ObjectKey("avatars/\(id)")
    }

    /// `image/PNG; charset=x` is `image/png`.
    static func mediaType(_ header: String) -> String {
        (header.split(separator: ";").first ?? "").split(separator: " ").first.map { $0.lowercased() } ?? ""
    }

    static func noAvatar(_ id: Int64) -> Problem {
        .notFound("User \(id) has no avatar.", field: "id")
    }
}
