/// A binary min-heap of (cost, payload) pairs for the solver's shortest-path searches, used with
/// lazy deletion (a stale entry is skipped when popped). Ties pop in a fixed, data-determined
/// order, so searches are deterministic.
struct MinHeap<Cost: Comparable> {
    private var costs: [Cost] = []
    private var payloads: [Int32] = []

    /// Empties the heap, keeping its storage for the next search.
    mutating func removeAll() {
        costs.removeAll(keepingCapacity: true)
        payloads.removeAll(keepingCapacity: true)
    }

    /// Adds `payload` at `cost`.
    mutating func push(_ cost: Cost, _ payload: Int32) {
        // Sift a hole up from the end, then fill it: one move per level, no swaps.
        var child = costs.count
        costs.append(cost)
        payloads.append(payload)
        while child > 0 {
            let parent = (child - 1) / 2
            guard cost < costs[parent] else { break }
            costs[child] = costs[parent]
            payloads[child] = payloads[parent]
            child = parent
        }
        costs[child] = cost
        payloads[child] = payload
    }

    /// Removes and returns the cheapest entry, or nil when the heap is empty.
    mutating func pop() -> (Cost, Int32)? {
        guard let top = costs.first else { return nil }
        let payload = payloads[0]
        let lastCost = costs.removeLast()
        let lastPayload = payloads.removeLast()
        guard !costs.isEmpty else { return (top, payload) }
        // Sift a hole down from the root, then fill it with the last entry.
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < costs.count else { break }
            let right = left + 1
            let child = right < costs.count && costs[right] < costs[left] ? right : left
            guard costs[child] < lastCost else { break }
            costs[parent] = costs[child]
            payloads[parent] = payloads[child]
            parent = child
        }
        costs[parent] = lastCost
        payloads[parent] = lastPayload
        return (top, payload)
    }
}
