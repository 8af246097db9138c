// A worker for the supervisor's tests: a Fleet app whose faults can be
// triggered on request. It adopts the supervisor's socket the way any Fleet
// app does, with FleetConfiguration and FleetApplication.
//
//   GET /hello          "hello", with the worker's instance in X-Fleet-Instance
//   GET /leak?kb=N      keeps N KiB more memory for the rest of the process's life
//   GET /env/NAME       the worker's environment variable NAME
//   POST /publish?count=N&text=T   publishes T-1 ... T-N on the supervisor's bus;
//                       answers "<instance> <published>"
//   GET /received       the worker's instance, then each payload it received on the bus, one per line
//   GET /slow?ms=N      answers "slept" after N ms, a request still in flight when a drain begins
//
// TEST_PREPARE_MS=N makes it take N ms to prepare (as migrations would) before it says `prepared`.
import FleetHTTP
import FleetSupervisor
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// What the leak route holds on to; touched page by page so the memory is resident.
actor Leak {
    private var blocks: [[UInt8]] = []

    func grow(kilobytes: Int) -> Int {
        self.blocks.append([UInt8](repeating: 1, count: kilobytes << 10))
        return self.blocks.reduce(0) { $0 + $1.count } >> 10
    }
}

let configuration = try FleetConfiguration(environment: ProcessInfo.processInfo.environment)
configuration.bootstrapLogging()
let logger = Logger(label: "fleet.test-worker")
let leak = Leak()
let instance = "\(configuration.instance ?? 0)"

/// What this worker heard on the bus, in arrival order.
actor Received {
    private(set) var payloads: [String] = []
    func append(_ payload: String) { self.payloads.append(payload) }
}
let received = Received()
if let bus = WorkerBus.current {
    Task {
        for await message in bus.subscribe() { await received.append(message.payload) }
    }
}

let router = Router()
router.get("/hello") { _, _ in
    Response(status: .ok, headers: [.init("X-Fleet-Instance")!: instance], body: .init(byteBuffer: .init(string: "hello")))
}
router.get("/leak") { request, _ in
    let kilobytes = request.uri.queryParameters.get("kb", as: Int.self) ?? 1024
    return "\(await leak.grow(kilobytes: kilobytes))"
}
router.get("/env/:name") { _, context in
    ProcessInfo.processInfo.environment[try context.parameters.require("name")] ?? ""
}
router.post("/publish") { request, _ in
    let count = request.uri.queryParameters.get("count", as: Int.self) ?? 1
    let text = request.uri.queryParameters.get("text") ?? "message"
    let sent = (1...max(1, count)).filter { WorkerBus.current?.publish(channel: "test", payload: "\(text)-\($0)") == true }.count
    return Response(status: .ok, headers: [.init("X-Fleet-Instance")!: instance], body: .init(byteBuffer: .init(string: "\(instance) \(sent)")))
}
router.get("/received") { _, _ in
    let lines = ([instance] + (await received.payloads)).joined(separator: "\n")
    return Response(status: .ok, body: .init(byteBuffer: .init(string: lines)))
}
router.get("/slow") { request, _ in
    try await Task.sleep(for: .milliseconds(request.uri.queryParameters.get("ms", as: Int.self) ?? 1000))
    return "slept"
}
var base = Application(
    router: router,
    server: .http1(configuration: .fleet),
    configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
    logger: logger
)
if let milliseconds = ProcessInfo.processInfo.environment["TEST_PREPARE_MS"].flatMap(Int.init) {
    base.beforeServerStarts {
        try await Task.sleep(for: .milliseconds(milliseconds))
        logger.info("prepared")
    }
}
let app = FleetApplication(base: base, listeningSocket: configuration.listeningSocket, supervisorLink: configuration.supervisorLink)
var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
group.maximumGracefulShutdownDuration = configuration.drainTimeout
try await ServiceGroup(configuration: group).run()
