import Foundation

/// The point forecast: a stock-and-flow model of children looked after, estimated from the
/// history up to a cut-off month end and projected month by month (expected values, no chance).
///
/// - **Stock**: each child looked after at the cut-off, with their age, months in care, group,
///   authority and category of need.
/// - **Exits**: a monthly hazard by age band × months-in-care band × group, from the last
///   `window` months, shrunk towards coarser cells when a cell is thin; every child leaves care
///   at 18.
/// - **Moves**: a monthly probability of moving to each other group, by age band × months-in-care
///   band × group, shrunk the same way (moves such as a placement for adoption come at a typical
///   time in care). Exits and moves are competing risks, both shares of the children at risk.
/// - **Entries**: per authority, the last 12 months' level of children entering care (counted at
///   their first month end), times the region's seasonal pattern, with a damped (0.4) log-linear trend;
///   the entrants' mix (age, group, need) is the authority's recent entrants'.
struct StockFlowModel {
    static let groupCount = 6
    /// Age bands in months: under 1, 1–4, 5–9, 10–12, 13–15, 16, 17; then unknown.
    static let ageBandLimits = [12, 60, 120, 156, 192, 204, 216]
    /// Months-in-care bands: under 1, 1–2, 3–5, 6–11, 12–23, 24–47, 48 and over.
    static let durationBandLimits = [1, 3, 6, 12, 24, 48]
    static let adulthood = 216

    let history: ForecastHistory
    let cutoff: Month
    /// Months of history the hazards are estimated on.
    let window: Int

    /// Monthly exit hazard, indexed `(ageBand * durationBands + durationBand) * groups + group`.
    private var exitHazard: [Double] = []
    /// Monthly move probability, indexed `((ageBand * durationBands + durationBand) * groups + group) * groups + toGroup`.
    private var moveProbability: [Double] = []
    static let durationBands = durationBandLimits.count + 1
    private var entryRate: [[Double]] = []  // [authority][horizon-1]
    private var entrantMix: [[(need: Int, age: Int, group: Int, weight: Double)]] = []  // [authority]

    init(history: ForecastHistory, cutoff: Month, horizon: Int, window: Int = 36) {
        self.history = history
        self.cutoff = cutoff
        self.window = window
        estimateHazards()
        estimateEntries(horizon: horizon)
    }

    static func ageBand(_ ageMonths: Int) -> Int {
        guard ageMonths >= 0 else { return ageBandLimits.count }
        var band = 0
        while band < ageBandLimits.count - 1, ageMonths >= ageBandLimits[band] { band += 1 }
        return band
    }

    static func durationBand(_ months: Int) -> Int {
        var band = 0
        while band < durationBandLimits.count, months >= durationBandLimits[band] { band += 1 }
        return band
    }

    // MARK: Estimation

    private mutating func estimateHazards() {
        let ages = StockFlowModel.ageBandLimits.count + 1
        let durations = StockFlowModel.durationBands
        let groups = StockFlowModel.groupCount
        // Flat tables: [ageBand][durationBand][group] and [ageBand][durationBand][group][toGroup].
        var atRisk = [Double](repeating: 0, count: ages * durations * groups)
        var exits = atRisk
        var moves = [Double](repeating: 0, count: ages * durations * groups * groups)
        let first = max(history.firstMonth.index, cutoff.index - window)
        for index in stride(from: first, to: cutoff.index, by: 1) {
            for record in history.records(at: Month(index: index)) where record.nextGroup != ForecastHistory.unknown {
                // Leaving at 18 is certain and modelled as such, not as a hazard.
                if record.ageMonths >= 0, record.ageMonths + 1 >= StockFlowModel.adulthood { continue }
                let a = StockFlowModel.ageBand(record.ageMonths)
                let cell = (a * durations + StockFlowModel.durationBand(record.durationMonths)) * groups + record.group
                atRisk[cell] += 1
                if record.nextGroup == ForecastHistory.exited {
                    exits[cell] += 1
                } else if record.nextGroup != record.group {
                    moves[cell * groups + record.nextGroup] += 1
                }
            }
        }
        // Shrink each cell towards its age × group margin, and that towards the group's.
        let strength = 12.0
        exitHazard = [Double](repeating: 0, count: ages * durations * groups)
        moveProbability = [Double](repeating: 0, count: ages * durations * groups * groups)
        for g in 0..<groups {
            var groupRisk = 0.0, groupExits = 0.0
            var groupMoves = [Double](repeating: 0, count: groups)
            var bandRisk = [Double](repeating: 0, count: ages)
            var bandExits = [Double](repeating: 0, count: ages)
            var bandMoves = [Double](repeating: 0, count: ages * groups)
            for a in 0..<ages {
                for d in 0..<durations {
                    let cell = (a * durations + d) * groups + g
                    bandRisk[a] += atRisk[cell]
                    bandExits[a] += exits[cell]
                    for to in 0..<groups { bandMoves[a * groups + to] += moves[cell * groups + to] }
                }
                for to in 0..<groups { groupMoves[to] += bandMoves[a * groups + to] }
                groupRisk += bandRisk[a]
                groupExits += bandExits[a]
            }
            let groupHazard = (groupExits + 0.05 * strength) / (groupRisk + strength)
            for a in 0..<ages {
                let bandHazard = (bandExits[a] + strength * groupHazard) / (bandRisk[a] + strength)
                for d in 0..<durations {
                    let cell = (a * durations + d) * groups + g
                    exitHazard[cell] = (exits[cell] + strength * bandHazard) / (atRisk[cell] + strength)
                    for to in 0..<groups where to != g {
                        let groupMove = groupMoves[to] / max(groupRisk, 1)
                        let bandMove = (bandMoves[a * groups + to] + strength * groupMove) / (bandRisk[a] + strength)
                        moveProbability[cell * groups + to] = (moves[cell * groups + to] + strength * bandMove) / (atRisk[cell] + strength)
                    }
                }
            }
        }
    }

