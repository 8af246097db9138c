import Foundation
import Logging
import Testing

@testable import FleetState

@Suite struct SessionManagerTests {
    let configuration = SessionConfiguration(idleTimeout: .seconds(30 * 60), absoluteTimeout: .seconds(24 * 3600))

    @Test(arguments: SessionBackend.allCases)
    func aSignedCookieResumesItsSession(_ backend: SessionBackend) async throws {
        try await backend.withStores { first, second in
            let clock = TestClock()
            let created = try await SessionManager.test(first, clock: clock).create(userID: "7", fields: ["theme": "dark"])
            let cookie = try SessionManager.test(first, clock: clock).cookieValue(for: created.id)
            let resumed = try await SessionManager.test(second, clock: clock).resume(cookie: cookie)
            #expect(resumed == created)
        }
    }

    @Test(arguments: SessionBackend.allCases)
    func aTamperedOrUnknownCookieIsAnonymous(_ backend: SessionBackend) async throws {
        try await backend.withStores { store, _ in
            let clock = TestClock()
            let sessions = try SessionManager.test(store, clock: clock)
            let created = try await sessions.create(userID: "7")
            let cookie = sessions.cookieValue(for: created.id)
            let forged = try SessionManager(store: store, signer: SessionSigner(secrets: [String(repeating: "x", count: 32)]))
            #expect(try await sessions.resume(cookie: String(cookie.dropLast()) + (cookie.last == "A" ? "B" : "A")) == nil)
            #expect(try await sessions.resume(cookie: created.id.rawValue) == nil, "an unsigned id")
            #expect(try await sessions.resume(cookie: forged.cookieValue(for: created.id)) == nil, "signed with another secret")
            #expect(try await sessions.resume(cookie: sessions.cookieValue(for: .random())) == nil, "signed, but no such session")
            #expect(try await sessions.resume(cookie: cookie) != nil)
        }
    }

    @Test(arguments: SessionBackend.allCases)
    func anIdleSessionExpires(_ backend: SessionBackend) async throws {
        try await backend.withStores { store, _ in
            let clock = TestClock()
            let sessions = try SessionManager.test(store, clock: clock, configuration: configuration)
            let cookie = sessions.cookieValue(for: try await sessions.create(userID: "7").id)
            clock.advance(by: .seconds(29 * 60))
            #expect(try await sessions.resume(cookie: cookie) != nil, "29 minutes idle is within 30")
            // That request extended the idle deadline from now.
            clock.advance(by: .seconds(29 * 60))
            #expect(try await sessions.resume(cookie: cookie) != nil)
            clock.advance(by: .seconds(30 * 60))
            #expect(try await sessions.resume(cookie: cookie) == nil, "30 minutes without a request")
        }
    }

    @Test(arguments: SessionBackend.allCases)
    func anActiveSessionStillEndsAtTheAbsoluteTimeout(_ backend: SessionBackend) async throws {
        try await backend.withStores { store, _ in
            let clock = TestClock()
            let sessions = try SessionManager.test(store, clock: clock, configuration: configuration)
            let cookie = sessions.cookieValue(for: try await sessions.create(userID: "7").id)
            for _ in 0..<(24 * 6 - 1) {
                clock.advance(by: .seconds(10 * 60))
                #expect(try await sessions.resume(cookie: cookie) != nil)
            }
            clock.advance(by: .seconds(10 * 60))
            #expect(try await sessions.resume(cookie: cookie) == nil, "24 hours after it began")
        }
    }

    @Test(arguments: SessionBackend.allCases)
    func touchingIsThrottled(_ backend: SessionBackend) async throws {
        try await backend.withStores { base, _ in
            let clock = TestClock()
            let store = TouchCountingStore(base)
            let sessions = try SessionManager.test(store, clock: clock, configuration: configuration)
            let cookie = sessions.cookieValue(for: try await sessions.create(userID: "7").id)
            // One request a minute: with 30 minutes idle and the default threshold (half), the
            // deadline is written when under 15 minutes remain, at minutes 16, 32 and 48.
            for _ in 0..<60 {
                clock.advance(by: .seconds(60))
                #expect(try await sessions.resume(cookie: cookie) != nil)
            }
            #expect(store.touchCount == 3, "60 requests over an hour wrote the deadline \(store.touchCount) times")
        }
    }

