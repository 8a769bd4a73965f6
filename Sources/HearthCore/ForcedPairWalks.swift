/// The first three levels of a `ClearingCost` — placement, preference, distance — which are all
/// an option's effect reads (`OptionEffect`).
///
/// Dropping the later levels is a monotone group homomorphism of the lexicographic order: a
/// reduced cost that is non-negative stays non-negative, and the cheapest walk under these three
/// levels costs exactly the first three levels of the cheapest walk under all six. So shortest
/// walks on `LeadingCost` give the exact placement, preference and distance of the constrained
/// optimum, with half the arithmetic and memory.
struct LeadingCost: Sendable, Hashable, Comparable {
    var placement: Int64
    var preference: Int64
    var distance: Int64

    static let zero = LeadingCost(placement: 0, preference: 0, distance: 0)

    init(placement: Int64, preference: Int64, distance: Int64) {
        self.placement = placement
        self.preference = preference
        self.distance = distance
    }

    /// The first three levels of `cost`.
    init(_ cost: ClearingCost) {
        self.init(placement: cost.placement, preference: cost.preference, distance: cost.distance)
    }

    @inline(__always)
    static func + (lhs: LeadingCost, rhs: LeadingCost) -> LeadingCost {
        LeadingCost(placement: lhs.placement + rhs.placement, preference: lhs.preference + rhs.preference, distance: lhs.distance + rhs.distance)
    }

    @inline(__always)
    static func - (lhs: LeadingCost, rhs: LeadingCost) -> LeadingCost {
        LeadingCost(placement: lhs.placement - rhs.placement, preference: lhs.preference - rhs.preference, distance: lhs.distance - rhs.distance)
    }

    @inline(__always)
    static func < (lhs: LeadingCost, rhs: LeadingCost) -> Bool {
        if lhs.placement != rhs.placement { return lhs.placement < rhs.placement }
        if lhs.preference != rhs.preference { return lhs.preference < rhs.preference }
        return lhs.distance < rhs.distance
    }
}

/// Shortest reduced-cost walks in a fixed residual network (an optimal flow's), for many origins,
/// each search stopping as soon as it has what it was asked for.
///
/// Built once from the residual arcs and the flow's potentials:
/// 1. every node's shortest walk to the sink, T(v), by one search backwards from the sink;
/// 2. each residual arc u → v into a node that reaches the sink (other than the sink, which no
///    search settles) re-priced with T as a second potential, r′ = r + T(v) − T(u) ≥ 0 (T obeys
///    the triangle inequality), in one pass over the arcs in memory order (searches settle most
///    nodes, so pricing lazily saved little). Under r′ every node reaches the sink at cost 0, so
///    a search towards a node o meets the walk through the sink as soon as it settles the sink;
/// 3. the arcs entering each node, put in order of r′ lazily: the first time a search settles
///    the node they become a binary heap (linear time), and each arc a search moves on to is
///    taken from it, so only the arcs some search needs are ever ordered (most arcs of the
///    settled nodes are never reached). A search examines an arc only once the
///    arc's own key comes up (a cursor per settled node, advanced one arc per pop), instead of
///    all of a node's arcs — an offer has an arc from every compatible bid, most never needed.
///
/// The arcs and the search state live in buffers of its own (it is not copyable, and frees them
/// when it goes), so the hot loops run without bounds checks, reference counting or copies.
/// Every distance is exact; the order of equal keys (fixed by the data) affects only which of
/// several equally short walks is found, not its cost.
struct ResidualWalks: ~Copyable {
    private let nodeCount: Int
    private let sink: Int
    /// Arcs entering node v are `inStart[v] ..< inStart[v + 1]`, priced r′ (r if v does not reach
    /// the sink); once a search has settled v (`ordered[v]` is -1 until then), the first
    /// `ordered[v]` of them cheapest first, the rest a heap (`takeNextArc(of:)`).
    private let inStart: UnsafeMutablePointer<Int32>
    private let inArcs: UnsafeMutablePointer<InArc>
    private let ordered: UnsafeMutablePointer<Int32>
    /// T(v): the shortest walk from v to the sink, under the flow's reduced costs.
    private let toSink: UnsafeMutablePointer<LeadingCost>
    /// Whether v reaches the sink at all (a node that does not, reaches no node that does).
    private let reachesSink: UnsafeMutablePointer<Bool>

    // Search state, reused across searches.
    private let distance: UnsafeMutablePointer<LeadingCost>
    private let settledStamp: UnsafeMutablePointer<UInt32>
    private let wantedStamp: UnsafeMutablePointer<UInt32>
    private var stamp: UInt32 = 0
    private var heap = MinHeap<LeadingCost>()

    /// An arc tail → head and its reduced cost (r′ once the network is built).
    private struct InArc {
        var cost: LeadingCost
        var tail: Int32
        var head: Int32
    }

