import Foundation
import HearthCore
import HearthStore
import Hummingbird
import HummingbirdBcrypt
import HummingbirdOTP

/// Signing in and out, and the one-time set-up page: `GET/POST /login`, `POST /logout`,
/// `GET/POST /setup/{token}`. These are the only pages served without a session.
struct SessionPages: Sendable {
    let environment: WebEnvironment

    /// The pre-sign-in cookie whose value the sign-in form must echo as `csrf_token`.
    static let loginCookie = "hearth_login"
    /// The message for wrong details (INTERFACE.md).
    static let wrongDetails = "Enter a correct email address and password"

    /// The POSTs that check their own token instead of the session's.
    static func checksItsOwnToken(_ path: String) -> Bool {
        path == "/login" || path.hasPrefix("/setup/")
    }

    func register(on web: RouterGroup<WebRequestContext>) {
        web.get("login", use: showLogin)
        web.post("login", use: signIn)
        web.post("logout", use: signOut)
        web.get("setup/:token", use: showSetup)
        web.post("setup/:token", use: completeSetup)
    }

    // MARK: Sign in

    @Sendable func showLogin(_ request: Request, context: WebRequestContext) async throws -> Response {
        if context.session != nil { return Response(status: .seeOther, headers: [.location: "/"]) }
        var banner: String?
        if request.uri.queryParameters.get("signed_out") != nil { banner = "You have signed out." }
        if request.uri.queryParameters.get("setup") != nil { banner = "Your password is set. Sign in with it now." }
        if request.uri.queryParameters.get("expired") != nil { banner = "You were signed out because you did nothing for a while. Sign in again." }
        return try loginPage(context: context, values: banner.map { ["banner": $0] } ?? [:], status: .ok)
    }

    @Sendable func signIn(_ request: Request, context: WebRequestContext) async throws -> Response {
        let form = try await WebForm(request: request)
        guard let expected = request.cookies[Self.loginCookie]?.value, SecretToken.isWellFormed(expected),
            SessionMiddleware.constantTimeEqual(form["csrf_token"] ?? "", expected)
        else { throw WebError.csrfRefused }
        let email = form.text("email")
        let password = form["password"] ?? ""
        let code = form.text("code")
        var errors: [WebFieldError] = []
        if email.isEmpty { errors.append(WebFieldError(field: "email", message: "Enter your email address")) }
        if password.isEmpty { errors.append(WebFieldError(field: "password", message: "Enter your password")) }
        if !errors.isEmpty {
            return try loginPage(context: context, values: ["errors": errors, "form": ["email": email]], status: .unprocessableContent)
        }
        let address = context.clientAddress
        let database = environment.database
        let (wait, candidate) = try await database.pool.withConnection { connection in
            (
                try SignInThrottle.wait(email: email, address: address, on: connection),
                try UserRepository.candidate(email: String(email.prefix(254)), on: connection)
            )
        }
        if let wait {
            let minutes = max(1, Int((wait / 60).rounded(.up)))
            let error = WebFieldError(
                field: "email", message: "There have been too many attempts to sign in. Wait \(minutes) minute\(minutes == 1 ? "" : "s") and try again"
            )
            return try loginPage(context: context, values: ["errors": [error], "form": ["email": email]], status: .tooManyRequests)
        }
        // Always one bcrypt check, so an unknown address takes as long as a wrong password.
        let hash = candidate?.passwordHash ?? Self.decoyHash
        let matches = await runOnOwnThread("hearth.bcrypt") { Bcrypt.verify(password, hash: hash) }
        guard let candidate, candidate.passwordHash != nil, candidate.user.disabledAt == nil, matches else {
            return try await refuse(email: email, address: address, context: context, message: Self.wrongDetails, askCode: false)
        }
        if let secret = candidate.totpSecret {
            guard !code.isEmpty else {
                let error = WebFieldError(field: "code", message: "Enter the 6-digit code from your authenticator app")
                return try loginPage(context: context, values: ["errors": [error], "form": ["email": email], "ask_code": true], status: .unauthorized)
            }
            guard Self.totpMatches(code, secret: secret) else {
                return try await refuse(email: email, address: address, context: context, message: "Enter a correct code from your authenticator app", askCode: true, field: "code")
            }
        }
        let user = candidate.user
        let timeout = environment.settings.idleTimeout
        let previous = context.sessionToken
        let token = try await database.pool.withTransaction { connection in
            // A new session id at every sign-in: a token planted before it is worth nothing.
            if let previous { try WebSessionStore.end(token: previous, on: connection) }
            try SignInThrottle.clear(email: email, on: connection)
            let token = try WebSessionStore.start(userID: user.id, idleTimeout: timeout, on: connection)
            try AuditLog.record(connection, actor: user.caller.actor, action: "user.sign_in", entity: "user", entityID: user.id)
            return token
        }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(cookie(SessionMiddleware.cookieName, token))
        response.setCookie(cookie(Self.loginCookie, "", maxAge: 0))
        return response
    }

    @Sendable func signOut(_ request: Request, context: WebRequestContext) async throws -> Response {
        if let token = context.sessionToken, let user = context.person {
            try await environment.database.pool.withTransaction { connection in
                try WebSessionStore.end(token: token, on: connection)
                try AuditLog.record(connection, actor: user.caller.actor, action: "user.sign_out", entity: "user", entityID: user.id)
            }
        }
        var response = Response(status: .seeOther, headers: [.location: "/login?signed_out=1"])
        response.setCookie(cookie(SessionMiddleware.cookieName, "", maxAge: 0))
        return response
    }

