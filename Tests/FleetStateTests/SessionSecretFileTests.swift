import Foundation
import Testing

@testable import FleetState

@Suite struct SessionSecretFileTests {
    @Test func theSecretIsGeneratedOnceAndKeptPrivate() throws {
        let directory = NSTemporaryDirectory() + "fleet-secret-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try SessionSecretFile.loadOrCreate(directory: directory)
        let second = try SessionSecretFile.loadOrCreate(directory: directory)
        #expect(first == second, "every worker and restart reads the same secret")
        #expect(first.utf8.count >= SessionSigner.minimumSecretLength)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + SessionSecretFile.name)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [SessionSecretFile.name], "no temporary file is left")
    }

    @Test func workersStartingTogetherAgreeOnOneSecret() async throws {
        let directory = NSTemporaryDirectory() + "fleet-secret-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secrets = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { try SessionSecretFile.loadOrCreate(directory: directory) }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(secrets.count == 1)
    }
}
