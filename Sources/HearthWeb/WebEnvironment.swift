import Foundation
import HearthStore
import Hummingbird

/// What page handlers work with: the database, the templates, the postcode table and the
/// settings. Handlers use the same repositories and domain functions as the API, with
/// `WebRequestContext.requireCaller` as the caller.
public struct WebEnvironment: Sendable {
    /// The exchange's database (hearthd's pool).
    public let database: HearthDatabase
    /// The templates.
    public let renderer: WebRenderer
    /// Postcode districts, for `postcode` fields.
    public let postcodes: PostcodeDistricts
    /// How the web app behaves.
    public let settings: WebSettings
    /// Runs one clearing round now (hearthd's round runner), for the operator's page.
    let runRound: @Sendable () async throws -> RoundSummary?

    /// Renders a page (see `WebRenderer.page`). A form with mistakes is re-rendered with
    /// status 422, `errors` and what the person typed (by convention under `form`).
    public func render(
        _ template: String, _ values: [String: Any] = [:], context: WebRequestContext, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        try renderer.page(template, values, context: context, status: status)
    }

    /// Redirect after POST: a 303 to `path` (a path on this site), with `banner` shown once as
    /// a success notification on the next page.
    public func redirect(to path: String, banner: String? = nil, context: WebRequestContext) async throws -> Response {
        guard path.hasPrefix("/"), !path.hasPrefix("//") else { throw WebError.badRequest("Redirects stay on this site.") }
        if let banner, let token = context.sessionToken {
            try await database.pool.withConnection { connection in
                try WebSessionStore.setFlash(banner, token: token, on: connection)
            }
        }
        return Response(status: .seeOther, headers: [.location: path])
    }
}

/// How the web app behaves: where people reach it, and the session idle timeout.
public struct WebSettings: Sendable {
    /// The public address (`--public-url`), e.g. `https://hearth.example.org`: cookies are
    /// `Secure` when it is https.
    public var publicURL: String
    /// Seconds a session may stay unused before it ends (30 minutes).
    public var idleTimeout: TimeInterval
    /// bcrypt cost for passwords chosen on the set-up page.
    public var bcryptCost: UInt8

    /// Creates settings; the defaults are production's.
    public init(publicURL: String, idleTimeout: TimeInterval = WebSessionStore.idleTimeout, bcryptCost: UInt8 = 12) {
        self.publicURL = publicURL
        self.idleTimeout = idleTimeout
        self.bcryptCost = bcryptCost
    }

    /// True when cookies must be `Secure`.
    public var secureCookies: Bool { publicURL.lowercased().hasPrefix("https://") }
}
