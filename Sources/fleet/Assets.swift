import ArgumentParser
import FleetHTTP
import Foundation

/// `fleet assets`: fingerprints the static files so a CDN may cache them as immutable.
struct Assets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy each static file to a name with its content hash and write manifest.json.",
        discussion: "Run it at build time, before deploying; templates read manifest.json (AssetManifest) to link to the fingerprinted names, which are served with Cache-Control: immutable."
    )

    @Argument(help: "The directory of static files.")
    var directory = "public"

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: self.directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("<directory> \(self.directory) is not a directory")
        }
        let manifest = try AssetFingerprinter.fingerprint(root: self.directory)
        for (name, fingerprinted) in manifest.assets.sorted(by: { $0.key < $1.key }) {
            print("\(name) -> \(fingerprinted)")
        }
        print("wrote \(self.directory)/\(AssetManifest.fileName) (\(manifest.assets.count) assets)")
    }
}
