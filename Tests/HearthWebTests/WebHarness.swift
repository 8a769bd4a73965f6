import Foundation
import HTTPTypes
import HearthAPI
import HearthStore
import HearthTestSupport
import HearthWeb
import Hummingbird
import HummingbirdTesting
import LibPQ
import Logging
import NIOCore

/// The real hearthd router (API and web app) in this process over a fresh, migrated and
/// seeded database, with hearthd's login (`hearth_daemon`), for the web app's tests. The demo
/// people of `hearthctl demo seed` sign in with `WebHarness.password`.
struct WebHarness: Sendable {
    static let password = "hearth-demo-2026"
    static let placement = "placement@kent.demo.example"
    static let scrutiny = "scrutiny@kent.demo.example"
    static let finance = "finance@kent.demo.example"
    static let operatorEmail = "operator@hearth.demo.example"

    let databaseURL: String
    let database: HearthDatabase
    let settings: WebSettings

    /// Runs `body` with a harness on a fresh database; `settings` shape the web app (a short
    /// idle timeout, an https public URL).
    static func with(
        settings: WebSettings = WebSettings(publicURL: "http://127.0.0.1:8080"),
        _ body: @escaping @Sendable (WebHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { url in
            let environment = ["HEARTH_DATABASE_URL": url]
            let migrated = try await ChildProcess.run("hearthctl", ["migrate"], environment: environment)
            guard migrated.status == 0 else { throw TestDatabaseError("migrate failed: \(migrated.output)") }
            let seeded = try await ChildProcess.run("hearthctl", ["demo", "seed", "--offers", "0", "--bids", "0"], environment: environment)
            guard seeded.status == 0 else { throw TestDatabaseError("demo seed failed: \(seeded.output)") }
            let logger = Logger(label: "web-tests")
            let database = try await HearthDatabase.open(
                url: try TestDatabase.daemonURL(for: url), poolSize: 4, applicationName: "web-tests", setUpFreshDatabase: false, logger: logger
            )
            let harness = WebHarness(databaseURL: url, database: database, settings: settings)
            let resources = try HearthServer.Resources.load()
            let web = try WebApp(database: database, postcodes: resources.postcodes, settings: settings, runRound: { nil })
            let application = HearthServer.makeApplication(
                database: database, resources: resources, metrics: .unbootstrapped(), settings: .init(host: "127.0.0.1", port: 0),
                mounts: [web], logger: logger
            )
            do {
                try await application.test(.router) { client in try await body(harness, client) }
            } catch {
                await database.close()
                throw error
            }
            await database.close()
        }
    }

    /// Runs `sql` as the database's owner (the test's own checks and adjustments).
    @discardableResult
    func owner<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let url = databaseURL
        return try await Task.detached {
            let connection = try PostgresConnection(url: url)
            return try body(connection)
        }.value
    }
}

/// A browser's cookie jar and the requests it makes, for one person.
struct Browser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol) { self.client = client }

    /// The reply to one request: status, headers and body as text.
    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String

        /// The value of the hidden `csrf_token` input of the page's first form that has one.
        var csrfToken: String? {
            guard let range = body.range(of: #"name="csrf_token" value=""#) else { return nil }
            let rest = body[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }

    mutating func get(_ path: String) async throws -> Page {
        try await send(.get, path, body: nil)
    }

    /// POSTs `fields` urlencoded.
    mutating func post(_ path: String, _ fields: [(String, String)]) async throws -> Page {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, body: body)
    }

    /// Signs in with `email` and `password` through the real form; returns the answer to the POST.
    mutating func signIn(_ email: String, password: String = WebHarness.password) async throws -> Page {
        let form = try await get("/login")
        return try await post("/login", [("csrf_token", form.csrfToken ?? ""), ("email", email), ("password", password)])
    }

    private mutating func send(_ method: HTTPRequest.Method, _ path: String, body: String?) async throws -> Page {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        for field in response.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let (name, value) = (String(pair[0]), String(pair[1]))
            if value.isEmpty || field.value.lowercased().contains("max-age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
