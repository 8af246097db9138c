/// The benchmark's fixture did not answer as expected: nothing is measured.
struct BenchmarkSetupError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
