import Dispatch
import Synchronization

/// Runs `body` for every index in `0..<count` on up to `workers` Dispatch workers and returns the
/// results in index order. Workers take the next index from a shared counter; each result is
/// written once, to its own slot, so the answer does not depend on the number of workers.
func parallelMap<Result: Sendable>(count: Int, workers: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
    guard count > 0 else { return [] }
    let slots = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
    slots.initialize(repeating: nil)
    defer {
        // Every slot holds a result: deinitialise them all (releasing what they own) before
        // freeing the memory, or each call leaks its results.
        slots.deinitialize()
        slots.deallocate()
    }
    let output = DisjointSlots(slots: slots)
    let next = Atomic<Int>(0)
    let workerCount = max(1, min(workers, count))
    DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            output.slots[index] = body(index)
        }
    }
    return slots.map { $0! }
}

/// Result slots shared by workers; each index is written by exactly one worker.
private struct DisjointSlots<Result>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<Result?>
}
