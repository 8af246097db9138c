extension KubernetesManifests {
    /// The job workers' Deployment: `fleet work` in each pod, Kubernetes as its supervisor.
    var workerDeployment: String {
        let name = "\(self.options.name)-worker"
        let deadline = self.options.jobsShutdownDeadline
        return self.header + """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: \(name)
              labels:
                \(self.workerLabels)
            spec:
              # Its HorizontalPodAutoscaler owns the replica count from here on.
              replicas: \(self.options.workerMinReplicas)
              selector:
                matchLabels:
                  \(self.workerLabels)
              template:
                metadata:
                  labels:
                    \(self.workerLabels)
                spec:
                  # SIGTERM stops claiming; jobs in hand get JOBS_SHUTDOWN_DEADLINE, the rest go back to the queue.
                  terminationGracePeriodSeconds: \(deadline + 10)
            \(self.podSecurityContext)
                  containers:
                    - name: worker
                      image: \(self.options.image)
                      command: ["fleet", "work"]
                      ports:
                        - name: metrics
                          containerPort: 9464
            \(self.containerEnvironment)
                        - name: HOST
                          value: 0.0.0.0
                        # /metrics with fleet_jobs_waiting, the autoscaler's signal, and the processing rate.
                        - name: METRICS_PORT
                          value: "9464"
                        - name: JOBS_SHUTDOWN_DEADLINE
                          value: \(deadline)s
                      resources:
                        requests:
                          cpu: 500m
                          memory: 128Mi
                        limits:
                          cpu: "1"
                          memory: 256Mi
            \(self.readOnlyRootWithStateVolume)

            """
    }

    var workerLabels: String {
        "app.kubernetes.io/name: \(self.options.name)-worker"
    }

    /// Scales the workers on the jobs waiting in the queue: an external metric, as the
    /// depth belongs to the queue, not to a pod (prometheus-adapter: `max(fleet_jobs_waiting)`).
    var workerAutoscaler: String {
        self.header + """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: \(self.options.name)-worker
              labels:
                \(self.workerLabels)
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: \(self.options.name)-worker
              minReplicas: \(self.options.workerMinReplicas)
              maxReplicas: \(self.options.workerMaxReplicas)
              metrics:
                - type: External
                  external:
                    metric:
                      name: fleet_jobs_waiting
                      selector:
                        matchLabels:
                          queue: default
                    # Replicas = ceil(waiting jobs / this).
                    target:
                      type: AverageValue
                      averageValue: "\(self.options.jobsPerWorker)"
            \(self.scalingBehavior(
                scaleUpReason: "A backlog is work already late: up at once, doubling or 4 pods per 15 s.",
                scaleDownReason: "Down after 5 minutes of a smaller backlog; a stopping pod returns the jobs it cannot finish.",
                scaleDownPercent: 50
            ))

            """
    }
}
