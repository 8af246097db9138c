import Foundation
import Testing

/// `fleet deploy nginx|k8s` as a user runs it: what it writes follows the flags,
/// and a bad flag is refused with a message naming it. (.ci/deploy-check
/// validates the output with nginx -t and kubernetes-validate.)
@Suite struct DeployCommandTests {
    func fleet(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let command = try FleetProcess(arguments, environment: [:])
        let status = try await command.exitStatus(timeout: .seconds(60))
        return (status, command.lines.joined(separator: "\n"))
    }

    @Test func nginxBalancesOverEveryUpstreamAndNeverRetriesWrites() async throws {
        let (status, config) = try await self.fleet(["deploy", "nginx", "--upstream", "10.1.0.1:8080", "--upstream", "[fd00::2]:9000", "--max-fails", "5"])
        #expect(status == 0)
        #expect(config.contains("least_conn;"))
        #expect(config.contains("server 10.1.0.1:8080 max_fails=5 fail_timeout=10s;"))
        #expect(config.contains("server [fd00::2]:9000 max_fails=5 fail_timeout=10s;"))
        #expect(config.contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"))
        #expect(config.contains("proxy_next_upstream error timeout;"))
        let directives = config.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        #expect(!directives.contains { $0.contains("non_idempotent") }, "a POST nginx passed on is never sent to a second host")
    }

    @Test(arguments: [
        (["deploy", "nginx"], "--upstream is required"),
        (["deploy", "nginx", "--upstream", "10.1.0.1"], "--upstream must be HOST:PORT"),
        (["deploy", "nginx", "--upstream", "10.1.0.1:80", "--fail-timeout", "soon"], "--fail-timeout must be a duration"),
        (["deploy", "k8s", "--min-replicas", "3", "--max-replicas", "2"], "--min-replicas and --max-replicas"),
        (["deploy", "k8s", "--name", "Fleet_App"], "--name must be a DNS label"),
        (["deploy", "k8s", "--cpu-target", "150"], "--cpu-target must be a percentage"),
    ])
    func badFlagsAreNamed(arguments: [String], message: String) async throws {
        let (status, output) = try await self.fleet(arguments)
        #expect(status == 64)
        #expect(output.contains(message), "\(output)")
    }

    @Test func kubernetesGraceCoversPreStopAndDrain() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-k8s-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, output) = try await self.fleet(["deploy", "k8s", "--drain-timeout", "60s", "--pre-stop", "10s", "--workers", "4", "--output", directory])
        #expect(status == 0, "\(output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["config.yaml", "deployment.yaml", "hpa.yaml", "pdb.yaml", "service.yaml", "worker-deployment.yaml", "worker-hpa.yaml"])
        let deployment = try String(contentsOfFile: "\(directory)/deployment.yaml", encoding: .utf8)
        // preStop 10 s + the supervisor's stop timeout (drain 60 s + 5 s) + 5 s.
        #expect(deployment.contains("terminationGracePeriodSeconds: 80"))
        #expect(deployment.contains(#""--stop-timeout", "65s""#))
        #expect(deployment.contains(#""-i", "4""#))
        #expect(deployment.contains("seconds: 10"))
        let config = try String(contentsOfFile: "\(directory)/config.yaml", encoding: .utf8)
        #expect(config.contains("DRAIN_TIMEOUT: 60s"))
    }
}
