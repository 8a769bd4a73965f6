import Foundation
import HearthStore
import Hummingbird

/// Registers the placement pages (`/offers`, `/bids`, `/proposals`, `/placements` and their
/// forms) on the signed-in routes: every POST there carries the session's CSRF token.
struct PlacementPageGroup: WebPageGroup {
    func register(on routes: WebRoutes) {
        let environment = routes.environment
        let pages = PlacementPages(database: environment.database, postcodes: environment.postcodes)
        let web = routes.signedIn
        let placement = PlacementPages.placementRoles
        let proposals = PlacementPages.proposalRoles

        web.get("offers") { request, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.market(query: Self.query(request), caller: caller), environment, context)
        }
        web.get("offers/new") { _, context in
            _ = try context.requireCaller(placement)
            return try await Self.answer(pages.newOffer(), environment, context)
        }
        web.post("offers/new") { request, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.postOffer(form: try await Self.form(request), caller: caller), environment, context)
        }
        web.get("offers/:id") { _, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.offer(try Self.id(context), caller: caller), environment, context)
        }
        web.post("offers/:id") { request, context in
            let caller = try context.requireCaller(placement)
            let outcome = try await pages.changeOffer(try Self.id(context), form: try await Self.form(request), caller: caller)
            return try await Self.answer(outcome, environment, context)
        }
        web.post("offers/:id/withdraw") { _, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.withdrawOffer(try Self.id(context), caller: caller), environment, context)
        }

        web.get("bids") { _, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.bids(caller: caller), environment, context)
        }
        web.get("bids/new") { _, context in
            _ = try context.requireCaller(placement)
            return try await Self.answer(pages.newBid(), environment, context)
        }
        web.post("bids/new") { request, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.postBid(form: try await Self.form(request), caller: caller), environment, context)
        }
        web.get("bids/:id") { _, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.bid(try Self.id(context), caller: caller), environment, context)
        }
        web.post("bids/:id/withdraw") { _, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.withdrawBid(try Self.id(context), caller: caller), environment, context)
        }

        web.get("proposals") { _, context in
            let caller = try context.requireCaller(proposals)
            return try await Self.answer(try await pages.proposals(caller: caller), environment, context)
        }
        web.get("proposals/:id") { _, context in
            let caller = try context.requireCaller(proposals)
            return try await Self.answer(try await pages.proposal(try Self.id(context), caller: caller), environment, context)
        }
        for action in [ProposalAction.accept, .decline, .signOff, .confirm] {
            web.post(RouterPath("proposals/:id/\(action.rawValue)")) { request, context in
                let caller = try context.requireCaller(proposals)
                let outcome = try await pages.act(action, on: try Self.id(context), form: try await Self.form(request), caller: caller)
                return try await Self.answer(outcome, environment, context)
            }
        }

        web.get("placements") { _, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.placements(caller: caller), environment, context)
        }
        web.get("placements/:id") { _, context in
            let caller = try context.requireCaller(placement)
            return try await Self.answer(try await pages.placement(try Self.id(context), caller: caller), environment, context)
        }
        web.post("placements/:id/end") { request, context in
            let caller = try context.requireCaller(placement)
            let outcome = try await pages.endPlacement(try Self.id(context), form: try await Self.form(request), caller: caller)
            return try await Self.answer(outcome, environment, context)
        }
    }

    /// The record id in the path; anything that is not a UUID is a page that does not exist.
    static func id(_ context: WebRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw WebError.notFound }
        return id
    }

    /// The posted form.
    static func form(_ request: Request) async throws -> FormInput {
        FormInput(try await WebForm(request: request).fields.map { ($0.name, $0.value) })
    }

    /// The query string, decoded as a form is.
    static func query(_ request: Request) throws -> FormInput {
        FormInput(try WebForm(body: Array((request.uri.query ?? "").utf8)).fields.map { ($0.name, $0.value) })
    }

    /// Turns a handler's decision into the response: the page over the layout (its errors in
    /// the summary), a 303 with a success banner, or the 404 page.
    static func answer(_ outcome: PageOutcome, _ environment: WebEnvironment, _ context: WebRequestContext) async throws -> Response {
        switch outcome {
        case .page(let template, let title, let view, let status):
            let errors = (view as? any ShowsErrors)?.errorLinks ?? []
            let values: [String: Any] = [
                "view": view, "page_title": title, "errors": errors.map { WebFieldError(field: $0.field, message: $0.message) },
            ]
            return try environment.render(template, values, context: context, status: HTTPResponse.Status(code: status))
        case .redirect(let path, let notice):
            return try await environment.redirect(to: path, banner: notice, context: context)
        case .notFound:
            throw WebError.notFound
        }
    }
}

/// A page whose error summary lists `errorLinks`.
protocol ShowsErrors {
    var errorLinks: [ErrorLink] { get }
}

extension OffersPage: ShowsErrors { var errorLinks: [ErrorLink] { filters.errors } }
extension NewRecordPage: ShowsErrors { var errorLinks: [ErrorLink] { form.errors } }
extension OfferPage: ShowsErrors { var errorLinks: [ErrorLink] { errors } }
extension BidPage: ShowsErrors { var errorLinks: [ErrorLink] { errors } }
extension ProposalPage: ShowsErrors { var errorLinks: [ErrorLink] { errors } }
extension PlacementPage: ShowsErrors { var errorLinks: [ErrorLink] { errors } }
