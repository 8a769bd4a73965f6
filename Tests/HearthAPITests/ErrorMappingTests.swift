import Foundation
import Hummingbird
import HummingbirdTesting
import LibPQ
import Logging
import Synchronization
import Testing

@testable import HearthAPI

/// Keeps every log line, with its metadata, for a test to read.
private final class LogRecorder: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            recorder.lines.withLock { $0.append("\(event.level) \(event.message) \(rendered)") }
        }
    }
}

@Suite("one mapping from errors to problems")
struct ErrorMappingTests {
    private static let secret = "Failing row contains (KT-0001, Jane, 2015-02-01)"

    private static func error(_ sqlState: String, code: PostgresError.Code? = nil, constraint: String? = "proposals_decline_reason_check") -> PostgresError {
        PostgresError(code: code, sqlState: sqlState, message: "new row violates check constraint: \(secret)", detail: secret, constraint: constraint)
    }

    @Test("input-caused SQLSTATEs are 4xx, a lost database is a 503 with Retry-After, the rest a 500 logged by SQLSTATE and constraint only")
    func statuses() async throws {
        let cases: [(String, PostgresError, Int)] = [
            ("check", Self.error("23514"), 422),
            ("notnull", Self.error("23502", constraint: nil), 422),
            ("data", Self.error("22001", constraint: nil), 422),
            ("datetime", Self.error("22008", constraint: nil), 422),
            ("unique", Self.error("23505", constraint: "bids_child_ref_key"), 409),
            ("exclusion", Self.error("23P01", constraint: "beds_no_overlap"), 409),
            ("foreign", Self.error("23503", constraint: "bids_authority_fkey"), 422),
            ("down", PostgresError(code: .connectionFailed, sqlState: nil, message: "connection to server at \"127.0.0.1\", port 5432 failed: Connection refused"), 503),
            ("lost", Self.error("57P01", constraint: nil), 503),
            ("broken", Self.error("08006", constraint: nil), 503),
            ("serialization", Self.error("40001", constraint: nil), 503),
            ("privilege", Self.error("42501", constraint: nil), 500),
            ("syntax", Self.error("42601", constraint: nil), 500),
        ]
        let recorder = LogRecorder()
        let router = Router(context: HearthRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        for (name, error, _) in cases {
            router.get(RouterPath(name)) { _, _ -> Response in throw error }
        }
        let app = Application(router: router, logger: recorder.logger)
        try await app.test(.router) { client in
            for (name, error, status) in cases {
                try await client.execute(uri: "/\(name)", method: .get) { response in
                    #expect(Int(response.status.code) == status, "\(name)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let body = String(buffer: response.body)
                    #expect(!body.contains("Jane") && !body.contains("KT-0001"), "\(name): \(body)")
                    #expect(response.headers[.retryAfter] == (status == 503 ? "5" : nil), "\(name)")
                    if status == 500 {
                        #expect(recorder.text.contains(error.sqlState ?? "-"), "\(name)")
                    }
                }
            }
        }
        let log = recorder.text
        #expect(!log.contains("Jane") && !log.contains("KT-0001") && !log.contains("Failing row"), "\(log)")
        #expect(log.contains("sqlstate=42501"))
        #expect(log.contains("constraint=proposals_decline_reason_check"))
    }
}
