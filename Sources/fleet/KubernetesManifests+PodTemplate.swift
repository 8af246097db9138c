/// The pieces of a pod template both Deployments (the API's and the job workers') share,
/// each at the indentation it stands at in the manifest; interpolate one at the start of a line.
extension KubernetesManifests {
    /// Under the pod's `spec`: no container runs as root.
    var podSecurityContext: String {
        """
              securityContext:
                runAsNonRoot: true
                runAsUser: 10001
        """
    }

    /// Under the container: the app's ConfigMap and Secret, and the state directory in the environment.
    var containerEnvironment: String {
        """
                  envFrom:
                    - configMapRef:
                        name: \(self.options.name)-config
                    - secretRef:
                        name: \(self.options.name)-secrets
                  env:
                    - name: FLEET_STATE_DIR
                      value: /var/lib/fleet
        """
    }

    /// The container's end and the pod's volumes: a read-only root filesystem, so the
    /// embedded state (FLEET_STATE_DIR) gets a writable volume of its own.
    var readOnlyRootWithStateVolume: String {
        """
                  securityContext:
                    allowPrivilegeEscalation: false
                    readOnlyRootFilesystem: true
                  volumeMounts:
                    - name: state
                      mountPath: /var/lib/fleet
              volumes:
                - name: state
                  emptyDir: {}
        """
    }

    /// A HorizontalPodAutoscaler's `behavior`: up at once (double, or 4 pods, per 15 s,
    /// whichever is more), down after 5 minutes of lower load by at most `scaleDownPercent`
    /// of the pods a minute.
    /// - Parameters:
    ///   - scaleUpReason: the comment above `scaleUp`, why this autoscaler goes up so fast.
    ///   - scaleDownReason: the comment above `scaleDown`.
    ///   - scaleDownPercent: the share of the pods one minute may remove.
    func scalingBehavior(scaleUpReason: String, scaleDownReason: String, scaleDownPercent: Int) -> String {
        """
          behavior:
            # \(scaleUpReason)
            scaleUp:
              stabilizationWindowSeconds: 0
              selectPolicy: Max
              policies:
                - type: Percent
                  value: 100
                  periodSeconds: 15
                - type: Pods
                  value: 4
                  periodSeconds: 15
            # \(scaleDownReason)
            scaleDown:
              stabilizationWindowSeconds: 300
              selectPolicy: Min
              policies:
                - type: Percent
                  value: \(scaleDownPercent)
                  periodSeconds: 60
        """
    }
}
