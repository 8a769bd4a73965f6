import LibPQ

/// How daemons hear that the market changed, so their clearing loops run a round.
///
/// Writers of bids and offers call `marketChanged()` inside their transaction; once it commits,
/// the process's `CoalescingNotifier` (`HearthDatabase.notifier`) sends one
/// `NOTIFY hearth_market` for all the changes of the last ~50 ms, outside the writers' commits
/// (Migrations/0011 removed the per-statement triggers that notified inside them). A change
/// made with plain SQL notifies nobody: the daemons' 30 s timer still clears it.
public enum MarketChanges {
    /// The channel daemons listen on.
    public static let channel = "hearth_market"
}

extension PostgresConnection {
    /// Marks the current transaction as changing the market (bids or offers that a round
    /// reads): daemons are notified once it commits.
    public func marketChanged() {
        notifyAfterCommit(MarketChanges.channel)
    }
}
