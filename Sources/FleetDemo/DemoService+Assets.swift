import FleetHTTP
import FleetS3
import FleetState
import Foundation
import Hummingbird
import Logging

extension DemoService {
    /// Uploads go to S3 when `S3_BUCKET` is set in the environment, else to the embedded object store under the
    /// state directory, shared by the machine's workers.
    static func objectStore(configuration: FleetConfiguration, logger: Logger) throws -> any ObjectStore {
        if let s3 = try EnvironmentReader(ProcessInfo.processInfo.environment).s3Configuration() {
            logger.info("objects stored in S3", metadata: ["s3.endpoint": "\(s3.endpoint)", "s3.bucket": "\(s3.bucket)", "s3.addressing": "\(s3.addressing)"])
            return S3ObjectStore(configuration: s3)
        }
        let directory = "\(configuration.stateDirectory)/objects"
        logger.info("objects stored in the embedded object store at \(directory)")
        return try EmbeddedObjectStore(directory: directory)
    }

    /// Serves `STATIC_DIR` under `/static` when the directory exists; the demo runs without it.
    static func registerStaticFiles(on router: Router<DemoRequestContext>, configuration: FleetConfiguration, logger: Logger) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: configuration.staticDirectory, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        do {
            try StaticFiles(root: configuration.staticDirectory).register(on: router, at: "/static")
            logger.info("static files served under /static", metadata: ["static.root": "\(configuration.staticDirectory)"])
        } catch {
            logger.error("static files not served", metadata: ["static.error": "\(error)"])
        }
    }
}