    private func refuse(
        email: String, address: String?, context: WebRequestContext, message: String, askCode: Bool, field: String = "email"
    ) async throws -> Response {
        try await environment.database.pool.withConnection { connection in
            try SignInThrottle.recordFailure(email: email, address: address, on: connection)
        }
        let error = WebFieldError(field: field, message: message)
        return try loginPage(context: context, values: ["errors": [error], "form": ["email": email], "ask_code": askCode], status: .unauthorized)
    }

    /// The sign-in page with a fresh pre-sign-in token in its form and cookie.
    private func loginPage(context: WebRequestContext, values: [String: Any], status: HTTPResponse.Status) throws -> Response {
        let token = SecretToken.make()
        var all = values
        all["login_token"] = token
        var response = try environment.render("login", all, context: context, status: status)
        response.setCookie(cookie(Self.loginCookie, token, maxAge: 3600))
        return response
    }

    // MARK: Set-up link

    @Sendable func showSetup(_ request: Request, context: WebRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let user = try await setupCandidate(token) else { throw Self.setupGone }
        let secret = Self.newTOTPSecret()
        return try setupPage(user: user, token: token, secret: secret, values: [:], context: context, status: .ok)
    }

    @Sendable func completeSetup(_ request: Request, context: WebRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let user = try await setupCandidate(token) else { throw Self.setupGone }
        let form = try await WebForm(request: request)
        let password = form["password"] ?? ""
        let confirmation = form["confirm_password"] ?? ""
        let wantsTOTP = form.contains("totp")
        let submittedSecret = form.text("totp_secret")
        let secret = Self.isTOTPSecret(submittedSecret) ? submittedSecret : Self.newTOTPSecret()
        var errors: [WebFieldError] = []
        if password.count < 10 {
            errors.append(WebFieldError(field: "password", message: "Enter a password of at least 10 characters"))
        } else if password.utf8.count > 72 {
            errors.append(WebFieldError(field: "password", message: "Enter a password of at most 72 bytes (about 70 letters)"))
        } else if password != confirmation {
            errors.append(WebFieldError(field: "confirm_password", message: "Enter the same password twice"))
        }
        if wantsTOTP, !Self.totpMatches(form.text("code"), secret: secret) {
            errors.append(WebFieldError(field: "code", message: "Enter the 6-digit code your authenticator app shows now"))
        }
        guard errors.isEmpty else {
            let typed: [String: Any] = ["totp": wantsTOTP, "code": form.text("code")]
            return try setupPage(user: user, token: token, secret: secret, values: ["errors": errors, "form": typed], context: context, status: .unprocessableContent)
        }
        let cost = environment.settings.bcryptCost
        let hash = await runOnOwnThread("hearth.bcrypt") { Bcrypt.hash(password, cost: cost) }
        let done = try await environment.database.pool.withConnection { connection in
            try UserRepository.completeSetup(token: token, passwordHash: hash, totpSecret: wantsTOTP ? secret : nil, on: connection)
        }
        guard done else { throw Self.setupGone }
        return Response(status: .seeOther, headers: [.location: "/login?setup=1"])
    }

    private func setupCandidate(_ token: String) async throws -> UserRecord? {
        try await environment.database.pool.withConnection { connection in
            try UserRepository.setupCandidate(token: token, on: connection)
        }
    }

    private func setupPage(
        user: UserRecord, token: String, secret: String, values: [String: Any], context: WebRequestContext, status: HTTPResponse.Status
    ) throws -> Response {
        let otp = TOTP(secret: secret)
        let url = otp.createAuthenticatorURL(label: user.email, issuer: "Hearth")
        let key = URLComponents(string: url)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        var all = values
        all["setup_person"] = ["name": user.name, "email": user.email, "role": user.role.rawValue, "authority_name": user.authorityName]
        all["setup_path"] = "/setup/\(token)"
        all["totp_secret"] = secret
        all["totp_key"] = key
        all["totp_url"] = url
        return try environment.render("setup", all, context: context, status: status)
    }

    static let setupGone = WebError(
        status: .notFound, title: "This set-up link cannot be used",
        message: "It has expired (links last 72 hours), was used already, or was mistyped. Ask your administrator for a new one."
    )

    // MARK: Helpers

    private func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: environment.settings.secureCookies, httpOnly: true, sameSite: .lax)
    }

    /// A bcrypt hash of nothing anyone knows, checked when the address is unknown.
    static let decoyHash = Bcrypt.hash(SecretToken.make(), cost: 12)

    static func newTOTPSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    static func isTOTPSecret(_ text: String) -> Bool {
        text.count == 32 && text.allSatisfy { ("A"..."Z").contains($0) || ("2"..."7").contains($0) }
    }

    /// True when `code` is the TOTP for now or the 30-second step either side.
    static func totpMatches(_ code: String, secret: String) -> Bool {
        guard code.count == 6, let value = Int(code) else { return false }
        let otp = TOTP(secret: secret)
        let now = Date()
        return [-30.0, 0, 30].contains { otp.compute(date: now.addingTimeInterval($0)) == value }
    }
}
