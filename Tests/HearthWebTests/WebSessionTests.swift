import Foundation
import HearthStore
import HearthTestSupport
import Hummingbird
import LibPQ
import Testing

@testable import HearthWeb

/// Signing in and out, sessions, CSRF and the headers of every page, on the real router over a
/// real PostgreSQL with hearthd's own login.
@Suite("Web sessions", .serialized, .enabled(if: TestDatabase.isRequired))
struct WebSessionTests {
    @Test("unauthenticated / goes to /login; the sign-in form has email, password and Sign in")
    func homeNeedsSignIn() async throws {
        try await WebHarness.with { _, client in
            var browser = Browser(client)
            let home = try await browser.get("/")
            #expect(home.status == .seeOther)
            #expect(home.headers[.location] == "/login")
            let login = try await browser.get("/login")
            #expect(login.status == .ok)
            #expect(login.body.contains(#"name="email""#) && login.body.contains(#"name="password""#))
            #expect(login.body.contains(">Sign in</button>"))
        }
    }

    @Test("right details sign in (a new session id), wrong ones answer 401 with the message, and a sign-in is audited with the person")
    func signInAndFailure() async throws {
        try await WebHarness.with { harness, client in
            var browser = Browser(client)
            let wrong = try await browser.signIn(WebHarness.placement, password: "not the password")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body.contains("Enter a correct email address and password"))
            #expect(wrong.body.contains("There is a problem"))
            #expect(wrong.body.contains(#"value="placement@kent.demo.example""#), "the typed email is kept")

            let unknown = try await browser.signIn("nobody@example.org")
            #expect(unknown.status == .unauthorized)

            let right = try await browser.signIn(WebHarness.placement)
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/")
            let first = browser.cookies[SessionMiddleware.cookieName]
            #expect(first != nil)
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.body.contains("Sign out"))
            #expect(home.body.contains("Kent placement officer"))

            // A signed-in person is sent home from /login; Sign out ends the session for good.
            #expect(try await browser.get("/login").headers[.location] == "/")
            let signedOut = try await browser.post("/logout", [("csrf_token", home.csrfToken ?? "")])
            #expect(signedOut.status == .seeOther && signedOut.headers[.location] == "/login?signed_out=1")
            #expect(try await browser.get("/login?signed_out=1").body.contains("You have signed out."))
            var stale = Browser(client)
            stale.cookies[SessionMiddleware.cookieName] = first
            #expect(try await stale.get("/").status == .seeOther)
            // Signing in again gives a new session id.
            _ = try await browser.signIn(WebHarness.placement)
            #expect(browser.cookies[SessionMiddleware.cookieName] != nil && browser.cookies[SessionMiddleware.cookieName] != first)

