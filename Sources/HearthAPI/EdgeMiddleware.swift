import Hummingbird
import Logging
import NIOCore

/// Reads the whole request body (at most `maxUploadSize`, else 413) before routing, within
/// `timeout`: a client that takes longer is disconnected (408), so slow senders cannot hold
/// connections. A body that is malformed (broken chunked encoding) or cut short (the client left)
/// is a 400 logged at info as the client's doing, never a 500. A request that declares no body
/// (neither `Content-Length` nor `Transfer-Encoding`, so it has none: RFC 9112 §6.3) goes
/// straight on, without the reading task and its timer.
struct RequestBodyMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext

    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.headers[.contentLength] == nil && request.headers[.transferEncoding] == nil {
            return try await next(request, context)
        }
        let body = request.body
        let limit = context.maxUploadSize
        let timeout = self.timeout
        let collected: ByteBuffer?
        do {
            collected = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                if first == nil {
                    // Too slow: closing the connection also ends the body read still in flight.
                    context.channel.close(promise: nil)
                }
                group.cancelAll()
                return first
            }
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            context.logger.info("request body unreadable: malformed, or the client left", metadata: ["error_type": "\(type(of: error))"])
            throw Problem(status: .badRequest, title: "Malformed request", detail: "the request body is malformed or incomplete")
        }
        guard let collected else {
            context.logger.info("request body too slow: connection closed", metadata: ["timeout": "\(timeout)"])
            throw Problem(status: .requestTimeout, title: "Request timeout", detail: "the request body did not arrive within \(timeout)")
        }
        var request = request
        request.body = RequestBody(buffer: collected)
        return try await next(request, context)
    }
}

/// Logs one line per request at info: method, path, the names of the query parameters (never
/// their values, which can be a child's home), status and duration. Bodies are never logged.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        func log(_ status: HTTPResponse.Status) {
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue)",
                    "path": "\(request.uri.path)",
                    "query": "\(Self.parameterNames(request))",
                    "status": "\(status.code)",
                    "duration_ms": "\((milliseconds * 10).rounded() / 10)",
                ]
            )
        }
        do {
            let response = try await next(request, context)
            log(response.status)
            return response
        } catch {
            log((error as? any HTTPResponseError)?.status ?? .internalServerError)
            throw error
        }
    }

    /// The query's parameter names, comma-separated; a name that is not a plain identifier
    /// (so could itself be data) is shown as `?`.
    static func parameterNames(_ request: Request) -> String {
        request.uri.queryParameters.map { name, _ in
            name.count <= 32 && !name.isEmpty && name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) ? String(name) : "?"
        }.joined(separator: ",")
    }
}

/// Marks every answer under `/v1` `Cache-Control: no-store`: they carry authorities' and
/// children's data, which no browser or proxy may keep.
struct NoStoreMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let path = request.uri.path
        if path == "/v1" || path.hasPrefix("/v1/") {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
