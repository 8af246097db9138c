#if canImport(Glibc)
import Glibc
#endif

extension FastRoutes {
    /// `GET /debug/block/:ms`: blocks its event loop for `ms` milliseconds (at
    /// most 5000), as CPU work done on the loop would; for seeing the lag metric
    /// move and its alert fire. Never serve it to the public.
    public mutating func addBlockRoute() {
        self.get("/debug/block/:ms") { request in
            guard let text = request.parameter, let milliseconds = UInt32(text), milliseconds <= 5000 else { return nil }
            usleep(milliseconds * 1000)
            return .text("blocked \(milliseconds) ms\n")
        }
    }
}
