import Crypto
import FleetHTTP
import Foundation

/// What `fleet assets` does: content hashes into file names, and the manifest that maps them.
enum AssetFingerprinter {
    /// Copies every file under `root` to a name with its content hash and writes the manifest.
    ///
    /// Files already fingerprinted, dot files and the manifest itself are left alone;
    /// precompressed `name.br` / `name.gz` beside a file are copied beside its new name.
    /// Running it again over unchanged files changes nothing.
    /// - Returns: the manifest written.
    @discardableResult
    static func fingerprint(root: String) throws -> AssetManifest {
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        let files = try Self.regularFiles(under: rootURL)
        let present = Set(files)
        var assets: [String: String] = [:]
        for name in files.sorted() where Self.isSource(name, among: present) {
            let url = rootURL.appendingPathComponent(name)
            let hash = SHA256.hash(data: try Data(contentsOf: url, options: .mappedIfSafe))
            let fingerprinted = Self.name(name, hash: hash.prefix(4).map { String(format: "%02x", $0) }.joined())
            try Self.copy(url, to: rootURL.appendingPathComponent(fingerprinted))
            for suffix in [".br", ".gz"] where present.contains(name + suffix) {
                try Self.copy(rootURL.appendingPathComponent(name + suffix), to: rootURL.appendingPathComponent(fingerprinted + suffix))
            }
            assets[name] = fingerprinted
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(assets).write(to: rootURL.appendingPathComponent(AssetManifest.fileName), options: .atomic)
        return AssetManifest(assets: assets)
    }

    static func regularFiles(under root: URL) throws -> [String] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: root.path])
        }
        var names: [String] = []
        for case let url as URL in walker where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            names.append(String(url.standardizedFileURL.path.dropFirst(root.path.count + 1)))
        }
        return names
    }

    /// Whether `name` is a source asset: not the manifest, not fingerprinted, not a variant of another file.
    static func isSource(_ name: String, among present: Set<String>) -> Bool {
        guard name != AssetManifest.fileName, !StaticFiles.isFingerprinted(name) else { return false }
        for suffix in [".br", ".gz"] where name.hasSuffix(suffix) && present.contains(String(name.dropLast(suffix.count))) {
            return false
        }
        return true
    }

    /// `dir/app.js` with hash `3f9a1c2d` is `dir/app.3f9a1c2d.js`; a name without extension gets the hash last.
    static func name(_ name: String, hash: String) -> String {
        let slash = name.lastIndex(of: "/").map { name.index(after: $0) } ?? name.startIndex
        guard let dot = name[slash...].lastIndex(of: "."), dot > slash else { return "\(name).\(hash)" }
        return "\(name[..<dot]).\(hash)\(name[dot...])"
    }

    static func copy(_ source: URL, to destination: URL) throws {
        if FileManager.default.fileExists(atPath: destination.path) {
            try FileManager.default.removeItem(at: destination)
        }
        try FileManager.default.copyItem(at: source, to: destination)
    }
}
