import Foundation
import HearthStore
import Hummingbird
import Mustache

/// The web app's templates (`Web/templates/*.mustache`, compiled into the program) and how a
/// page is rendered: every page gets the layout's values (see Docs/web.md, "The page contract").
public struct WebRenderer: Sendable {
    let library: MustacheLibrary

    /// Loads every embedded template; a template that does not parse stops the program at start.
    public static func load() throws -> WebRenderer {
        var library = MustacheLibrary()
        let files = HearthResources.files(under: "Web/templates")
        guard !files.isEmpty else { throw ResourceError("this build of Hearth contains no web templates (Web/templates)") }
        for file in files where file.name.hasSuffix(".mustache") {
            do {
                try library.register(file.text, named: String(file.name.dropLast(".mustache".count)))
            } catch {
                throw ResourceError("the web template \(file.name) does not parse: \(error)")
            }
        }
        return WebRenderer(library: library)
    }

    /// The page `template` with `values` over the layout's values for `context`: `csrf_token`,
    /// `person`, the role flags, `banner` and `errors`. `values` win over the defaults.
    public func page(
        _ template: String, _ values: [String: Any] = [:], context: WebRequestContext, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        var all = Self.layoutValues(for: context)
        for (key, value) in values { all[key] = value }
        if let errors = values["errors"] as? [WebFieldError] {
            all["errors"] = errors.map { ["field": $0.field, "message": $0.message] }
            all["has_errors"] = !errors.isEmpty
            var byField: [String: String] = [:]
            for error in errors where byField[error.field] == nil { byField[error.field] = error.message }
            all["error"] = byField
        }
        return try html(template, all, status: status)
    }

    /// Renders `template` with exactly `values` as an HTML response.
    func html(_ template: String, _ values: [String: Any], status: HTTPResponse.Status) throws -> Response {
        guard let body = library.render(values, withTemplate: template) else {
            throw ResourceError("no web template named \(template)")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// What the layout needs on every page.
    static func layoutValues(for context: WebRequestContext) -> [String: Any] {
        var values: [String: Any] = ["errors": [[String: String]](), "has_errors": false, "error": [String: String]()]
        if let session = context.session {
            let person = session.user
            values["csrf_token"] = session.csrfToken
            values["person"] = [
                "name": person.name, "email": person.email, "role": person.role.rawValue,
                "authority_code": person.authority, "authority_name": person.authorityName,
            ]
            values["is_placement"] = person.role == .placement
            values["is_scrutiny"] = person.role == .scrutiny
            values["is_finance"] = person.role == .finance
            values["is_operator"] = person.role == .operator
            if let flash = session.flash { values["banner"] = flash }
        }
        return values
    }
}
