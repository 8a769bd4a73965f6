import ArgumentParser
import Foundation
import HearthCLI
import HearthStore

/// `hearthctl status [--json]`.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Daemons and their liveness, open bids and offers, live proposals, the last round and settlement, paused or not.",
        discussion: "JSON (--json): {paused, daemons: [{id, host, pid, version, state, workers, started_at, last_seen, live}], open_bids, open_offers, live_proposals, last_round, last_settlement}; last_round and last_settlement are null when none has run."
    )

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let status = try await withDatabase(database, logging, program: "hearthctl") { database in
            try await database.transaction(scope: .all, isolation: .repeatableRead) { try ExchangeStatus.read(on: $0) }
        }
        if json {
            print(try JSONOutput.encode(status))
            return
        }
        let formatter = ISO8601DateFormatter()
        print("clearing: \(status.paused ? "PAUSED" : "running")")
        print("open bids: \(status.openBids)  open offers: \(status.openOffers)  live proposals: \(status.liveProposals)")
        if status.daemons.isEmpty {
            print("daemons: none")
        } else {
            print(Table.render(
                header: ["DAEMON", "HOST", "PID", "VERSION", "STATE", "WORKERS", "LAST SEEN", "LIVE"],
                rows: status.daemons.map {
                    [String($0.id.prefix(8)), $0.host, String($0.pid), $0.version, $0.state, String($0.workers),
                     formatter.string(from: $0.lastSeen), $0.live ? "yes" : "STALE"]
                }
            ))
        }
        if let round = status.lastRound {
            print("last round: #\(round.id) \(round.trigger.rawValue) \(round.status) at \(formatter.string(from: round.startedAt)): \(round.proposals) proposals from \(round.bidsConsidered) bids, \(String(format: "%.1f", round.solverMs)) ms; ranked children \(round.preferences.rankedChildren), by choice \(round.preferences.placedByChoice.map(String.init).joined(separator: "/"))")
        } else {
            print("last round: none")
        }
        if let settlement = status.lastSettlement {
            print("last settlement: #\(settlement.id) through \(settlement.throughDate) \(settlement.status): \(settlement.nightsBooked) nights, \(settlement.entriesBooked) entries")
        } else {
            print("last settlement: none")
        }
    }
}
