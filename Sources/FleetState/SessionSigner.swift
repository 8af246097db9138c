import Crypto
import Foundation

/// Signs session ids into cookie values with HMAC-SHA256 and verifies them,
/// with a list of secrets for rotation: the first signs, every one verifies.
///
/// To rotate, put the new secret first and keep the old one after it until
/// every cookie it signed has expired (the absolute timeout), then drop it.
public struct SessionSigner: Sendable {
    /// The fewest bytes a secret may have: 256 bits, the strength HMAC-SHA256 offers.
    public static let minimumSecretLength = 32

    /// The secrets' bytes; `SymmetricKey` is not `Sendable`, so keys are made per use.
    private let secrets: [[UInt8]]

    /// - Parameter secrets: at least one secret of at least `minimumSecretLength` bytes; the first signs.
    /// - Throws: `FleetStateError` `.invalidConfiguration` when the list is empty or a secret is short.
    public init(secrets: [String]) throws(FleetStateError) {
        guard !secrets.isEmpty else {
            throw FleetStateError(.invalidConfiguration, "a session signer needs at least one secret")
        }
        for (index, secret) in secrets.enumerated() where secret.utf8.count < Self.minimumSecretLength {
            throw FleetStateError(
                .invalidConfiguration,
                "session secret \(index + 1) has \(secret.utf8.count) bytes; at least \(Self.minimumSecretLength) are needed"
            )
        }
        self.secrets = secrets.map { Array($0.utf8) }
    }

    /// The cookie value for `id`: `id.signature`, the signature in base64url.
    public func sign(_ id: SessionID) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(id.rawValue.utf8), using: SymmetricKey(data: self.secrets[0]))
        return id.rawValue + "." + Base64URL.encode(mac)
    }

    /// The id a cookie value carries when some secret signed it; nil for an
    /// unsigned, tampered or malformed value.
    public func verify(_ value: String) -> SessionID? {
        let encoded = value.lastIndex(of: ".").map { value[value.index(after: $0)...] } ?? ""
        guard let dot = value.lastIndex(of: "."),
            let id = SessionID(rawValue: String(value[..<dot])),
            let signature = Base64URL.decode(encoded),
            signature.count == SHA256.byteCount,
            // One spelling per MAC: base64's last character has spare bits, and a
            // changed spare bit must not pass as the same signature.
            Base64URL.encode(signature) == encoded
        else { return nil }
        let message = Array(id.rawValue.utf8)
        // isValidAuthenticationCode compares in constant time, so timing reveals nothing of the MAC.
        for secret in self.secrets where HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: message, using: SymmetricKey(data: secret)) {
            return id
        }
        return nil
    }
}
