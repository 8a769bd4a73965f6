import Foundation
import HearthAPI
import HearthStore
import Hummingbird
import Logging

/// A group of pages (home, statements, the operator's, placement pages…), registered on the
/// web app's routes. Each handler reads the person from `WebRequestContext`, acts through the
/// repositories and domain functions the API uses, and renders through `WebEnvironment`.
public protocol WebPageGroup: Sendable {
    /// Adds the group's routes.
    func register(on routes: WebRoutes)
}

/// Where page groups add their routes.
public struct WebRoutes {
    /// Pages for signed-in people only: a browser without a session is sent to `/login`, and
    /// every POST must carry the session's `csrf_token` (else a 403 page, nothing changed).
    public let signedIn: RouterGroup<WebRequestContext>
    /// What handlers work with.
    public let environment: WebEnvironment
}

/// The web app for people, mounted by hearthd at `/` beside the API (same router, process,
/// repositories, row-level security and audit). See Docs/web.md.
public struct WebApp: ServerMount {
    /// Every page group of the web app, in registration order.
    public static let standardPages: [any WebPageGroup] = [HomePages(), StatementPages(), OperatorPages(), InsightPages(), PlacementPageGroup()]

    let environment: WebEnvironment
    let pages: [any WebPageGroup]

    /// A web app over `database`. `runRound` runs one clearing round now (the operator's
    /// **Run a round now**); `pages` are the page groups besides sign-in and set-up.
    public init(
        database: HearthDatabase, postcodes: PostcodeDistricts, settings: WebSettings,
        pages: [any WebPageGroup] = WebApp.standardPages, runRound: @escaping @Sendable () async throws -> RoundSummary?
    ) throws {
        self.environment = WebEnvironment(
            database: database, renderer: try WebRenderer.load(), postcodes: postcodes, settings: settings, runRound: runRound
        )
        self.pages = pages
    }

    public func mount(on router: Router<HearthRequestContext>) {
        router.add(middleware: WebPageMiddleware(renderer: environment.renderer))
        StaticFiles.load().register(on: router)
        let web = router.group(context: WebRequestContext.self)
            .add(middleware: SessionMiddleware(environment: environment))
        SessionPages(environment: environment).register(on: web)
        let signedIn = web.group().add(middleware: SignedInMiddleware(renderer: environment.renderer))
        let routes = WebRoutes(signedIn: signedIn, environment: environment)
        for group in pages { group.register(on: routes) }
    }
}
