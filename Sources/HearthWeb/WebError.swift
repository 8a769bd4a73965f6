import Hummingbird

/// A page that cannot be shown, with the status and the plain-English message the error page
/// gives. Thrown by handlers and middleware; `WebPageMiddleware` renders it.
public struct WebError: Error, Sendable, Equatable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The page's heading.
    public let title: String
    /// What the person can do about it.
    public let message: String

    /// Creates an error page.
    public init(status: HTTPResponse.Status, title: String, message: String) {
        self.status = status
        self.title = title
        self.message = message
    }

    /// The 404 page. Another authority's record is a 404 too, never a 403: its existence is
    /// not the viewer's to know.
    public static let notFound = WebError(
        status: .notFound, title: "Page not found", message: "If you typed the web address, check it is correct. If you followed a link, the record may not exist or may belong to another authority."
    )

    /// The page needs a signed-in person: answered by a redirect to `/login`.
    public static let signInRequired = WebError(status: .seeOther, title: "Sign in", message: "Sign in to continue.")

    /// The form's CSRF token was missing or wrong: nothing was changed.
    public static let csrfRefused = WebError(
        status: .forbidden, title: "Your form could not be sent",
        message: "Nothing was changed. The form had expired or did not come from this service. Go back, reload the page and try again."
    )

    /// The person's role may not use this page.
    public static func forbidden(_ message: String) -> WebError {
        WebError(status: .forbidden, title: "You do not have access to this page", message: message)
    }

    /// The request itself was malformed (not a person's typing mistake, which is a 422 page).
    public static func badRequest(_ message: String) -> WebError {
        WebError(status: .badRequest, title: "Sorry, there is a problem with the request", message: message)
    }
}

/// A mistake in one form field, shown in the error summary (linking to `#field`) and beside
/// the field.
public struct WebFieldError: Sendable, Equatable {
    /// The form field's name (and its input's id).
    public let field: String
    /// What to fix, in plain English.
    public let message: String

    /// Creates a field error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
