import NIOCore
import NIOPosix

// Run Swift concurrency's jobs on NIO's event loops: a handler then resumes on
// the thread that owns its connection instead of hopping to a second pool.
// This must happen before any task runs, hence main.swift and not @main.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
await Fleet.start()
