import FleetHTTP
import NIOCore

/// A user of the demo API.
public struct User: Sendable, Equatable {
    /// Assigned by the store, from 1 upwards.
    public var id: Int64
    public var name: String
    /// Stored lower-cased, so uniqueness ignores case.
    public var email: String

    public init(id: Int64, name: String, email: String) {
        self.id = id
        self.name = name
        self.email = email
    }

    /// The JSON object, written by hand: this is the hottest read in the demo.
    func appendJSON(to out: inout String) {
        out += #"{"id":\#(self.id),"name":"#
        out += JSONString.quoted(self.name)
        out += #","email":"#
        out += JSONString.quoted(self.email)
        out += "}"
    }

    var json: ByteBuffer {
        var out = ""
        out.reserveCapacity(48 + self.name.utf8.count + self.email.utf8.count)
        self.appendJSON(to: &out)
        return ByteBuffer(string: out)
    }
}
