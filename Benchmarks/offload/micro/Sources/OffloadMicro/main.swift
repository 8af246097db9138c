import Foundation
import NIOPosix

// Each way runs `jobs` tiny closures from `callers` concurrent tasks, so the
// figure is the hand-off cost (there and back) per job, in wall time and in CPU.
let jobs = Int(ProcessInfo.processInfo.environment["JOBS"] ?? "") ?? 200_000
let callers = Int(ProcessInfo.processInfo.environment["CALLERS"] ?? "") ?? 16
let threads = ProcessInfo.processInfo.activeProcessorCount

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

func measure(_ name: String, _ job: @escaping @Sendable (Int) async throws -> Int) async throws {
    let cpu = cpuSeconds()
    let start = ContinuousClock.now
    let sum = try await withThrowingTaskGroup(of: Int.self) { group in
        for caller in 0..<callers {
            group.addTask {
                var sum = 0
                for index in stride(from: caller, to: jobs, by: callers) { sum &+= try await job(index) }
                return sum
            }
        }
        return try await group.reduce(0, &+)
    }
    let elapsed = ContinuousClock.now - start
    let wall = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
    let cpuMicros = (cpuSeconds() - cpu) * 1e6
    print("\(name) wall_us_per_job=\(String(format: "%.2f", wall / Double(jobs))) cpu_us_per_job=\(String(format: "%.2f", cpuMicros / Double(jobs))) check=\(sum % 7)")
}

let pool = NIOThreadPool(numberOfThreads: threads)
pool.start()
let executor = ThreadTaskExecutor(threads: threads)
// A job must really run on the executor's threads, or the comparison measures nothing.
// (Top-level code is on the main actor, which a task executor preference does not move.)
nonisolated func hops(to executor: ThreadTaskExecutor) async -> Bool {
    await withTaskExecutorPreference(executor) { ThreadTaskExecutor.onExecutorThread }
}
let hopped = await hops(to: executor)
precondition(hopped, "withTaskExecutorPreference did not move the job")
for _ in 0..<3 {
    try await measure("nio_thread_pool") { index in try await pool.runIfActive { index &* 31 } }
    try await measure("task_executor") { index in await withTaskExecutorPreference(executor) { index &* 31 } }
}
try await pool.shutdownGracefully()