    private mutating func estimateEntries(horizon: Int) {
        let authorities = history.authorities.count
        let first = history.firstMonth.index
        let span = cutoff.index - first + 1
        var counts = [[Double]](repeating: [Double](repeating: 0, count: max(span, 0)), count: authorities)
        var recent = [[(need: Int, age: Int, group: Int)]](repeating: [], count: authorities)
        var older = recent
        for offset in 0..<max(span, 0) {
            for record in history.records(at: Month(index: first + offset)) where record.isEntry {
                counts[record.authority][offset] += 1
                let profile = (record.need, record.ageMonths, record.group)
                if offset >= span - 12 { recent[record.authority].append(profile) } else if offset >= span - 24 {
                    older[record.authority].append(profile)
                }
            }
        }
        // The first month's entries are incomplete when the history starts mid-period: skip it.
        let usable = counts.map { Array($0.dropFirst()) }
        let region = (0..<max(span - 1, 0)).map { offset in usable.reduce(0) { $0 + $1[offset] } }
        let startMonth = first + 1
        // Seasonal factors from whole years of the region's entries, halved towards 1.
        var seasonal = [Double](repeating: 1, count: 12)
        if region.count >= 24 {
            let years = region.count / 12
            let tail = Array(region.suffix(years * 12))
            let tailStart = startMonth + region.count - years * 12
            let mean = tail.reduce(0, +) / Double(tail.count)
            if mean > 0 {
                var sums = [Double](repeating: 0, count: 12)
                for (offset, value) in tail.enumerated() { sums[(tailStart + offset) % 12] += value }
                seasonal = sums.map { 1 + 0.5 * ($0 / Double(years) / mean - 1) }
            }
        }
        func deseasonalised(_ series: [Double]) -> [Double] {
            series.enumerated().map { $1 / seasonal[(startMonth + $0) % 12] }
        }
        func slope(_ series: [Double]) -> Double {
            let tail = Array(series.suffix(36))
            guard tail.count >= 18 else { return 0 }
            let xs = tail.indices.map(Double.init)
            let ys = tail.map { log($0 + 0.5) }
            let mx = xs.reduce(0, +) / Double(xs.count)
            let my = ys.reduce(0, +) / Double(ys.count)
            let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
            let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
            return sxx > 0 ? sxy / sxx : 0
        }
        let regionSlope = slope(deseasonalised(region))
        entryRate = []
        entrantMix = []
        for authority in 0..<authorities {
            let series = deseasonalised(usable[authority])
            let last = Array(series.suffix(12))
            let level = last.isEmpty ? 0 : last.reduce(0, +) / Double(last.count)
            let trend = min(0.02, max(-0.02, 0.5 * regionSlope + 0.5 * slope(series)))
            let rates = (1...max(horizon, 1)).map { h -> Double in
                let month = cutoff.index + h
                // The level is centred 6.5 months back; the trend is damped (0.4): a trend in entries
                // is an uncertain guide, and a wrong one compounds in the stock month after month.
                return level * exp(0.4 * trend * (6.5 + Double(h))) * seasonal[month % 12]
            }
            entryRate.append(rates)
            let profiles = recent[authority].count >= 30 ? recent[authority] : recent[authority] + older[authority]
            var classes: [String: (need: Int, age: Int, group: Int, weight: Double)] = [:]
            for profile in profiles {
                let ageYear = profile.age < 0 ? -1 : profile.age / 12
                let key = "\(profile.need)/\(ageYear)/\(profile.group)"
                let age = profile.age < 0 ? -1 : ageYear * 12 + 6
                classes[key, default: (profile.need, age, profile.group, 0)].weight += 1 / Double(profiles.count)
            }
            entrantMix.append(classes.keys.sorted().map { classes[$0]! })
        }
    }

