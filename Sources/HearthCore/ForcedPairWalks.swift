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
/// 2. each residual arc u → v re-priced with T as a second potential, r′ = r + T(v) − T(u) ≥ 0
///    (T obeys the triangle inequality). Under r′ every node reaches the sink at cost 0, so a
///    search towards a node o meets the walk through the sink as soon as it settles the sink;
/// 3. the arcs entering each node, sorted by r′ (the first time a search settles the node: most
///    nodes are never settled), so a search examines an arc only once the arc's
///    own key comes up (a cursor per settled node, advanced one arc per pop), instead of all of
///    a node's arcs — an offer has an arc from every compatible bid, most of them never needed.
///
/// Every distance is exact; the order of equal keys (fixed by the data) affects only which of
/// several equally short walks is found, not its cost.
struct ResidualWalks {
    private let sink: Int
    /// Arcs entering node v are `inStart[v] ..< inStart[v + 1]`; cheapest first once `sorted[v]`.
    private var inStart: [Int32]
    private var inArcs: [InArc]
    private var sorted: [Bool]
    /// T(v): the shortest walk from v to the sink, under the flow's reduced costs.
    private var toSink: [LeadingCost]
    /// Whether v reaches the sink at all (a node that does not, reaches no node that does).
    private var reachesSink: [Bool]

    // Search state, reused across searches.
    private var distance: [LeadingCost]
    private var settledStamp: [UInt32]
    private var wantedStamp: [UInt32]
    private var stamp: UInt32 = 0
    private var heap = MinHeap<LeadingCost>()

    /// An arc tail → head and its reduced cost (r′ once the network is built).
    private struct InArc {
        var cost: LeadingCost
        var tail: Int32
        var head: Int32
    }

    /// The network of `arcHead` (arc a runs from `arcHead[a ^ 1]` to `arcHead[a]`) restricted to
    /// arcs with `residual` left, `reducedCost(a)` being arc a's reduced cost.
    init(nodeCount: Int, sink: Int, arcHead: [Int32], residual: [Int32], reducedCost: (Int) -> LeadingCost) {
        self.sink = sink
        var inStart = [Int32](repeating: 0, count: nodeCount + 1)
        for arc in arcHead.indices where residual[arc] > 0 {
            inStart[Int(arcHead[arc]) + 1] += 1
        }
        for node in 0..<nodeCount {
            inStart[node + 1] += inStart[node]
        }
        var fill = inStart
        var inArcs = [InArc](repeating: InArc(cost: .zero, tail: 0, head: 0), count: Int(inStart[nodeCount]))
        for arc in arcHead.indices where residual[arc] > 0 {
            let head = Int(arcHead[arc])
            inArcs[Int(fill[head])] = InArc(cost: reducedCost(arc), tail: arcHead[arc ^ 1], head: arcHead[arc])
            fill[head] += 1
        }

        // T: Dijkstra backwards from the sink, relaxing every arc.
        var toSink = [LeadingCost](repeating: .zero, count: nodeCount)
        var reached = [Bool](repeating: false, count: nodeCount)
        var settled = [Bool](repeating: false, count: nodeCount)
        var heap = MinHeap<LeadingCost>()
        reached[sink] = true
        heap.push(.zero, Int32(sink))
        while let (cost, node) = heap.pop() {
            let head = Int(node)
            if settled[head] { continue }
            settled[head] = true
            for slot in Int(inStart[head])..<Int(inStart[head + 1]) {
                let tail = Int(inArcs[slot].tail)
                if settled[tail] { continue }
                let candidate = cost + inArcs[slot].cost
                if !reached[tail] || candidate < toSink[tail] {
                    reached[tail] = true
                    toSink[tail] = candidate
                    heap.push(candidate, Int32(tail))
                }
            }
        }

        // Re-price the arcs into every node that reaches the sink (their tails reach it too); the
        // sink's own are never searched again.
        for head in 0..<nodeCount where settled[head] && head != sink {
            for slot in Int(inStart[head])..<Int(inStart[head + 1]) {
                inArcs[slot].cost = inArcs[slot].cost + toSink[head] - toSink[Int(inArcs[slot].tail)]
            }
        }
        sorted = [Bool](repeating: false, count: nodeCount)
        self.inStart = inStart
        self.inArcs = inArcs
        self.toSink = toSink
        reachesSink = settled
        distance = [LeadingCost](repeating: .zero, count: nodeCount)
        settledStamp = [UInt32](repeating: 0, count: nodeCount)
        wantedStamp = [UInt32](repeating: 0, count: nodeCount)
    }

    /// The shortest walk from `node` to the sink, or nil if there is none.
    func walkToSink(from node: Int) -> LeadingCost? {
        reachesSink[node] ? toSink[node] : nil
    }

    /// For each of `sources`, its shortest walk to `target` (nil if there is none).
    ///
    /// Dijkstra backwards from `target` under r′, by cursors over the sorted arcs; it stops once
    /// every source is settled, or when the sink is settled: under r′ each source reaches the
    /// sink at cost 0, so every source not yet settled is then exactly as far as the sink. The
    /// walks are converted back: D(s → target) = D′(s → target) − T(target) + T(s).
    mutating func walks(from sources: [Int32], to target: Int) -> [LeadingCost?] {
        guard reachesSink[target] else { return sources.map { _ in nil } }
        stamp &+= 1
        if stamp == 0 {
            settledStamp = settledStamp.map { _ in 0 }
            wantedStamp = wantedStamp.map { _ in 0 }
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

    /// Marks `node` settled at `cost` and opens its cursor on its cheapest entering arc (sorting
    /// its entering arcs the first time).
    @inline(__always)
    private mutating func settle(_ node: Int, at cost: LeadingCost) {
        settledStamp[node] = stamp
        distance[node] = cost
        let first = Int(inStart[node])
        let end = Int(inStart[node + 1])
        if !sorted[node] {
            if end - first > 1 { inArcs[first..<end].sort { $0.cost < $1.cost } }
            sorted[node] = true
        }
        if first < end {
            heap.push(cost + inArcs[first].cost, Int32(first))
        }
    }
}