    @Test(arguments: SessionBackend.allCases)
    func concurrentWritesOfDifferentFieldsBothSurvive(_ backend: SessionBackend) async throws {
        try await backend.withStores { first, second in
            let clock = TestClock()
            let one = try SessionManager.test(first, clock: clock)
            let other = try SessionManager.test(second, clock: clock)
            let created = try await one.create(userID: "7", fields: ["kept": "yes"])
            let cookie = one.cookieValue(for: created.id)
            // Two requests (on two workers) read the session, then each writes its own field.
            let seenByFirst = try #require(try await one.resume(cookie: cookie))
            let seenBySecond = try #require(try await other.resume(cookie: cookie))
            async let a = one.update(seenByFirst.id, set: ["cart": "3 items"])
            async let b = other.update(seenBySecond.id, set: ["theme": "dark"], remove: ["kept"])
            #expect(try await [a, b] == [true, true])
            let fields = try #require(try await one.resume(cookie: cookie)).fields
            #expect(fields == ["cart": "3 items", "theme": "dark"])
        }
    }

    @Test(arguments: SessionBackend.allCases)
    func regenerateIssuesANewIDAndKillsTheOld(_ backend: SessionBackend) async throws {
        try await backend.withStores { store, _ in
            let clock = TestClock()
            let sessions = try SessionManager.test(store, clock: clock)
            let planted = try await sessions.create(userID: nil, fields: ["cart": "1"])
            let loggedIn = try await sessions.regenerate(planted, userID: "7")
            #expect(loggedIn.id != planted.id)
            #expect(loggedIn.userID == "7")
            #expect(loggedIn.fields == ["cart": "1"], "the session's data carries over")
            #expect(try await sessions.resume(cookie: sessions.cookieValue(for: planted.id)) == nil)
            #expect(try await sessions.resume(cookie: sessions.cookieValue(for: loggedIn.id))?.userID == "7")
        }
    }

    @Test(arguments: SessionBackend.allCases)
    func destroyAllEndsEverySessionOfTheUserAndNoOther(_ backend: SessionBackend) async throws {
        try await backend.withStores { first, second in
            let clock = TestClock()
            let one = try SessionManager.test(first, clock: clock)
            let other = try SessionManager.test(second, clock: clock)
            let mine = [try await one.create(userID: "7"), try await other.create(userID: "7"), try await one.create(userID: "7")]
            let theirs = try await other.create(userID: "8")
            #expect(try await other.destroyAll(userID: "7") == 3)
            for session in mine {
                #expect(try await one.resume(cookie: one.cookieValue(for: session.id)) == nil)
            }
            #expect(try await one.resume(cookie: one.cookieValue(for: theirs.id)) != nil)
            #expect(try await one.destroyAll(userID: "7") == 0)
        }
    }

    @Test(arguments: SessionBackend.allCases)
    func anEndedSessionIsNotBroughtBackByAWrite(_ backend: SessionBackend) async throws {
        try await backend.withStores { store, _ in
            let sessions = try SessionManager.test(store, clock: TestClock())
            let created = try await sessions.create(userID: "7")
            try await sessions.destroy(created.id)
            #expect(try await sessions.update(created.id, set: ["late": "write"]) == false)
            #expect(try await store.load(created.id) == nil)
        }
    }

    @Test func theEmbeddedStoreIsPrivateToItsUser() async throws {
        let directory = NSTemporaryDirectory() + "fleet-sessions-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteSessionStore.open(path: directory + "/sessions.sqlite", logger: Logger(label: "test"))
        try await store.close()
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/sessions.sqlite")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}
