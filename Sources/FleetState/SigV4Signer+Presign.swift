extension SigV4Signer {
    /// The query string of a presigned URL: anyone holding it may `method` the path until it expires.
    /// - Parameters:
    ///   - method: `GET` to download, `PUT` to upload.
    ///   - host: the `Host` the URL is for, with the port when it is not the scheme's default.
    ///   - path: the URI-encoded path.
    ///   - expires: seconds the URL stays valid, 1 to 604800.
    ///   - time: when it is signed, in seconds since 1970.
    /// - Returns: the query, starting without `?`, with `X-Amz-Signature` last.
    public func presignedQuery(method: String, host: String, path: String, expires: Int, time: Int) -> String {
        let query = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(self.accessKeyID)/\(self.scope(time: time))"),
            ("X-Amz-Date", Self.timestamp(time)),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", "host"),
        ]
        let signature = self.signature(
            method: method, path: path, query: query, canonicalHeaders: "host:\(host)\n", signedHeaders: "host",
            payloadHash: "UNSIGNED-PAYLOAD", time: time
        )
        return Self.canonicalQuery(query) + "&X-Amz-Signature=\(signature)"
    }
}
