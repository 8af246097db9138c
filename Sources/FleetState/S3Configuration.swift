/// Where `S3ObjectStore` keeps objects: an S3 bucket or an S3-compatible server.
public struct S3Configuration: Sendable {
    /// How a bucket appears in URLs.
    public struct Addressing: Sendable, Equatable, CustomStringConvertible {
        private enum Value { case path, virtualHost }
        private let value: Value
        /// `http://endpoint/bucket/key`: any S3-compatible server, no wildcard DNS needed.
        public static let path = Addressing(value: .path)
        /// `https://bucket.endpoint/key`: AWS's default.
        public static let virtualHost = Addressing(value: .virtualHost)
        public var description: String { self.value == .path ? "path" : "virtual" }
    }

    /// `S3_ENDPOINT`: the server's base URL, e.g. `http://127.0.0.1:9000`. Default `https://s3.<region>.amazonaws.com`.
    public var endpoint: String
    /// `S3_BUCKET`: the bucket.
    public var bucket: String
    /// `S3_REGION`: the region requests are signed for. Default `us-east-1`.
    public var region: String
    /// `AWS_ACCESS_KEY_ID`.
    public var accessKeyID: String
    /// `AWS_SECRET_ACCESS_KEY`.
    public var secretAccessKey: String
    /// `S3_ADDRESSING`: `path` or `virtual`. Default virtual-host on AWS, path elsewhere.
    public var addressing: Addressing
    /// Bodies up to this size go in one `PUT`; larger ones in parts of this size (S3's least is 5 MiB). Default 8 MiB.
    public var partSize: Int = 8 << 20
    /// How long presigned URLs stay valid. Default 15 minutes.
    public var presignedExpiry: Duration = .seconds(900)

    /// - Parameters:
    ///   - endpoint: the server's base URL; nil for AWS in `region`.
    ///   - bucket: the bucket.
    ///   - region: the signing region.
    ///   - accessKeyID: the access key id.
    ///   - secretAccessKey: the secret key.
    ///   - addressing: path or virtual-host style; nil picks virtual-host on AWS and path elsewhere.
    public init(endpoint: String?, bucket: String, region: String = "us-east-1", accessKeyID: String, secretAccessKey: String, addressing: Addressing? = nil) {
        let endpoint = endpoint ?? "https://s3.\(region).amazonaws.com"
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.bucket = bucket
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.addressing = addressing ?? (self.endpoint.hasSuffix(".amazonaws.com") ? .virtualHost : .path)
    }
}
