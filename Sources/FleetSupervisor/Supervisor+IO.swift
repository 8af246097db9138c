#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOCore
import NIOPosix

extension Supervisor {
    /// Forwards a worker's stdout and stderr, line by line, to the log sink.
    nonisolated func readOutput(_ descriptor: Int32, instance: Int, pid: pid_t) async {
        let name = self.configuration.name
        await readLines(descriptor) { line in
            await self.logSink?.write(line: line, app: name, instance: instance, pid: pid)
            await self.record(output: line, pid: pid)
        }
    }

    /// Reads the worker's messages on its link: `prepared`, `ready` and
    /// `released` for the hand-over, `publish` for the other workers, `backlog` for the autoscaler.
    nonisolated func readLink(_ descriptor: Int32, pid: pid_t) async {
        await readLines(descriptor) { line in
            guard let data = line.data(using: .utf8),
                let message = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let type = message["type"] as? String
            else { return }
            if type == "publish" {
                await self.relay(line + "\n", from: pid)
            } else if type == SupervisorLink.backlogType, let waiting = message["waiting"] as? Int {
                await self.backlogReported(waiting: waiting)
            } else {
                await self.workerSent(type, pid: pid)
            }
        }
    }

    /// Passes a published line to every other ready worker. A worker whose
    /// link stays full for a second misses it: delivery is at most once.
    func relay(_ line: String, from pid: pid_t) {
        for slot in self.slots {
            guard let worker = slot.worker, worker.ready, worker.pid != pid else { continue }
            if !SupervisorLink.write(line: line, descriptor: worker.link) {
                self.logger.warning("a worker's link is full, message dropped", metadata: ["worker.pid": "\(worker.pid)"])
            }
        }
    }
}
