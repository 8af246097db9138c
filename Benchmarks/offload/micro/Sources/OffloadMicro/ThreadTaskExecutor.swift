import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The smallest thread-backed `TaskExecutor`: `threads` threads take jobs from
/// one locked queue, the shape a dedicated offload executor would have.
final class ThreadTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init(threads: Int) {
        for _ in 0..<threads {
            Thread {
                pthread_setspecific(Self.marker, UnsafeRawPointer(bitPattern: 1))
                self.loop()
            }.start()
        }
    }

    /// Set on the executor's own threads, to check that jobs really hop to them.
    nonisolated(unsafe) static var marker: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var onExecutorThread: Bool { pthread_getspecific(Self.marker) != nil }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.condition.lock()
        self.jobs.append(job)
        self.condition.signal()
        self.condition.unlock()
    }

    private func loop() {
        while true {
            self.condition.lock()
            while self.jobs.isEmpty { self.condition.wait() }
            let job = self.jobs.removeFirst()
            self.condition.unlock()
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
