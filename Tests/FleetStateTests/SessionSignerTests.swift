import Testing

@testable import FleetState

@Suite struct SessionSignerTests {
    static let old = String(repeating: "o", count: 32)
    static let new = String(repeating: "n", count: 40)

    @Test func aSignedIDVerifies() throws {
        let signer = try SessionSigner(secrets: [Self.old])
        let id = SessionID.random()
        #expect(signer.verify(signer.sign(id)) == id)
    }

    @Test func aSignatureWithItsSpareBitsChangedIsRefused() throws {
        let signer = try SessionSigner(secrets: [Self.old])
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for _ in 0..<20 {
            let cookie = signer.sign(SessionID.random())
            // 32 bytes take 43 characters; the last carries 4 bits of MAC and 2 spare ones.
            let last = try #require(alphabet.firstIndex(of: cookie.last!))
            let respelled = String(cookie.dropLast()) + String(alphabet[last ^ 1])
            #expect(signer.verify(respelled) == nil, "\(respelled) decodes to the same MAC but is not the signer's spelling")
        }
    }

    @Test func rotationSignsWithTheFirstAndVerifiesWithAll() throws {
        let before = try SessionSigner(secrets: [Self.old])
        let during = try SessionSigner(secrets: [Self.new, Self.old])
        let after = try SessionSigner(secrets: [Self.new])
        let id = SessionID.random()
        let oldCookie = before.sign(id)
        #expect(during.verify(oldCookie) == id, "a cookie signed before the rotation still verifies")
        let newCookie = during.sign(id)
        #expect(newCookie != oldCookie, "the new secret signs")
        #expect(after.verify(newCookie) == id)
        #expect(before.verify(newCookie) == nil)
        #expect(after.verify(oldCookie) == nil, "a retired secret verifies nothing")
    }

    @Test func tamperedUnsignedOrMalformedValuesAreRefused() throws {
        let signer = try SessionSigner(secrets: [Self.old])
        let id = SessionID.random()
        let cookie = signer.sign(id)
        let other = SessionID.random()
        let dot = try #require(cookie.firstIndex(of: "."))
        let signature = cookie[cookie.index(after: dot)...]
        let flipped = String(signature.first == "A" ? "B" : "A") + signature.dropFirst()
        for value in [
            id.rawValue,  // unsigned
            other.rawValue + "." + signature,  // another id under this id's signature
            id.rawValue + "." + flipped,  // a changed signature
            id.rawValue + "." + signature.dropLast(2),  // a truncated signature
            cookie + "x", "", ".", "not-a-cookie", String(repeating: "a", count: 200),
        ] {
            #expect(signer.verify(value) == nil, "accepted \(value)")
        }
    }

    @Test func shortOrMissingSecretsAreRefused() {
        #expect(throws: FleetStateError.self) { try SessionSigner(secrets: []) }
        #expect(throws: FleetStateError.self) { try SessionSigner(secrets: [Self.new, "too short"]) }
    }

    @Test func idsAreLongRandomAndWellFormed() {
        let ids = (0..<1000).map { _ in SessionID.random() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { SessionID(rawValue: $0.rawValue) == $0 && $0.rawValue.utf8.count * 6 >= 128 })
        #expect(SessionID(rawValue: "short") == nil)
        #expect(SessionID(rawValue: String(repeating: "+", count: 32)) == nil)
    }
}
