import FleetHTTP
import Hummingbird
import NIOCore

/// The demo's request context: Hummingbird's core storage plus what Fleet's
/// middleware reads per request. Each FleetHTTP middleware states what it
/// needs as a context protocol, and this type conforms to them.
public struct DemoRequestContext: RequestContext, RemoteAddressRequestContext, SessionRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection, as the socket reports it.
    public let remoteAddress: SocketAddress?
    /// The login session, filled in by `SessionMiddleware`.
    public let session = RequestSession()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
