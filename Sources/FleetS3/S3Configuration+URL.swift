import FleetState

extension S3Configuration {
    /// The base URL of the bucket and the `Host` header that goes with it.
    var bucketBase: (url: String, host: String, pathPrefix: String) {
        let schemeEnd = self.endpoint.firstRange(of: "://").map(\.upperBound) ?? self.endpoint.startIndex
        let scheme = self.endpoint[..<schemeEnd]
        let authority = self.endpoint[schemeEnd...].prefix { $0 != "/" }
        if self.addressing == .virtualHost {
            return ("\(scheme)\(self.bucket).\(authority)", "\(self.bucket).\(authority)", "")
        }
        return ("\(scheme)\(authority)", String(authority), "/\(SigV4Signer.encode(self.bucket))")
    }
}
