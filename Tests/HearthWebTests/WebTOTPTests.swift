import Foundation
import HTTPTypes
import HearthTestSupport
import HummingbirdOTP
import Testing

@testable import HearthWeb

/// Signs in through the real form with `code` from an authenticator app ("" for none).
private func signIn(_ browser: inout Browser, _ email: String, password: String, code: String) async throws -> Browser.Page {
    let form = try await browser.get("/login")
    return try await browser.post("/login", [("csrf_token", form.csrfToken ?? ""), ("email", email), ("password", password), ("code", code)])
}

/// The 6 digits an authenticator app shows for `secret` at `date`.
private func code(_ secret: String, at date: Date = Date()) -> String {
    String(format: "%06d", TOTP(secret: secret).compute(date: date))
}

/// Six digits that are not the code for `secret` now or a step either side.
private func wrongCode(_ secret: String) -> String {
    let valid = Set([-30.0, 0, 30].map { code(secret, at: Date().addingTimeInterval($0)) })
    return (0..<4).map { String(format: "%06d", $0) }.first { !valid.contains($0) } ?? "999999"
}

/// The second factor (`HummingbirdOTP`'s TOTP: 6 digits, 30 s, one step either side), enrolled
/// on the set-up page of `hearthctl user add`, on the real router over a real PostgreSQL.
@Suite("Web sign-in with a TOTP second factor", .serialized, .enabled(if: TestDatabase.isRequired))
struct WebTOTPTests {
    @Test("a person with TOTP must give the right code after the password; a wrong code is refused and counts towards the throttle")
    func secondFactor() async throws {
        try await WebHarness.with { harness, client in
            let email = "two.factor@kent.example"
            let password = "a long enough password"
            let added = try await ChildProcess.run(
                "hearthctl", ["user", "add", "--email", email, "--authority", "E10000016", "--role", "placement", "--public-url", "https://hearth.example.org"],
                environment: ["HEARTH_DATABASE_URL": harness.databaseURL]
            )
            #expect(added.status == 0, "\(added.output)")
            let path = String(String(added.output.split(separator: "\n").last ?? "").dropFirst("https://hearth.example.org".count))
            var browser = Browser(client)
            let setup = try await browser.get(path)
            #expect(setup.status == .ok)
            let secret = try #require(setup.body.firstMatch(of: /name="totp_secret" value="([A-Z2-7]{32})"/).map { String($0.1) })

            // Enrolling checks a code too: a wrong one is refused, the right one sets the factor.
            let enrol: [(String, String)] = [("password", password), ("confirm_password", password), ("totp", "yes"), ("totp_secret", secret)]
            #expect(try await browser.post(path, enrol + [("code", wrongCode(secret))]).status == .unprocessableContent)
            #expect(try await browser.post(path, enrol + [("code", code(secret))]).status == .seeOther)
            let enrolled = try await harness.owner { connection in
                try connection.query("SELECT totp_secret IS NOT NULL AS enrolled FROM users WHERE email = $1", [email]).first?.bool("enrolled")
            }
            #expect(enrolled == true)

            // The password alone is not enough: the page asks for the code, and no session starts.
            let asked = try await signIn(&browser, email, password: password, code: "")
            #expect(asked.status == .unauthorized)
            #expect(asked.body.contains("Enter the 6-digit code from your authenticator app"))
            #expect(asked.body.contains(#"id="code" name="code""#))
            #expect(browser.cookies[SessionMiddleware.cookieName] == nil)
            // A wrong code is refused the same way; the right code signs in.
            let refused = try await signIn(&browser, email, password: password, code: wrongCode(secret))
            #expect(refused.status == .unauthorized)
            #expect(refused.body.contains("Enter a correct code from your authenticator app"))
            #expect(refused.body.contains(##"href="#code""##))
            #expect(browser.cookies[SessionMiddleware.cookieName] == nil)
            // A right code with a wrong password is still the wrong details.
            let wrongPassword = try await signIn(&browser, email, password: "not the password at all", code: code(secret))
            #expect(wrongPassword.status == .unauthorized)
            #expect(wrongPassword.body.contains("Enter a correct email address and password"))
            let right = try await signIn(&browser, email, password: password, code: code(secret))
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/")
            let home = try await browser.get("/")
            #expect(home.status == .ok && home.body.contains("Sign out"))

            // Wrong codes count as failed sign-ins: after 5, even the right code is refused.
            _ = try await browser.post("/logout", [("csrf_token", home.csrfToken ?? "")])
            for attempt in 1...5 {
                #expect(try await signIn(&browser, email, password: password, code: wrongCode(secret)).status == .unauthorized, "wrong code \(attempt)")
            }
            let throttled = try await signIn(&browser, email, password: password, code: code(secret))
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.body.contains("Wait 15 minutes and try again"))
            #expect(browser.cookies[SessionMiddleware.cookieName] == nil)
            let failures = try await harness.owner { connection in
                try connection.query("SELECT count(*) AS n FROM sign_in_failures WHERE email = $1", [email]).first?.int("n") ?? 0
            }
            #expect(failures == 5)
        }
    }
}
