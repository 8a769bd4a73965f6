import Foundation
import HearthStore
import Hummingbird

/// `GET /openapi.yaml`: the API contract, `Docs/openapi.yaml`, read once at start-up.
struct ContractRoutes {
    let document: ByteBuffer

    /// Reads the contract shipped beside the programs.
    static func load() throws -> ContractRoutes {
        let file = try HearthResources.home().appendingPathComponent("Docs/openapi.yaml")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ResourceError("cannot read the API contract at \(file.path)")
        }
        return ContractRoutes(document: ByteBuffer(bytes: data))
    }

    func register(on router: Router<HearthRequestContext>) {
        router.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: document))
        }
    }
}
