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
            let values: [String: Any] = try await environment.database.transaction(scope: caller.scope) { connection in
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
                    return [
                        "open_bids": bids.filter { $0.status == .open || $0.status == .proposed }.count,
                        "proposals_waiting": waiting.count,
                        "live_placements": placements.filter { $0.endDate == nil }.count,
                    ]
                case .scrutiny:
                    let accepted = try ProposalRepository.list(authority: person.authority, status: .accepted, limit: 500, after: nil, on: connection)
                    let queue = accepted.filter { $0.placingAuthority == person.authority }
                    return ["queue": queue.map(Self.queueRow), "queue_count": queue.count, "queue_empty": queue.isEmpty]
                case .finance:
                    return ["periods": StatementPages.recentPeriods().prefix(3).map { ["period": $0.description] }]
                case .operator:
                    let status = try ExchangeStatus.read(on: connection)
                    return [
                        "paused": status.paused, "open_bids": status.openBids, "open_offers": status.openOffers,
                        "live_proposals": status.liveProposals, "daemon_count": status.daemons.filter(\.live).count,
                    ]
                }
            }
            return try environment.render("home", values.merging(["home_\(person.role.rawValue)": true]) { $1 }, context: context)
        }
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
