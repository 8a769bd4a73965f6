import Dispatch

/// Runs work that holds its thread for long — CPU work such as a clearing solve, a forecast or
/// bcrypt, or a blocking call such as a process launch — on a Dispatch thread of its own, and
/// resumes the caller with its result.
///
/// Not `DispatchQueue.global()`: on Linux the global queues share their threads with Swift
/// concurrency's pool (one thread per core), so a job there keeps every request's task off that
/// core until it ends — on two cores, a round solved with the API's traffic waiting behind it.
/// A serial queue of its own targets Dispatch's overcommitting root queue, which gives it a
/// thread of its own, scheduled by the kernel beside the pool's.
public func runOnOwnThread<T: Sendable>(_ label: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue(label: label).async { continuation.resume(with: Result { try work() }) }
    }
}

/// `runOnOwnThread(_:_:)` for work that cannot throw.
public func runOnOwnThread<T: Sendable>(_ label: String, _ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue(label: label).async { continuation.resume(returning: work()) }
    }
}
