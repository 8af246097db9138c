/// How long sessions live and how often their rolling expiry is written.
public struct SessionConfiguration: Sendable {
    /// A session unused for this long ends. Default 30 minutes.
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// A session ends this long after it began, however active. Default 24 hours.
    public var absoluteTimeout: Duration = .seconds(24 * 3600)
    /// The idle deadline is written back only when less than this remains,
    /// so a busy session costs one store write per `idleTimeout - touchThreshold`,
    /// not one per request. Default: half of `idleTimeout`.
    public var touchThreshold: Duration?

    /// The defaults, as documented on each property.
    public init() {}

    /// - Parameters:
    ///   - idleTimeout: how long an unused session lives.
    ///   - absoluteTimeout: how long any session lives.
    ///   - touchThreshold: the remaining idle time below which a request extends it; nil for half of `idleTimeout`.
    public init(idleTimeout: Duration, absoluteTimeout: Duration, touchThreshold: Duration? = nil) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.touchThreshold = touchThreshold
    }

    var effectiveTouchThreshold: Duration { touchThreshold ?? idleTimeout / 2 }
}