    /// The network of `arcHead` (arc a runs from `arcHead[a ^ 1]` to `arcHead[a]`) restricted to
    /// arcs with `residual` left, priced by `potential`: arc 2e (e < `edgeCost.count`) costs
    /// `edgeCost[e]`, arc 2e + 1 its negation, every other arc nothing.
    init(nodeCount: Int, sink: Int, arcHead: [Int32], residual: [Int32], potential: [ClearingCost], edgeCost: [ClearingCost]) {
        let inStart = UnsafeMutablePointer<Int32>.allocate(capacity: nodeCount + 1)
        inStart.initialize(repeating: 0, count: nodeCount + 1)
        let leadingPotential = UnsafeMutablePointer<LeadingCost>.allocate(capacity: nodeCount)
        defer { leadingPotential.deallocate() }
        for node in 0..<nodeCount { (leadingPotential + node).initialize(to: LeadingCost(potential[node])) }
        let inArcs = arcHead.withUnsafeBufferPointer { arcHead in
            residual.withUnsafeBufferPointer { residual in
                edgeCost.withUnsafeBufferPointer { edgeCost in
                    // Count each node's entering arcs, so that inStart[v] ends v's range; filling
                    // the ranges backwards then leaves inStart[v] at its start.
                    for arc in 0..<arcHead.count where residual[arc] > 0 {
                        inStart[Int(arcHead[arc])] += 1
                    }
                    for node in 0..<nodeCount {
                        inStart[node + 1] += inStart[node]
                    }
                    let arcs = allocateHugePageBuffer(InArc.self, capacity: Int(inStart[nodeCount]))
                    for arc in arcHead.indices.reversed() where residual[arc] > 0 {
                        let head = Int(arcHead[arc])
                        let tail = Int(arcHead[arc ^ 1])
                        let pair = arc >> 1
                        let cost = pair >= edgeCost.count ? .zero : arc & 1 == 0 ? LeadingCost(edgeCost[pair]) : .zero - LeadingCost(edgeCost[pair])
                        inStart[head] -= 1
                        (arcs + Int(inStart[head])).initialize(to: InArc(
                            cost: cost + leadingPotential[tail] - leadingPotential[head], tail: Int32(tail), head: Int32(head)
                        ))
                    }
                    return arcs
                }
            }
        }
        let toSink = UnsafeMutablePointer<LeadingCost>.allocate(capacity: nodeCount)
        toSink.initialize(repeating: .zero, count: nodeCount)
        let reachesSink = UnsafeMutablePointer<Bool>.allocate(capacity: nodeCount)
        reachesSink.initialize(repeating: false, count: nodeCount)
        let reached = UnsafeMutablePointer<Bool>.allocate(capacity: nodeCount)
        reached.initialize(repeating: false, count: nodeCount)
        defer { reached.deallocate() }

        // T: Dijkstra backwards from the sink, relaxing every arc.
        var heap = MinHeap<LeadingCost>()
        reached[sink] = true
        heap.push(.zero, Int32(sink))
        while let (cost, node) = heap.pop() {
            let head = Int(node)
            if reachesSink[head] { continue }
            reachesSink[head] = true
            for slot in Int(inStart[head])..<Int(inStart[head + 1]) {
                let tail = Int(inArcs[slot].tail)
                if reachesSink[tail] { continue }
                let candidate = cost + inArcs[slot].cost
                if !reached[tail] || candidate < toSink[tail] {
                    reached[tail] = true
                    toSink[tail] = candidate
                    heap.push(candidate, Int32(tail))
                }
            }
        }

        for node in 0..<nodeCount where reachesSink[node] && node != sink {
            let nodeToSink = toSink[node]
            for slot in Int(inStart[node])..<Int(inStart[node + 1]) {
                inArcs[slot].cost = inArcs[slot].cost + nodeToSink - toSink[Int(inArcs[slot].tail)]
            }
        }

        self.nodeCount = nodeCount
        self.sink = sink
        self.inStart = inStart
        self.inArcs = inArcs
        self.toSink = toSink
        self.reachesSink = reachesSink
        ordered = .allocate(capacity: nodeCount)
        ordered.initialize(repeating: -1, count: nodeCount)
        distance = .allocate(capacity: nodeCount)
        distance.initialize(repeating: .zero, count: nodeCount)
        settledStamp = .allocate(capacity: nodeCount)
        settledStamp.initialize(repeating: 0, count: nodeCount)
        wantedStamp = .allocate(capacity: nodeCount)
        wantedStamp.initialize(repeating: 0, count: nodeCount)
        self.heap = heap
    }

