import HearthAPI
import HearthStore
import Hummingbird

/// `GET /static/{file}`: the embedded `Web/static/` files (CSS, SVG, JavaScript), cacheable
/// for an hour. Nothing is read from disk.
struct StaticFiles: Sendable {
    let files: [String: (type: String, body: String)]

    static func load() -> StaticFiles {
        var files: [String: (String, String)] = [:]
        for file in HearthResources.files(under: "Web/static") {
            files[file.name] = (contentType(of: file.name), file.text)
        }
        return StaticFiles(files: files)
    }

    static func contentType(of name: String) -> String {
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".svg") { return "image/svg+xml" }
        return "text/plain; charset=utf-8"
    }

    func register(on router: Router<HearthRequestContext>) {
        let files = self.files
        router.get("static/:file") { _, context in
            guard let name = context.parameters.get("file"), let file = files[name] else { throw WebError.notFound }
            var headers = HTTPFields()
            headers[.contentType] = file.type
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: file.body)))
        }
    }
}
