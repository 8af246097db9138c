#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
internal import NIOPosix

/// An object store in a directory (under the state directory): one file per object,
/// shared by every worker of the machine.
///
/// A write goes to a temporary file, is synced, then renamed over the key's file, so a
/// reader on any worker sees the old object or the new one whole. Each file starts with
/// a one-line header and the content type, so both change in the same rename.
public struct EmbeddedObjectStore: ObjectStore {
    static let magic = "fleet-object 1\n"
    static let chunkSize = 64 * 1024

    let directory: String
    let threadPool: NIOThreadPool
    let allocator = ByteBufferAllocator()

    /// Opens the store; its blocking file calls run on NIO's shared thread pool.
    /// - Parameter directory: where objects are kept, e.g. `.fleet/objects`; created when missing.
    /// - Throws: `FleetStateError.Code.backendUnavailable` when the directory cannot be created.
    public init(directory: String) throws(FleetStateError) {
        self.directory = directory
        self.threadPool = .singleton
        try Self.makeDirectories("\(directory)/.tmp")
    }

    public func put<Body: AsyncSequence>(_ key: ObjectKey, body: Body, contentType: String, maxSize: Int) async throws -> ObjectInfo
    where Body.Element == ByteBuffer {
        guard !contentType.isEmpty, contentType.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            throw FleetStateError(.invalidConfiguration, "content type \(contentType.debugDescription) is not printable ASCII")
        }
        let temporary = "\(self.directory)/.tmp/\(String(UInt64.random(in: .min ... .max), radix: 16))"
        let file = try await self.threadPool.runIfActive {
            guard let file = try ObjectFile.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL) else {
                throw ObjectFile.failure("create \(temporary)")
            }
            return file
        }
        do {
            let header = ByteBuffer(string: Self.magic + contentType + "\n")
            try await self.threadPool.runIfActive { try file.write(header) }
            var size = 0
            for try await chunk in body {
                size += chunk.readableBytes
                guard size <= maxSize else {
                    throw FleetStateError(.objectTooLarge, "object \(key) is larger than \(maxSize) bytes")
                }
                try await self.threadPool.runIfActive { try file.write(chunk) }
            }
            let path = self.path(key)
            let modified = try await self.threadPool.runIfActive {
                try file.sync()
                let modified = try file.status().modified
                file.close()
                if let slash = path.lastIndex(of: "/") { try Self.makeDirectories(String(path[..<slash])) }
                guard rename(temporary, path) == 0 else { throw ObjectFile.failure("rename to \(path)") }
                return modified
            }
            return ObjectInfo(size: size, contentType: contentType, etag: Self.etag(size: size, modified: modified))
        } catch {
            file.close()
            unlink(temporary)
            throw error
        }
    }

    public func get(_ key: ObjectKey) async throws -> StoredObject? {
        let path = self.path(key)
        let allocator = self.allocator
        let opened: (ObjectFile, Int, ObjectInfo)? = try await self.threadPool.runIfActive {
            guard let file = try ObjectFile.open(path, flags: O_RDONLY) else { return nil }
            var head = try file.read(at: 0, count: 1024, allocator: allocator)
            guard head.readString(length: Self.magic.utf8.count) == Self.magic,
                let newline = head.readableBytesView.firstIndex(of: UInt8(ascii: "\n")),
                let contentType = head.readString(length: newline - head.readerIndex)
            else { throw FleetStateError(.backendUnavailable, "object file \(path) has no valid header") }
            let offset = head.readerIndex + 1
            let status = try file.status()
            let size = status.size - offset
            return (file, offset, ObjectInfo(size: size, contentType: contentType, etag: Self.etag(size: size, modified: status.modified)))
        }
        guard let (file, offset, info) = opened else { return nil }
        let threadPool = self.threadPool
        return StoredObject(info: info) { write in
            // The descriptor keeps this version readable even if a newer one is renamed over it.
            defer { file.close() }
            var position = offset
            let end = offset + info.size
            while position < end {
                let count = min(Self.chunkSize, end - position)
                let chunk = try await threadPool.runIfActive { [position] in try file.read(at: position, count: count, allocator: allocator) }
                guard chunk.readableBytes > 0 else { throw FleetStateError(.backendUnavailable, "object \(key) ended early") }
                position += chunk.readableBytes
                try await write(chunk)
            }
        }
    }

    public func delete(_ key: ObjectKey) async throws -> Bool {
        let path = self.path(key)
        return try await self.threadPool.runIfActive {
            guard unlink(path) == 0 else {
                if errno == ENOENT { return false }
                throw ObjectFile.failure("unlink \(path)")
            }
            return true
        }
    }

    /// Nil: the files are reachable only through the application.
    public func presignedURL(_ key: ObjectKey, method: String) -> String? {
        nil
    }

    public func exists(_ key: ObjectKey) async throws -> Bool {
        let path = self.path(key)
        return try await self.threadPool.runIfActive { access(path, F_OK) == 0 }
    }

    func path(_ key: ObjectKey) -> String {
        "\(self.directory)/\(key.rawValue)"
    }

    static func etag(size: Int, modified: Int64) -> String {
        "\"\(String(size, radix: 16))-\(String(modified, radix: 16))\""
    }

    static func makeDirectories(_ path: String) throws(FleetStateError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for segment in path.split(separator: "/") {
            prefix += "/\(segment)"
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else { throw ObjectFile.failure("mkdir \(prefix)") }
        }
    }
}
