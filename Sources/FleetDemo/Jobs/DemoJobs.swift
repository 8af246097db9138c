import FleetHTTP
import FleetState
import Foundation

/// The demo's job handlers, by name: what `fleet work` runs and `POST /jobs` accepts.
///
/// - `credit` `{"account": "a", "amount": 5, "work_ms": 100}`: works for `work_ms`,
///   then credits the account once per idempotency key (the job's id when it has none);
///   the result is `{"account", "balance", "deliveries"}`.
/// - `echo`: returns its payload at once (the queue's own cost per job, for the benchmark).
public enum DemoJobs {
    /// The names `handlers` answers to.
    public static let names: Set<String> = ["credit", "echo"]

    /// The handlers, with the credit job's effects in `ledger`.
    public static func handlers(ledger: some JobLedger) -> [String: JobWorker.Handler] {
        [
            "credit": { job in try await Self.credit(job, ledger: ledger) },
            "echo": { job in job.payload },
        ]
    }

    static func credit(_ job: ClaimedJob, ledger: some JobLedger) async throws -> [UInt8] {
        let input = try JSONDecoder().decode(CreditPayload.self, from: Data(job.payload))
        if let work = input.workMilliseconds, work > 0 { try await Task.sleep(for: .milliseconds(min(work, 60_000))) }
        let deliveries = try await ledger.credit(key: job.idempotencyKey ?? job.id.rawValue, account: input.account, amount: input.amount)
        let balance = try await ledger.balance(account: input.account)
        let result = CreditResult(account: input.account, balance: balance, deliveries: deliveries)
        return Array(try JSONEncoder().encode(result))
    }
}

struct CreditPayload: Decodable {
    var account: String
    var amount: Int
    var workMilliseconds: Int?

    enum CodingKeys: String, CodingKey {
        case account, amount
        case workMilliseconds = "work_ms"
    }
}

struct CreditResult: Encodable {
    var account: String
    var balance: Int
    var deliveries: Int
}

extension DemoJobs {
    /// Checks a payload as its handler will read it, so a bad one is refused at `POST /jobs`, not dead-lettered later.
    static func validate(_ request: JobRequest) throws(Problem) {
        guard request.name == "credit" else { return }
        let payload: CreditPayload
        do {
            payload = try JSONDecoder().decode(CreditPayload.self, from: Data(request.payload))
        } catch {
            throw Problem.invalidField("payload", #"payload must be {"account": string, "amount": integer, "work_ms": optional integer}."#)
        }
        guard !payload.account.isEmpty, payload.account.utf8.count <= 100 else {
            throw Problem.invalidField("payload.account", "payload.account must be a string of 1 to 100 bytes.")
        }
        guard (0...60_000).contains(payload.workMilliseconds ?? 0) else {
            throw Problem.invalidField("payload.work_ms", "payload.work_ms must be from 0 to 60000.")
        }
    }
}
