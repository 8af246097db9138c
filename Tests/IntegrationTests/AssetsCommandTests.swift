import FleetHTTP
import Foundation
import Testing

/// `fleet assets` on a real directory: fingerprinted copies, the manifest, and what `StaticFiles` makes of the names.
@Suite struct AssetsCommandTests {
    func fleetAssets(_ directory: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FleetProcess.binary)
        process.arguments = ["assets", directory]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func fingerprintsFilesAndWritesTheManifest() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("assets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("js"), withIntermediateDirectories: true)
        try Data("console.log('app')".utf8).write(to: root.appendingPathComponent("js/app.js"))
        try Data("console.log('v1')".utf8).write(to: root.appendingPathComponent("js/vendor.3f9a1c.js"))
        try Data("body{}".utf8).write(to: root.appendingPathComponent("style.css"))
        try Data("BR".utf8).write(to: root.appendingPathComponent("style.css.br"))
        try Data("SECRET=1".utf8).write(to: root.appendingPathComponent(".env"))

        let run = try self.fleetAssets(root.path)
        #expect(run.status == 0, "\(run.output)")
        let manifest = try AssetManifest.load(from: root.path)
        let app = try #require(manifest.assets["js/app.js"])
        #expect(app.hasPrefix("js/app.") && app.hasSuffix(".js") && app.count == "js/app.12345678.js".count)
        #expect(StaticFiles.isFingerprinted(app), "the server caches the new name as immutable")
        #expect(manifest.assets["js/vendor.3f9a1c.js"] == nil, "already fingerprinted")
        #expect(manifest.assets["style.css.br"] == nil, "a variant goes with its file")
        #expect(manifest.assets[".env"] == nil, "dot files are left alone")
        let css = try #require(manifest.assets["style.css"])
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(css + ".br").path))
        #expect(try Data(contentsOf: root.appendingPathComponent(app)) == Data("console.log('app')".utf8))
        #expect(manifest.url(for: "js/app.js") == "/static/\(app)")

        #expect(try self.fleetAssets(root.path).status == 0)
        #expect(try AssetManifest.load(from: root.path) == manifest, "unchanged files keep their names")
        try Data("console.log('app v2')".utf8).write(to: root.appendingPathComponent("js/app.js"))
        #expect(try self.fleetAssets(root.path).status == 0)
        #expect(try AssetManifest.load(from: root.path).assets["js/app.js"] != app, "a change makes a new name")
    }

    @Test func aMissingDirectoryNamesTheArgument() throws {
        let run = try self.fleetAssets("/nonexistent-\(UUID().uuidString)")
        #expect(run.status != 0)
        #expect(run.output.contains("<directory>"))
    }
}
