import Foundation
import HearthCore
import HearthStore

/// What a placement page handler decided: a page to draw, or where to send the person next.
/// The web app's glue turns it into a response (layout, CSRF token, notification banner).
enum PageOutcome: Sendable {
    /// Draw `template` with `view`, answering `status` (422 for a form with mistakes).
    case page(template: String, title: String, view: any Sendable, status: Int)
    /// Go on to `path` (303) and show `notice` there in a success banner.
    case redirect(path: String, notice: String)
    /// Nothing the person may see has that id: the same page whether it exists or not.
    case notFound
}

/// The placement officer's, scrutiny's and the host's pages: the market of offers and its map,
/// offers, bids with their explanation, proposals, placements. Every read and every change goes
/// through the same HearthStore repositories as the API (so row-level security, the domain's
/// rules and the audit are the same); the handlers only read forms and gather values.
struct PlacementPages: Sendable {
    let database: HearthDatabase
    let postcodes: PostcodeDistricts

    /// Roles that may use the offers, bids and placements pages (operators may use every page).
    static let placementRoles: Set<KeyRole> = [.placement, .operator]
    /// Roles that may read proposals.
    static let proposalRoles: Set<KeyRole> = [.placement, .scrutiny, .operator]

    /// Member names, for showing authorities by name.
    func authorityNames(scope: AccessScope) async throws -> AuthorityNames {
        AuthorityNames(try await database.transaction(scope: scope) { try AuthorityRepository.all(on: $0) })
    }

    /// A domain refusal that is about no field of the form, as an error summary entry linking to
    /// `field` (the form's most relevant control).
    static func link(_ error: DomainError, to field: String, spec: FormSpec) -> [ErrorLink] {
        if error.fieldProblems.isEmpty {
            return [ErrorLink(field: field, href: "#\(field)", message: sentence(error.detail))]
        }
        return error.fieldProblems.map { spec.problem(from: $0) }.map { ErrorLink(field: $0.field, href: "#\($0.field)", message: $0.message) }
    }

    /// The domain's words as a sentence: a capital first letter.
    static func sentence(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }
}
