import FleetState
import Foundation
import Testing

/// Avatars through two `fleet serve` processes on one state directory: what one
/// receives the other serves, and a 200 MiB upload streams through in flat memory.
@Suite(.serialized) struct AvatarProcessTests {
    /// The peak resident set of `pid` in KiB (`VmHWM`).
    func peakRSS(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return try #require(Int(line.split(separator: " ")[1]))
    }

    @Test func anUploadThroughOneWorkerIsServedByTheOtherWithFlatMemory() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-avatar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let state = base.appendingPathComponent("state").path
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let upload = base.appendingPathComponent("upload.bin")
        // 200 MiB of a repeating, non-constant pattern, written in 1 MiB pieces.
        #expect(FileManager.default.createFile(atPath: upload.path, contents: nil))
        let handle = try FileHandle(forWritingTo: upload)
        let piece = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) })
        for _ in 0..<200 { handle.write(piece) }
        try handle.close()
        let environment = ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "AVATAR_LIMIT": "256MiB"]
        let workers = [try FleetProcess(["serve"], environment: environment), try FleetProcess(["serve"], environment: environment)]
        var ports: [Int] = []
        for worker in workers { ports.append(try await worker.listeningPort()) }
        let created = try Curl.run(["-H", "Content-Type: application/json", "--data", #"{"name":"Big","email":"avatar-\#(UUID().uuidString)@example.com"}"#, "http://127.0.0.1:\(ports[0])/users"])
        let id = try #require(try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])["id"] as? Int
        let url = "/users/\(try #require(id))/avatar"

        let before = try self.peakRSS(workers[0].process.processIdentifier)
        let status = try Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "Content-Type: image/png", "-H", "Expect:", "-T", upload.path, "http://127.0.0.1:\(ports[0])\(url)"])
        #expect(status == "204")
        let after = try self.peakRSS(workers[0].process.processIdentifier)
        print("avatar upload of 200 MiB through fleet serve: peak RSS \(before / 1024) MiB before, \(after / 1024) MiB after")
        #expect(after - before < 64 * 1024, "peak RSS grew by \((after - before) / 1024) MiB for a 200 MiB upload")

        let downloaded = base.appendingPathComponent("download.bin").path
        let got = try Curl.run(["-o", downloaded, "-w", "%{http_code} %{content_type}", "http://127.0.0.1:\(ports[1])\(url)"])
        #expect(got == "200 image/png")
        #expect(FileManager.default.contentsEqual(atPath: downloaded, andPath: upload.path), "the other worker serves the same bytes")
        #expect(try Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", "http://127.0.0.1:\(ports[1])\(url)"]) == "204")
        #expect(try Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(ports[0])\(url)"]) == "404")
        for worker in workers {
            worker.signal(SIGTERM)
            #expect(try await worker.exitStatus() == 0)
        }
    }

    @Test(.enabled(if: S3TestServer.enabled, "set S3_ENDPOINT (see .ci/run) to run against moto_server"))
    func withS3AReadRedirectsToAPresignedURL() async throws {
        let s3 = try S3TestServer.openConfiguration()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-avatar-s3-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = [
            "PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "S3_ENDPOINT": s3.endpoint, "S3_BUCKET": s3.bucket,
            "AWS_ACCESS_KEY_ID": s3.accessKeyID, "AWS_SECRET_ACCESS_KEY": s3.secretAccessKey,
        ]
        let worker = try FleetProcess(["serve"], environment: environment)
        let port = try await worker.listeningPort()
        let created = try Curl.run(["-H", "Content-Type: application/json", "--data", #"{"name":"S3","email":"s3-\#(UUID().uuidString)@example.com"}"#, "http://127.0.0.1:\(port)/users"])
        let id = try #require(try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])["id"] as? Int
        let url = "http://127.0.0.1:\(port)/users/\(try #require(id))/avatar"
        #expect(try Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "Content-Type: image/gif", "--data-binary", "GIF89a-bytes", url]) == "204")
        let redirect = try Curl.run(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", url])
        #expect(redirect.hasPrefix("302 \(s3.endpoint)/\(s3.bucket)/avatars/"), "\(redirect)")
        #expect(try Curl.run(["--location", url]) == "GIF89a-bytes", "the bucket serves the bytes")
        #expect(try Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", url]) == "204")
        let missing = try Curl.run(["-w", " %{http_code} %{content_type}", url])
        #expect(missing.hasSuffix(" 404 application/problem+json"), "no redirect to a missing object: \(missing)")
        worker.signal(SIGTERM)
        #expect(try await worker.exitStatus() == 0)
    }
}
