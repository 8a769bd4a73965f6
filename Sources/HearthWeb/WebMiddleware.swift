import Foundation
import HearthAPI
import HearthCore
import HearthStore
import HTTPTypes
import Hummingbird
import LibPQ
import Logging

/// For every path outside the API: security headers on every answer, and errors (404 for an
/// unknown page included) rendered as HTML pages. API paths pass through untouched, so the
/// API's problem+json answers are exactly as before.
struct WebPageMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext

    let renderer: WebRenderer

    /// The Content-Security-Policy: no inline script or style, no framing, forms post here only.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

    static func isAPIPath(_ path: String) -> Bool {
        path == "/v1" || path.hasPrefix("/v1/") || ["/health", "/ready", "/metrics", "/openapi.yaml"].contains(path)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !Self.isAPIPath(request.uri.path) else { return try await next(request, context) }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = errorPage(for: error, request: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.xFrameOptions] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    private func errorPage(for error: any Error, request: Request, context: Context) -> Response {
        guard let page = Self.page(for: error, logger: context.logger) else {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        do {
            return try renderer.html("error", ["title": page.title, "message": page.message, "status": page.status.code], status: page.status)
        } catch {
            return Self.plainPage(page)
        }
    }

    /// The page that tells a person about `error`; nil when they must sign in first.
    static func page(for error: any Error, logger: Logger) -> WebError? {
        switch error {
        case let error as WebError where error == .signInRequired:
            return nil
        case let error as WebError:
            return error
        case let violation as DomainError:
            return WebError(status: HTTPResponse.Status(code: violation.status), title: Self.title(for: violation.status), message: Self.sentence(violation.detail))
        case StoreError.notFound:
            return .notFound
        case StoreError.conflict(let message):
            return WebError(status: .conflict, title: "This could not be done", message: Self.sentence(message))
        case let error as PostgresError where error.fault == .input:
            return WebError(status: .unprocessableContent, title: "This could not be done", message: "A value was refused by the database. Go back and check what you typed.")
        case is PoolClosedError, is PoolTimeoutError:
            return WebError(status: .serviceUnavailable, title: "Sorry, the service is unavailable", message: "Try again in a few minutes.")
        case let error as HTTPError where error.status == .notFound:
            return .notFound
        case let error as any HTTPResponseError:
            return WebError(status: error.status, title: error.status.reasonPhrase, message: "Sorry, there is a problem with the request.")
        default:
            logger.error("web page failed", metadata: ["error_type": "\(type(of: error))", "error": "\(error)"])
            return WebError(status: .internalServerError, title: "Sorry, there is a problem with the service", message: "Try again later. Nothing you sent was lost if a page said it was saved.")
        }
    }

    /// The error page as plain text, when even the template failed.
    static func plainPage(_ page: WebError) -> Response {
        Response(status: page.status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: page.title)))
    }

    static func title(for status: Int) -> String {
        switch status {
        case 403: "You cannot do this"
        case 404: "Page not found"
        case 409: "This could not be done"
        case 422: "This could not be done"
        default: "Sorry, there is a problem"
        }
    }

    /// A message as a sentence: capital first letter, full stop at the end.
    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let capitalised = first.uppercased() + text.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }
}

/// Finds the browser's session from its cookie (every web request), and refuses a POST whose
/// `csrf_token` is not the session's (compared in constant time) with a 403 page, before any
/// handler runs. The sign-in form, which has no session yet, carries a token bound to a
/// short-lived pre-sign-in cookie instead (`SessionPages`).
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    static let cookieName = "hearth_session"

    let environment: WebEnvironment

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = request.cookies[Self.cookieName]?.value, SecretToken.isWellFormed(token) {
            let timeout = environment.settings.idleTimeout
            let session = try await environment.database.pool.withConnection { connection in
                try WebSessionStore.resume(token: token, idleTimeout: timeout, on: connection)
            }
            if let session {
                context.session = session
                context.sessionToken = token
                context.logger[metadataKey: "authority"] = .string(session.user.authority)
                context.logger[metadataKey: "person_role"] = .string(session.user.role.rawValue)
            }
        }
        // The sign-in and set-up forms check their own token (they are posted without a session).
        if request.method == .post, let session = context.session, !SessionPages.checksItsOwnToken(request.uri.path) {
            let form = try await WebForm(request: request)
            guard Self.constantTimeEqual(form["csrf_token"] ?? "", session.csrfToken) else {
                // Drawn in the person's layout (they are signed in), so it still offers Sign out.
                let page = WebError.csrfRefused
                return try environment.renderer.page(
                    "error", ["title": page.title, "message": page.message, "status": page.status.code], context: context, status: page.status
                )
            }
        }
        return try await next(request, context)
    }

    /// Compares two strings in time that depends only on their lengths.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

/// Sends a browser without a session to `/login`.
struct SignedInMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    let renderer: WebRenderer

    /// Requires a session, and draws a signed-in page's errors (403, 404, 409…) in the person's
    /// own layout, so even an error page offers **Sign out**.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.session != nil else { throw WebError.signInRequired }
        do {
            return try await next(request, context)
        } catch {
            guard let page = WebPageMiddleware.page(for: error, logger: context.logger) else { throw error }
            do {
                return try renderer.page("error", ["title": page.title, "message": page.message, "status": page.status.code], context: context, status: page.status)
            } catch {
                return WebPageMiddleware.plainPage(page)
            }
        }
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
