import Crypto
import NIOCore

/// The work behind `POST /reports`: SHA-256 of the body, then `rounds - 1` more
/// passes each over the previous digest and the whole body again, so the CPU
/// it takes grows with both and cannot be skipped.
enum ReportDigest {
    static func hex(of body: ByteBuffer, rounds: Int) -> String {
        var first = SHA256()
        body.withUnsafeReadableBytes { first.update(bufferPointer: $0) }
        var digest = first.finalize()
        for _ in 1..<max(1, rounds) {
            var hasher = SHA256()
            digest.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            body.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            digest = hasher.finalize()
        }
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
