import Foundation
import HearthCore
import HearthStore
import Hummingbird

/// `GET /`: the signed-in person's home, by role: their tasks with counts and links. The
/// scrutiny home is the sign-off queue.
struct HomePages: WebPageGroup {
    func register(on routes: WebRoutes) {
        let environment = routes.environment
        routes.signedIn.get("/") { _, context in
            let person = try context.requirePerson(Set(KeyRole.allCases))
            let caller = person.caller
            let figures = try await environment.database.transaction(scope: caller.scope) { connection -> Figures in
                switch person.role {
                case .placement:
                    let proposals = try ProposalRepository.list(authority: person.authority, status: nil, limit: 500, after: nil, on: connection)
                    var filter = BidFilter()
                    filter.limit = 200
                    let bids = try BidRepository.list(filter, authority: person.authority, on: connection)
                    let placements = try PlacementRepository.list(authority: person.authority, limit: 500, after: nil, on: connection)
                    let waiting = proposals.filter {
                        ($0.status == .proposed && $0.placingAuthority == person.authority)
                            || ($0.status == .signedOff && $0.hostAuthority == person.authority)
                    }
                    return .placement(
                        openBids: bids.filter { $0.status == .open || $0.status == .proposed }.count, waiting: waiting.count,
                        placements: placements.filter { $0.endDate == nil }.count
                    )
                case .scrutiny:
                    let accepted = try ProposalRepository.list(authority: person.authority, status: .accepted, limit: 500, after: nil, on: connection)
                    return .scrutiny(queue: accepted.filter { $0.placingAuthority == person.authority })
                case .finance:
                    return .finance
                case .operator:
                    return .operator(try ExchangeStatus.read(on: connection))
                }
            }
            var values: [String: Any] = ["home_\(person.role.rawValue)": true]
            switch figures {
            case .placement(let openBids, let waiting, let placements):
                values["open_bids"] = openBids
                values["proposals_waiting"] = waiting
                values["live_placements"] = placements
            case .scrutiny(let queue):
                values["queue"] = queue.map(Self.queueRow)
                values["queue_count"] = queue.count
                values["queue_empty"] = queue.isEmpty
            case .finance:
                values["periods"] = StatementPages.recentPeriods().prefix(3).map { ["period": $0.description] }
            case .operator(let status):
                values["paused"] = status.paused
                values["open_bids"] = status.openBids
                values["open_offers"] = status.openOffers
                values["live_proposals"] = status.liveProposals
                values["daemon_count"] = status.daemons.filter(\.live).count
            }
            return try environment.render("home", values, context: context)
        }
    }

    /// What the home page counts, read in one transaction.
    enum Figures: Sendable {
        case placement(openBids: Int, waiting: Int, placements: Int)
        case scrutiny(queue: [Proposal])
        case finance
        case `operator`(ExchangeStatus)
    }

    static func queueRow(_ proposal: Proposal) -> [String: Any] {
        [
            "id": proposal.id.uuidString.lowercased(), "host_authority": proposal.hostAuthority,
            "accepted_at": WebFormat.dateTime(proposal.acceptedAt), "expires_at": WebFormat.dateTime(proposal.expiresAt),
            "weekly_rate": WebFormat.pounds(proposal.weeklyRatePence), "distance": WebFormat.kilometres(proposal.distanceKm),
            "accepted_by_you": false,
        ]
    }
}