            let audited = try await harness.owner { connection in
                try connection.query(
                    "SELECT count(*) AS n FROM audit_log a JOIN users u ON u.id = a.actor_user_id WHERE a.action = 'user.sign_in' AND a.actor_kind = 'person' AND u.email = $1",
                    [WebHarness.placement]
                ).first?.int("n") ?? 0
            }
            #expect(audited == 2)
        }
    }

    @Test("after 5 failures for one account even the right password is refused, and the page says how long to wait")
    func throttle() async throws {
        try await WebHarness.with { _, client in
            var browser = Browser(client)
            for _ in 0..<5 {
                #expect(try await browser.signIn(WebHarness.finance, password: "wrong password!").status == .unauthorized)
            }
            let refused = try await browser.signIn(WebHarness.finance)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.body.contains("Wait 15 minutes and try again"))
            #expect(browser.cookies[SessionMiddleware.cookieName] == nil)
            // Another account is not affected.
            #expect(try await browser.signIn(WebHarness.scrutiny).status == .seeOther)
        }
    }

    @Test("a POST without the session's CSRF token is a 403 page and changes nothing")
    func csrfRefused() async throws {
        try await WebHarness.with { harness, client in
            var browser = Browser(client)
            #expect(try await browser.signIn(WebHarness.operatorEmail).status == .seeOther)
            let missing = try await browser.post("/operator/pause", [])
            #expect(missing.status == .forbidden)
            #expect(missing.body.contains("Nothing was changed"))
            let wrong = try await browser.post("/operator/pause", [("csrf_token", SecretToken.make())])
            #expect(wrong.status == .forbidden)
            // A token of another session is refused too.
            var other = Browser(client)
            _ = try await other.signIn(WebHarness.operatorEmail)
            let othersToken = try await other.get("/operator").csrfToken ?? ""
            #expect(try await browser.post("/operator/pause", [("csrf_token", othersToken)]).status == .forbidden)
            let paused = try await harness.owner { try $0.query("SELECT clearing_paused FROM control").first?.bool("clearing_paused") }
            #expect(paused == false)

            let page = try await browser.get("/operator")
            let done = try await browser.post("/operator/pause", [("csrf_token", page.csrfToken ?? "")])
            #expect(done.status == .seeOther)
            let after = try await browser.get("/operator")
            #expect(after.body.contains("Clearing is paused on every daemon."), "the banner shows once")
            #expect(after.body.contains("Resume clearing"))
            #expect(!(try await browser.get("/operator")).body.contains("Clearing is paused on every daemon."))
            let audit = try await harness.owner { connection in
                try connection.query(
                    "SELECT a.actor_kind, a.actor_role, u.email FROM audit_log a JOIN users u ON u.id = a.actor_user_id WHERE a.action LIKE 'control%' OR a.entity = 'control'"
                ).rows.map { "\(try $0.string("actor_kind")) \(try $0.string("actor_role")) \(try $0.string("email"))" }
            }
            #expect(audit == ["person operator \(WebHarness.operatorEmail)"])
        }
    }

    @Test("disabling a person ends their session at once")
    func disableEndsSession() async throws {
        try await WebHarness.with { harness, client in
            var browser = Browser(client)
            _ = try await browser.signIn(WebHarness.placement)
            #expect(try await browser.get("/").status == .ok)
            let disabled = try await ChildProcess.run("hearthctl", ["user", "disable", WebHarness.placement], environment: ["HEARTH_DATABASE_URL": harness.databaseURL])
            #expect(disabled.status == 0, "\(disabled.output)")
            let after = try await browser.get("/")
            #expect(after.status == .seeOther && after.headers[.location] == "/login")
            #expect(try await browser.signIn(WebHarness.placement).status == .unauthorized)
        }
    }

    @Test("a session idle longer than the timeout is refused and purged")
    func idleTimeout() async throws {
        try await WebHarness.with { harness, client in
            var browser = Browser(client)
            _ = try await browser.signIn(WebHarness.finance)
            #expect(try await browser.get("/").status == .ok)
            // 31 minutes of silence, without waiting for them.
            try await harness.owner { try $0.query("UPDATE web_sessions SET last_seen_at = now() - interval '31 minutes'") }
            let after = try await browser.get("/")
            #expect(after.status == .seeOther)
            var other = Browser(client)
            _ = try await other.signIn(WebHarness.scrutiny)
            let left = try await harness.owner { try $0.query("SELECT count(*) AS n FROM web_sessions").first?.int("n") }
            #expect(left == 1, "the idle session was purged at the next sign-in")
        }
    }

    @Test("cookies are HttpOnly and SameSite=Lax, and Secure when the public URL is https")
    func secureCookies() async throws {
        try await WebHarness.with(settings: WebSettings(publicURL: "https://hearth.example.org")) { _, client in
            var browser = Browser(client)
            let response = try await client.execute(uri: "/login", method: .get)
            let cookie = response.headers[.setCookie] ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"))
            let signedIn = try await browser.signIn(WebHarness.finance)
            let session = signedIn.headers[values: .setCookie].first { $0.hasPrefix(SessionMiddleware.cookieName) } ?? ""
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Secure"))
        }
        try await WebHarness.with { _, client in
            let response = try await client.execute(uri: "/login", method: .get)
            #expect(!(response.headers[.setCookie] ?? "").contains("Secure"))
        }
    }

    @Test("every page carries the CSP without inline script, nosniff and no-store; the API's answers are unchanged")
    func securityHeaders() async throws {
        try await WebHarness.with { _, client in
            var browser = Browser(client)
            for path in ["/login", "/no-such-page"] {
                let page = try await browser.get(path)
                #expect(page.headers[.contentSecurityPolicy] == WebPageMiddleware.contentSecurityPolicy)
                #expect(page.headers[.xContentTypeOptions] == "nosniff")
                #expect(page.headers[.cacheControl] == "no-store")
                #expect(!page.body.contains("<script>") && !page.body.contains("style="))
            }
            let missing = try await browser.get("/no-such-page")
            #expect(missing.status == .notFound && missing.body.contains("Page not found"))
            _ = try await browser.signIn(WebHarness.finance)
            let statements = try await browser.get("/statements")
            #expect(statements.headers[.cacheControl] == "no-store")
            #expect(statements.headers[.contentSecurityPolicy] != nil)
            let css = try await browser.get("/static/hearth.css")
            #expect(css.status == .ok && css.body.contains(".govuk-button"))
            let api = try await browser.get("/v1/authorities")
            #expect(api.status == .unauthorized)
            #expect(api.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            #expect(api.headers[.contentSecurityPolicy] == nil)
            let unknownAPI = try await browser.get("/v1/nothing-here")
            #expect(unknownAPI.headers[.contentType]?.hasPrefix("application/problem+json") == true)
        }
    }

    @Test("a form with mistakes comes back 422 with the error summary and what was typed, escaped")
    func unprocessableKeepsTyped() async throws {
        try await WebHarness.with { _, client in
            var browser = Browser(client)
            let form = try await browser.get("/login")
            let page = try await browser.post("/login", [("csrf_token", form.csrfToken ?? ""), ("email", "<script>alert(1)</script>"), ("password", "")])
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("There is a problem"))
            #expect(page.body.contains(##"<a href="#password">Enter your password</a>"##))
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.body.contains("<script>alert(1)"))
            #expect(page.body.contains("<title>Error: Sign in"))
        }
    }

    @Test("the statement page and its Download CSV are the API's own file")
    func statementCSV() async throws {
        try await WebHarness.with { _, client in
            var browser = Browser(client)
            _ = try await browser.signIn(WebHarness.finance)
            let page = try await browser.get("/statements/2026-01")
            #expect(page.status == .ok)
            #expect(page.body.contains("Download CSV") && page.body.contains("Net position"))
            let csv = try await browser.get("/statements/2026-01.csv")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(try await browser.get("/statements/2026-13").status == .notFound)
            var placement = Browser(client)
            _ = try await placement.signIn(WebHarness.placement)
            #expect(try await placement.get("/statements").status == .forbidden)
        }
    }

    @Test("a set-up link from hearthctl user add lets the person choose a password once, then sign in")
    func setupLink() async throws {
        try await WebHarness.with { harness, client in
            let added = try await ChildProcess.run(
                "hearthctl", ["user", "add", "--email", "Jo.Bloggs@Kent.example", "--authority", "E10000016", "--role", "scrutiny", "--public-url", "https://hearth.example.org"],
                environment: ["HEARTH_DATABASE_URL": harness.databaseURL]
            )
            #expect(added.status == 0, "\(added.output)")
            let link = String(added.output.split(separator: "\n").last ?? "")
            #expect(link.hasPrefix("https://hearth.example.org/setup/"))
            let path = String(link.dropFirst("https://hearth.example.org".count))
            var browser = Browser(client)
            #expect(try await browser.get(path).status == .ok)
            let short = try await browser.post(path, [("password", "short"), ("confirm_password", "short")])
            #expect(short.status == .unprocessableContent)
            let done = try await browser.post(path, [("password", "a long enough password"), ("confirm_password", "a long enough password")])
            #expect(done.status == .seeOther)
            #expect(try await browser.get(path).status == .notFound, "a link works once")
            #expect(try await browser.signIn("jo.bloggs@kent.example", password: "a long enough password").status == .seeOther)
        }
    }
}
