#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), as S3 and every S3-compatible store check it.
///
/// Paths are given already URI-encoded, as they go on the wire (S3 encodes each path
/// segment once); query parameters and headers are given raw and canonicalised here.
public struct SigV4Signer: Sendable {
    /// The access key id (`AWS_ACCESS_KEY_ID`).
    public let accessKeyID: String
    let secretAccessKey: String
    /// The region requests are signed for, e.g. `us-east-1`.
    public let region: String
    /// The service requests are signed for: `s3`.
    public let service: String

    /// - Parameters:
    ///   - accessKeyID: the access key id.
    ///   - secretAccessKey: the secret key; it never leaves this value except as HMACs.
    ///   - region: the region, e.g. `us-east-1`.
    ///   - service: the service, `s3` for object storage.
    public init(accessKeyID: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    /// The `Authorization` header of a request.
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - path: the URI-encoded path, e.g. `/bucket/avatars/42`.
    ///   - query: the query parameters, not encoded.
    ///   - headers: the headers to sign, `host` and `x-amz-date` among them.
    ///   - payloadHash: the hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    ///   - time: the `x-amz-date` of the request, in seconds since 1970.
    public func authorization(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String, time: Int
    ) -> String {
        let canonical = Self.canonicalHeaders(headers)
        let signature = self.signature(
            method: method, path: path, query: query, canonicalHeaders: canonical.text, signedHeaders: canonical.names,
            payloadHash: payloadHash, time: time
        )
        return "AWS4-HMAC-SHA256 Credential=\(self.accessKeyID)/\(self.scope(time: time)), SignedHeaders=\(canonical.names), Signature=\(signature)"
    }

    func signature(
        method: String, path: String, query: [(String, String)], canonicalHeaders: String, signedHeaders: String, payloadHash: String, time: Int
    ) -> String {
        let canonicalRequest = [method, path, Self.canonicalQuery(query), canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let stringToSign = [
            "AWS4-HMAC-SHA256", Self.timestamp(time), self.scope(time: time), Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: self.signingKey(time: time)))
    }

    /// `20150830/us-east-1/s3/aws4_request`.
    func scope(time: Int) -> String {
        "\(Self.timestamp(time).prefix(8))/\(self.region)/\(self.service)/aws4_request"
    }

    func signingKey(time: Int) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(self.secretAccessKey)".utf8))
        for part in [String(Self.timestamp(time).prefix(8)), self.region, self.service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// Lower-case names sorted, values trimmed with inner runs of spaces made one; and the names joined by `;`.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (text: String, names: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(trimmed)
        }
        let names = merged.keys.sorted()
        let text = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (text, names.joined(separator: ";"))
    }

    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (Self.encode($0.0), Self.encode($0.1)) }
        // Encoded strings are ASCII, so String order is byte order, as AWS sorts.
        let sorted = encoded.sorted { left, right in left.name == right.name ? left.value < right.value : left.name < right.name }
        return sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of all but the unreserved characters; `/` kept when `keepingSlashes`.
    public static func encode(_ string: String, keepingSlashes: Bool = false) -> String {
        var encoded = ""
        for byte in string.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:  // A-Z a-z 0-9 - . _ ~
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case 0x2F where keepingSlashes:  // /
                encoded.unicodeScalars.append("/")
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(digits[Int(byte >> 4)])
                encoded.unicodeScalars.append(digits[Int(byte & 0xF)])
            }
        }
        return encoded
    }

    /// `20150830T123600Z`.
    public static func timestamp(_ time: Int) -> String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// Lower-case hex of `bytes`, as SigV4 writes hashes and signatures.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
