import Foundation

/// Maps asset names (`js/app.js`) to fingerprinted names (`js/app.3f9a1c2d.js`), which
/// `StaticFiles` serves as immutable, so a CDN may cache them for a year.
///
/// `fleet assets` builds it; templates read it with `load(from:)` and link to `url(for:)`.
public struct AssetManifest: Sendable, Equatable {
    /// The file name the manifest is written to, at the root of the assets.
    public static let fileName = "manifest.json"

    /// Logical name to fingerprinted name, both relative to the root.
    public var assets: [String: String]

    /// Creates a manifest from logical to fingerprinted names.
    public init(assets: [String: String]) {
        self.assets = assets
    }

    /// The URL of `name` under `prefix`: the fingerprinted one when the manifest has it.
    /// - Parameters:
    ///   - name: the logical name, e.g. `js/app.js`.
    ///   - prefix: where `StaticFiles` is mounted, e.g. `/static`.
    public func url(for name: String, prefix: String = "/static") -> String {
        "\(prefix)/\(self.assets[name] ?? name)"
    }

    /// Reads the manifest `fingerprint(root:)` wrote under `root`.
    public static func load(from root: String) throws -> AssetManifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: root).appendingPathComponent(Self.fileName))
        return AssetManifest(assets: try JSONDecoder().decode([String: String].self, from: data))
    }
}
