import Foundation
import Hummingbird

/// An RFC 9457 problem: the body of every error response (`application/problem+json`).
///
/// Thrown from handlers; Hummingbird turns it into a response through `HTTPResponseError`.
public struct Problem: Error, HTTPResponseError, Sendable, Equatable {
    /// One invalid field and what is wrong with it.
    public struct FieldError: Codable, Sendable, Equatable {
        /// The field's JSON name (dotted path for nested fields).
        public let field: String
        /// What is wrong, in words a caller can act on.
        public let message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    /// HTTP status.
    public let status: HTTPResponse.Status
    /// Short, stable title for the kind of problem.
    public let title: String
    /// What happened in this case.
    public let detail: String
    /// Field errors, for validation failures.
    public let errors: [FieldError]
    /// Extra response headers, such as `Retry-After` on a 503.
    public let headers: HTTPFields

    /// Creates a problem with a status, a title and a detail.
    public init(status: HTTPResponse.Status, title: String, detail: String, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// A URI naming the kind of problem, derived from the title.
    public var type: String {
        "https://hearth.example/problems/" + title.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = ProblemBody(type: type, title: title, status: status.code, detail: detail, errors: errors.isEmpty ? nil : errors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(body)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(
            status: status,
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// The JSON shape of a `Problem`.
private struct ProblemBody: Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let errors: [Problem.FieldError]?
}
