import HearthCore

/// Merges successive SSDA903 returns of one authority into one history, as multi-year 903
/// analyses do: episodes are matched per child and start (DECOM) and the later return wins.
///
/// Returns overlap: an episode open at 31 March appears again, now closed, in the next year's
/// return; a later return may also correct an earlier year (a changed start date, say). So an
/// incoming episode:
/// - replaces the stored one with the same child and start unless that came from a later return;
/// - is dropped when a later return already holds an overlapping episode of the same child;
/// - removes stored episodes of the same child from earlier returns that it overlaps.
/// Importing the same return twice changes nothing. Pure.
public enum EpisodeHistory {
    /// What storing a return changes.
    public struct Change: Sendable, Equatable {
        /// Episodes new to the history.
        public var inserted: [ReturnedEpisode] = []
        /// Episodes that replace a stored one with the same child and start.
        public var updated: [ReturnedEpisode] = []
        /// Stored episodes an overlapping episode of a later return replaces (different start).
        public var removed: [ReturnedEpisode] = []
        /// Incoming episodes identical to what is stored.
        public var unchanged = 0
        /// Incoming episodes a later return already supersedes.
        public var superseded = 0

        /// Whether storing the return would change nothing.
        public var isEmpty: Bool { inserted.isEmpty && updated.isEmpty && removed.isEmpty }
    }

    /// The change that merging `incoming` (one return) into `stored` (the authority's history) makes.
    public static func merge(stored: [ReturnedEpisode], incoming: [ReturnedEpisode]) -> Change {
        var change = Change()
        let storedByChild = Dictionary(grouping: stored, by: \.episode.childKey)
        let incomingByChild = Dictionary(grouping: incoming, by: \.episode.childKey)
        for (child, arriving) in incomingByChild.sorted(by: { $0.key < $1.key }) {
            let existing = storedByChild[child] ?? []
            let existingByStart = Dictionary(existing.map { ($0.episode.start, $0) }, uniquingKeysWith: { first, _ in first })
            var kept: [ReturnedEpisode] = []
            for episode in arriving.sorted(by: { $0.episode.start < $1.episode.start }) {
                let supersededByLater = existing.contains { other in
                    other.returnYear > episode.returnYear
                        && (other.episode.start == episode.episode.start || overlaps(other.episode, episode.episode))
                }
                if supersededByLater {
                    change.superseded += 1
                    continue
                }
                kept.append(episode)
                if let same = existingByStart[episode.episode.start] {
                    if same == episode { change.unchanged += 1 } else { change.updated.append(episode) }
                } else {
                    change.inserted.append(episode)
                }
            }
            let keptStarts = Set(kept.map(\.episode.start))
            for old in existing.sorted(by: { $0.episode.start < $1.episode.start }) where !keptStarts.contains(old.episode.start) {
                if kept.contains(where: { $0.returnYear >= old.returnYear && overlaps($0.episode, old.episode) }) {
                    change.removed.append(old)
                }
            }
        }
        return change
    }

    /// `stored` with `change` applied, in authority, child and start order.
    public static func applying(_ change: Change, to stored: [ReturnedEpisode]) -> [ReturnedEpisode] {
        var byKey: [Key: ReturnedEpisode] = [:]
        for episode in stored { byKey[Key(episode)] = episode }
        for episode in change.removed { byKey[Key(episode)] = nil }
        for episode in change.inserted + change.updated { byKey[Key(episode)] = episode }
        return byKey.values.sorted { ($0.episode.authority, $0.episode.childKey, $0.episode.start) < ($1.episode.authority, $1.episode.childKey, $1.episode.start) }
    }

    /// Whether two episodes share at least one day of care (an open end runs on for ever; an
    /// episode ending on the day another starts does not overlap it).
    public static func overlaps(_ first: Episode, _ second: Episode) -> Bool {
        let firstEnd = first.end.map(\.dayNumber) ?? Int.max
        let secondEnd = second.end.map(\.dayNumber) ?? Int.max
        return first.start.dayNumber < secondEnd && second.start.dayNumber < firstEnd
    }

    private struct Key: Hashable {
        let authority: String
        let child: String
        let start: CalendarDate

        init(_ episode: ReturnedEpisode) {
            authority = episode.episode.authority
            child = episode.episode.childKey
            start = episode.episode.start
        }
    }
}
