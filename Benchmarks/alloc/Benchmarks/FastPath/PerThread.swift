#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value made on the thread that uses it, and made again if another thread
/// asks: an `EmbeddedChannel` may only be used on the thread it was created on,
/// and a benchmark's setup may run on another thread than its iterations.
final class PerThread<Value> {
    private var made: (thread: pthread_t, value: Value)?

    /// The value made on this thread, or a new one from `make`.
    func value(_ make: () throws -> Value) rethrows -> Value {
        if let made, pthread_equal(made.thread, pthread_self()) != 0 { return made.value }
        let value = try make()
        self.made = (pthread_self(), value)
        return value
    }
}