    deinit {
        inStart.deallocate()
        deallocateHugePageBuffer(inArcs)
        ordered.deallocate()
        toSink.deallocate()
        reachesSink.deallocate()
        distance.deallocate()
        settledStamp.deallocate()
        wantedStamp.deallocate()
    }

    /// The shortest walk from `node` to the sink, or nil if there is none.
    func walkToSink(from node: Int) -> LeadingCost? {
        reachesSink[node] ? toSink[node] : nil
    }

    /// For each of `sources`, its shortest walk to `target` (nil if there is none).
    ///
    /// Dijkstra backwards from `target` under r′, by cursors over the ordered arcs; it stops once
    /// every source is settled, or when the sink is settled: under r′ each source reaches the
    /// sink at cost 0, so every source not yet settled is then exactly as far as the sink. The
    /// walks are converted back: D(s → target) = D′(s → target) − T(target) + T(s).
    mutating func walks(from sources: [Int32], to target: Int) -> [LeadingCost?] {
        guard reachesSink[target] else { return sources.map { _ in nil } }
        stamp &+= 1
        if stamp == 0 {
            settledStamp.update(repeating: 0, count: nodeCount)
            wantedStamp.update(repeating: 0, count: nodeCount)
            stamp = 1
        }
        var wanted = 0
        for source in sources.lazy.map(Int.init) where reachesSink[source] && wantedStamp[source] != stamp {
            wantedStamp[source] = stamp
            wanted += 1
        }
        heap.removeAll()
        settle(target, at: .zero)
        if wantedStamp[target] == stamp { wanted -= 1 }
        var sinkDistance: LeadingCost?
        while wanted > 0, let (key, slot) = heap.pop() {
            let slot = Int(slot)
            let tail = Int(inArcs[slot].tail)
            // Advance the cursor of the arc's head to its next arc, whose key is not below this one.
            let head = Int(inArcs[slot].head)
            if slot + 1 < Int(inStart[head + 1]) {
                takeNextArc(of: head, at: slot + 1)
                heap.push(distance[head] + inArcs[slot + 1].cost, Int32(slot + 1))
            }
            if settledStamp[tail] == stamp { continue }
            if tail == sink {
                sinkDistance = key
                break
            }
            settle(tail, at: key)
            if wantedStamp[tail] == stamp { wanted -= 1 }
        }
        let targetToSink = toSink[target]
        return sources.map { source -> LeadingCost? in
            let source = Int(source)
            guard reachesSink[source] else { return nil }
            let reduced = settledStamp[source] == stamp ? distance[source] : sinkDistance
            return reduced.map { $0 - targetToSink + toSink[source] }
        }
    }

    /// Marks `node` settled at `cost` and opens its cursor on its cheapest entering arc (making
    /// its entering arcs a heap the first time).
    @inline(__always)
    private mutating func settle(_ node: Int, at cost: LeadingCost) {
        settledStamp[node] = stamp
        distance[node] = cost
        let first = Int(inStart[node])
        guard first < Int(inStart[node + 1]) else { return }
        if ordered[node] < 0 {
            heapify(node)
            ordered[node] = 0
        }
        takeNextArc(of: node, at: first)
        heap.push(cost + inArcs[first].cost, Int32(first))
    }

    /// Node `node`'s arcs not yet in order, `inStart[node] + ordered[node] ..< inStart[node + 1]`,
    /// form a binary min-heap on r′ laid out from the range's end: heap entry i is at
    /// `inStart[node + 1] − 1 − i`, so the heap's last entry sits right after the ordered arcs.
    private func heapify(_ node: Int) {
        let count = Int(inStart[node + 1] - inStart[node])
        var parent = count / 2 - 1
        while parent >= 0 {
            siftDown(node, from: parent, count: count)
            parent -= 1
        }
    }

    /// Makes the arc at `slot` the next of `node`'s arcs in order, if it is not already: the heap's
    /// root (its cheapest) swaps with its last entry, which is the arc at `slot`.
    @inline(__always)
    private func takeNextArc(of node: Int, at slot: Int) {
        let first = Int(inStart[node])
        guard slot - first == Int(ordered[node]) else { return }
        let end = Int(inStart[node + 1])
        let count = end - slot
        ordered[node] += 1
        guard count > 1 else { return }
        swap(&inArcs[end - 1], &inArcs[slot])
        siftDown(node, from: 0, count: count - 1)
    }

    /// Restores the heap property of `node`'s heap of `count` entries below entry `start`.
    private func siftDown(_ node: Int, from start: Int, count: Int) {
        let top = inArcs + (Int(inStart[node + 1]) - 1)
        let moving = top[-start]
        var parent = start
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && top[-(child + 1)].cost < top[-child].cost { child += 1 }
            guard top[-child].cost < moving.cost else { break }
            top[-parent] = top[-child]
            parent = child
        }
        top[-parent] = moving
    }
}
