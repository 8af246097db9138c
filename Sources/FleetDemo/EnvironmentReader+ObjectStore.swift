import FleetHTTP
import FleetState

extension EnvironmentReader {
    /// S3 when `S3_BUCKET` is set: `S3_ENDPOINT`, `S3_REGION`, `S3_ADDRESSING` (`path` or
    /// `virtual`), `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`; nil otherwise.
    /// - Throws: `ConfigurationError` naming the variable that is missing or does not parse.
    func s3Configuration() throws(ConfigurationError) -> S3Configuration? {
        guard let bucket = self.string("S3_BUCKET") else { return nil }
        let endpoint = try self.url("S3_ENDPOINT", schemes: ["http", "https"])
        guard let accessKeyID = self.string("AWS_ACCESS_KEY_ID") else {
            throw ConfigurationError(variable: "AWS_ACCESS_KEY_ID", value: "", accepted: "the access key id of S3_BUCKET's credentials")
        }
        guard let secret = self.string("AWS_SECRET_ACCESS_KEY") else {
            throw ConfigurationError(variable: "AWS_SECRET_ACCESS_KEY", value: "", accepted: "the secret key of S3_BUCKET's credentials")
        }
        var addressing: S3Configuration.Addressing?
        switch self.string("S3_ADDRESSING") {
        case nil: addressing = nil
        case "path": addressing = .path
        case "virtual": addressing = .virtualHost
        case let other?: throw ConfigurationError(variable: "S3_ADDRESSING", value: other, accepted: "path or virtual")
        }
        return S3Configuration(
            endpoint: endpoint, bucket: bucket, region: self.string("S3_REGION") ?? "us-east-1",
            accessKeyID: accessKeyID, secretAccessKey: secret, addressing: addressing
        )
    }
}
