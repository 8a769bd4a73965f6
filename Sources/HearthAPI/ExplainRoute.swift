import HearthCore
import HearthStore
import Hummingbird

/// `GET /v1/bids/{id}/explain`: every open offer against one of the caller's bids — the ones it
/// is compatible with (distance, rate, whether their beds are held for other children) and, for
/// the rest, the first rule that failed (`BidExplanation`, shared with the web app's bid page).
struct ExplainRoute {
    let database: HearthDatabase

    func register(on group: RouterGroup<HearthRequestContext>) {
        group.get("bids/:id/explain", use: explain)
    }

    @Sendable func explain(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("bid")
        let today = CalendarDate.today()
        let explanation = try await database.transaction(scope: caller.scope, isolation: .repeatableRead) { connection in
            try ClearingStore.explanation(ofBid: id, authority: caller.ownedAuthority, today: today, on: connection)
        }
        guard let explanation else { throw Problem(status: .notFound, title: "Not found", detail: "no such bid") }
        return try JSONResponse.make(explanation)
    }
}
