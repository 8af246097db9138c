import ArgumentParser
import Foundation

/// `fleet deploy k8s`: a Deployment, Service, HorizontalPodAutoscaler,
/// PodDisruptionBudget, ConfigMap and Secret for a fleet on Kubernetes.
struct DeployKubernetes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "k8s",
        abstract: "Print Kubernetes manifests (Deployment, Service, HPA, PDB, ConfigMap, Secret, and the job workers' Deployment and HPA), or write one file each with --output.",
        discussion: "Each pod runs fleet start -i WORKERS; drain order on a rollout or scale-in: preStop sleep (endpoints removed), SIGTERM, drain, exit."
    )

    @Option(help: "The app's name: names and labels of every object.")
    var name: String = "fleet"

    @Option(help: "The container image; fleet must be on its PATH.")
    var image: String = "registry.example.com/fleet:1.0.0"

    @Option(help: "The container port.")
    var port: Int = 8080

    @Option(help: "Worker processes per pod (fleet start -i).")
    var workers: Int = 2

    @Option(name: .customLong("min-replicas"), help: "The autoscaler's floor.")
    var minReplicas: Int = 2

    @Option(name: .customLong("max-replicas"), help: "The autoscaler's ceiling.")
    var maxReplicas: Int = 20

    @Option(name: .customLong("cpu-target"), help: "Average CPU utilization the autoscaler aims for, in percent of the request.")
    var cpuTarget: Int = 70

    @Option(name: .customLong("rps-target"), help: "Average http_requests_per_second per pod the autoscaler aims for (needs a custom metrics adapter).")
    var rpsTarget: Int = 500

    @Option(name: .customLong("worker-min-replicas"), help: "The job workers' autoscaler's floor.")
    var workerMinReplicas: Int = 1

    @Option(name: .customLong("worker-max-replicas"), help: "The job workers' autoscaler's ceiling.")
    var workerMaxReplicas: Int = 10

    @Option(name: .customLong("jobs-per-worker"), help: "Waiting jobs per worker pod the workers' autoscaler aims for (external metric fleet_jobs_waiting).")
    var jobsPerWorker: Int = 10

    @Option(name: .customLong("jobs-shutdown-deadline"), help: "Seconds a stopping worker pod may finish its jobs before returning them (JOBS_SHUTDOWN_DEADLINE).")
    var jobsShutdownDeadline: Int = 20

    @Option(name: .customLong("drain-timeout"), help: "DRAIN_TIMEOUT of each worker, e.g. 30s.")
    var drainTimeout: String = "30s"

    @Option(name: .customLong("pre-stop"), help: "How long a terminating pod keeps serving while its endpoint is removed, e.g. 5s.")
    var preStop: String = "5s"

    @Option(help: "Write one file per object kind into this directory instead of printing.")
    var output: String?

    func validate() throws {
        guard self.name.range(of: #"^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$"#, options: .regularExpression) != nil else {
            throw ValidationError("--name must be a DNS label (lower-case letters, digits, '-'), not \(self.name)")
        }
        guard !self.image.isEmpty, !self.image.contains(" ") else { throw ValidationError("--image must be an image reference, not '\(self.image)'") }
        guard (1...65535).contains(self.port) else { throw ValidationError("--port must be from 1 to 65535, not \(self.port)") }
        guard (1...64).contains(self.workers) else { throw ValidationError("--workers must be from 1 to 64, not \(self.workers)") }
        guard self.minReplicas >= 1, self.maxReplicas >= self.minReplicas, self.maxReplicas <= 1000 else {
            throw ValidationError("--min-replicas and --max-replicas must satisfy 1 <= min <= max <= 1000, not \(self.minReplicas) and \(self.maxReplicas)")
        }
        guard (1...100).contains(self.cpuTarget) else { throw ValidationError("--cpu-target must be a percentage from 1 to 100, not \(self.cpuTarget)") }
        guard self.workerMinReplicas >= 1, self.workerMaxReplicas >= self.workerMinReplicas, self.workerMaxReplicas <= 1000 else {
            throw ValidationError("--worker-min-replicas and --worker-max-replicas must satisfy 1 <= min <= max <= 1000, not \(self.workerMinReplicas) and \(self.workerMaxReplicas)")
        }
        guard self.jobsPerWorker >= 1 else { throw ValidationError("--jobs-per-worker must be at least 1, not \(self.jobsPerWorker)") }
        guard (1...3600).contains(self.jobsShutdownDeadline) else {
            throw ValidationError("--jobs-shutdown-deadline must be from 1 to 3600 seconds, not \(self.jobsShutdownDeadline)")
        }
        guard self.rpsTarget >= 1 else { throw ValidationError("--rps-target must be at least 1, not \(self.rpsTarget)") }
        _ = try Deploy.seconds(self.drainTimeout, flag: "--drain-timeout")
        _ = try Deploy.seconds(self.preStop, flag: "--pre-stop")
    }

    func run() throws {
        let manifests = KubernetesManifests(options: self)
        try Deploy.emit(manifests.files, to: self.output)
    }
}
