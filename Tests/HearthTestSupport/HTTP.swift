import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal HTTP client for end-to-end tests against a running hearthd.
public enum HTTP {
    /// A response: status and body.
    public struct Reply: Sendable {
        public let status: Int
        public let body: String
        public let headers: [String: String]
    }

    /// Sends one request and returns the reply; throws only for transport failures.
    public static func send(
        _ method: String, _ url: String, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        guard let target = URL(string: url) else { throw TestDatabaseError("bad URL \(url)") }
        var request = URLRequest(url: target)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let body { request.httpBody = Data(body.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestDatabaseError("not an HTTP response") }
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
        }
        return Reply(status: http.statusCode, body: String(decoding: data, as: UTF8.self), headers: fields)
    }

    /// How long a test waits for a started hearthd to answer `/health` or `/ready`.
    ///
    /// Generous on purpose: it bounds a failure, never a success (a daemon with its database
    /// running is ready within a second or two), and on CI's two cores, while every suite starts
    /// its programs at once, the test's own tasks can wait many seconds for a thread.
    public static let startupTimeout: Double = 120

    /// Polls `url` until it answers `status` or `timeout` seconds pass; returns whether it did.
    public static func waitFor(_ url: String, status: Int = 200, timeout: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let reply = try? await send("GET", url), reply.status == status { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
