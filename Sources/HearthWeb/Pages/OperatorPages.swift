import Foundation
import HearthSettlement
import HearthStore
import Hummingbird

/// The operator's page, `GET /operator`: daemons and their liveness, the last rounds with
/// their figures, the ledger's verification, members and people; and its three buttons,
/// `POST /operator/pause`, `/operator/resume` and `/operator/round` (**Pause clearing**,
/// **Resume clearing**, **Run a round now**), through the same code as hearthctl, audited
/// with the person.
struct OperatorPages: WebPageGroup {
    func register(on routes: WebRoutes) {
        let environment = routes.environment
        routes.signedIn.get("operator") { _, context in
            _ = try Self.requireOperator(context)
            let (status, rounds, members, people) = try await environment.database.transaction(scope: .all, isolation: .repeatableRead) { connection in
                (
                    try ExchangeStatus.read(on: connection), try RoundStore.recent(limit: 10, on: connection),
                    try AuthorityRepository.all(on: connection), try UserRepository.all(on: connection)
                )
            }
            let verification = try await environment.database.pool.withConnection { try LedgerVerifier.verify(on: $0) }
            let values: [String: Any] = [
                "paused": status.paused,
                "open_bids": status.openBids, "open_offers": status.openOffers, "live_proposals": status.liveProposals,
                "daemons": status.daemons.map { daemon in
                    [
                        "id": String(daemon.id.prefix(8)), "host": daemon.host, "pid": daemon.pid, "version": daemon.version, "state": daemon.state,
                        "workers": daemon.workers, "last_seen": WebFormat.dateTime(daemon.lastSeen), "live": daemon.live,
                    ] as [String: Any]
                },
                "has_daemons": !status.daemons.isEmpty,
                "rounds": rounds.map(Self.roundRow), "has_rounds": !rounds.isEmpty,
                "ledger_passed": verification.passed,
                "ledger_checks": verification.checks.map { ["name": $0.name, "passed": $0.passed, "summary": $0.summary] as [String: Any] },
                "ledger_checksum": verification.checksum,
                "members": members.map { ["code": $0.code, "name": $0.name, "active": $0.active] as [String: Any] },
                "people": people.map { person in
                    [
                        "email": person.email, "name": person.name, "authority": person.authority, "role": person.role.rawValue,
                        "state": person.disabledAt != nil ? "disabled" : person.hasPassword ? "active" : "invited",
                        "disabled": person.disabledAt != nil, "invited": person.disabledAt == nil && !person.hasPassword,
                    ] as [String: Any]
                },
            ]
            return try environment.render("operator", values, context: context)
        }
        routes.signedIn.post("operator/pause") { _, context in
            let person = try Self.requireOperator(context)
            let changed = try await environment.database.transaction(scope: .all) { try ControlStore.setPaused(true, actor: person.caller.actor, on: $0) }
            return try await environment.redirect(
                to: "/operator", banner: changed ? "Clearing is paused on every daemon." : "Clearing was already paused.", context: context
            )
        }
        routes.signedIn.post("operator/resume") { _, context in
            let person = try Self.requireOperator(context)
            let changed = try await environment.database.transaction(scope: .all) { try ControlStore.setPaused(false, actor: person.caller.actor, on: $0) }
            return try await environment.redirect(
                to: "/operator", banner: changed ? "Clearing has resumed on every daemon." : "Clearing was not paused.", context: context
            )
        }
        routes.signedIn.post("operator/round") { _, context in
            let person = try Self.requireOperator(context)
            guard let summary = try await environment.runRound() else {
                return try await environment.redirect(to: "/operator", banner: "No round ran: another round was running. Try again.", context: context)
            }
            try await environment.database.transaction(scope: .all) { connection in
                try AuditLog.record(connection, actor: person.caller.actor, action: "round.run", entity: "round", entityID: String(summary.id), after: summary.status)
            }
            let placed = summary.childrenPlaced
            return try await environment.redirect(
                to: "/operator",
                banner: "Round \(summary.id) ran: \(summary.proposals) proposals; children placed: \(placed.emergency) emergency, \(placed.urgent) urgent, \(placed.planned) planned.",
                context: context
            )
        }
    }

    static func requireOperator(_ context: WebRequestContext) throws -> UserRecord {
        try context.requirePerson([.operator])
    }

    static func roundRow(_ round: RoundSummary) -> [String: Any] {
        [
            "id": round.id, "trigger": round.trigger.rawValue, "status": round.status, "started_at": WebFormat.dateTime(round.startedAt),
            "bids": round.bidsConsidered, "offers": round.offersConsidered, "proposals": round.proposals,
            "emergency": round.childrenPlaced.emergency, "urgent": round.childrenPlaced.urgent, "planned": round.childrenPlaced.planned,
            "distance": WebFormat.kilometres(round.totalDistanceKm), "weekly": WebFormat.pounds(round.totalWeeklyPence),
            "solver_ms": String(format: "%.1f", round.solverMs), "optimal": round.provenOptimal,
        ]
    }
}