    // MARK: Projection

    /// The chance of being in each group at each of the next `steps` month ends, for a child
    /// in `group` at a month end with this age and time in care.
    func evolve(ageMonths: Int, durationMonths: Int, group: Int, steps: Int) -> [[Double]] {
        let groups = StockFlowModel.groupCount
        var state = [Double](repeating: 0, count: groups)
        state[group] = 1
        var path: [[Double]] = []
        path.reserveCapacity(steps)
        exitHazard.withUnsafeBufferPointer { hazard in
            moveProbability.withUnsafeBufferPointer { move in
                for step in 0..<steps {
                    let age = ageMonths < 0 ? -1 : ageMonths + step
                    var next = [Double](repeating: 0, count: groups)
                    if age < 0 || age + 1 < StockFlowModel.adulthood {
                        let a = StockFlowModel.ageBand(age)
                        let d = StockFlowModel.durationBand(durationMonths + step)
                        for g in 0..<groups where state[g] > 0 {
                            // Exits and moves are competing risks, each estimated as a share of all
                            // children at risk: apply both to the month's starting count.
                            let row = ((a * StockFlowModel.durationBands + d) * groups + g) * groups
                            let exit = hazard[(a * StockFlowModel.durationBands + d) * groups + g]
                            var leaving = exit
                            for to in 0..<groups where to != g { leaving += move[row + to] }
                            let scale = leaving > 1 ? 1 / leaving : 1
                            var remaining = state[g] * (1 - exit * scale)
                            for to in 0..<groups where to != g {
                                let share = state[g] * move[row + to] * scale
                                next[to] += share
                                remaining -= share
                            }
                            next[g] += remaining
                        }
                    }
                    state = next
                    path.append(state)
                }
            }
        }
        return path
    }

    /// The expected count of every series at each of the `horizon` month ends after the cut-off.
    func project(horizon: Int) -> [SeriesKey: [Double]] {
        let needs = history.needs.count
        let groups = StockFlowModel.groupCount
        // Expected children by authority × need × group × month, summed into series at the end.
        var cube = [Double](repeating: 0, count: history.authorities.count * needs * groups * horizon)
        func add(authority: Int, need: Int, path: [[Double]], weight: Double, from offset: Int) {
            let base = (authority * needs + need) * groups
            cube.withUnsafeMutableBufferPointer { cells in
                var step = 0
                while step < path.count, offset + step < horizon {
                    let state = path[step]
                    for g in 0..<groups { cells[(base + g) * horizon + offset + step] += state[g] * weight }
                    step += 1
                }
            }
        }
        var memo: [Int: [[Double]]] = [:]
        for record in history.records(at: cutoff) {
            let memoKey = ((record.ageMonths + 1) * 1000 + min(record.durationMonths, 999)) * 8 + record.group
            let path = memo[memoKey] ?? evolve(ageMonths: record.ageMonths, durationMonths: record.durationMonths, group: record.group, steps: horizon)
            memo[memoKey] = path
            add(authority: record.authority, need: record.need, path: path, weight: 1, from: 0)
        }
        // Entrants: those counted at month end h, and what becomes of them by the horizon.
        var entrantPaths: [Int: [[Double]]] = [:]
        for (authority, mix) in entrantMix.enumerated() {
            for profile in mix {
                let memoKey = (profile.age + 1) * 8 + profile.group
                let path = entrantPaths[memoKey] ?? ([oneHot(profile.group)] + evolve(ageMonths: profile.age, durationMonths: 0, group: profile.group, steps: horizon - 1))
                entrantPaths[memoKey] = path
                for h in 1...horizon {
                    add(authority: authority, need: profile.need, path: path, weight: entryRate[authority][h - 1] * profile.weight, from: h - 1)
                }
            }
        }
        var totals: [SeriesKey: [Double]] = [:]
        for authority in 0..<history.authorities.count {
            for need in 0..<needs {
                for g in 0..<groups {
                    let slice = Array(cube[((authority * needs + need) * groups + g) * horizon..<((authority * needs + need) * groups + g + 1) * horizon])
                    guard slice.contains(where: { $0 > 0 }) else { continue }
                    for key in history.keys(authority: authority, need: need, group: g) {
                        let current = totals[key] ?? [Double](repeating: 0, count: horizon)
                        totals[key] = zip(current, slice).map { $0 + $1 }
                    }
                }
            }
        }
        return totals
    }

    private func oneHot(_ group: Int) -> [Double] {
        var state = [Double](repeating: 0, count: StockFlowModel.groupCount)
        state[group] = 1
        return state
    }
}
