import NIOCore

/// Where uploads live so that any instance can serve them: S3-compatible object
/// storage in production, `EmbeddedObjectStore` under the state directory on one machine.
///
/// Keys are paths of `[A-Za-z0-9._-]` segments joined by `/` (`avatars/42`); see `ObjectKey`.
public protocol ObjectStore: Sendable {
    /// Stores `body` under `key`, replacing any object there once the whole body is in.
    ///
    /// The body is written as it arrives, never held whole in memory; readers see the old
    /// object or the new one, never a part.
    /// - Parameters:
    ///   - key: the object's key.
    ///   - body: the bytes, in chunks.
    ///   - contentType: the media type stored with the object.
    ///   - maxSize: the most bytes accepted; more throws `FleetStateError.Code.objectTooLarge`.
    /// - Returns: what was stored.
    func put<Body: AsyncSequence>(_ key: ObjectKey, body: Body, contentType: String, maxSize: Int) async throws -> ObjectInfo
    where Body.Element == ByteBuffer

    /// The object under `key` with its bytes ready to stream, or nil when there is none.
    func get(_ key: ObjectKey) async throws -> StoredObject?

    /// Removes the object under `key`.
    /// - Returns: whether there was one.
    func delete(_ key: ObjectKey) async throws -> Bool

    /// Whether there is an object under `key`, without reading it: before sending a client to
    /// a presigned URL, so a missing object is the application's 404, not the bucket's.
    func exists(_ key: ObjectKey) async throws -> Bool

    /// A URL a client may `GET` or `PUT` the object at directly, or nil when the store has none
    /// (then the application streams the object itself).
    func presignedURL(_ key: ObjectKey, method: String) -> String?
}

/// What the store knows of an object.
public struct ObjectInfo: Sendable, Equatable {
    /// The object's length in bytes.
    public var size: Int
    /// The media type given when it was stored.
    public var contentType: String
    /// A strong entity tag of this version of the object.
    public var etag: String

    /// Creates the description of an object.
    public init(size: Int, contentType: String, etag: String) {
        self.size = size
        self.contentType = contentType
        self.etag = etag
    }
}

/// An object found in a store: its description and its bytes, read as they are written out.
public struct StoredObject: Sendable {
    /// What the store knows of the object.
    public let info: ObjectInfo
    private let stream: @Sendable (_ write: (ByteBuffer) async throws -> Void) async throws -> Void

    /// - Parameters:
    ///   - info: the object's description.
    ///   - stream: calls `write` with each chunk of the object's bytes, in order.
    public init(info: ObjectInfo, stream: @escaping @Sendable (_ write: (ByteBuffer) async throws -> Void) async throws -> Void) {
        self.info = info
        self.stream = stream
    }

    /// Calls `write` with each chunk of the object's bytes, in order; call it once.
    public func write(to write: (ByteBuffer) async throws -> Void) async throws {
        try await self.stream(write)
    }
}
