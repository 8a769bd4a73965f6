import HearthStore
import Hummingbird

/// `GET /openapi.yaml`: the API contract, `Docs/openapi.yaml`, compiled into the program.
struct ContractRoutes {
    let document: ByteBuffer

    /// The contract this build was made with.
    static func load() throws -> ContractRoutes {
        ContractRoutes(document: ByteBuffer(string: try HearthResources.text(of: "Docs/openapi.yaml")))
    }

    func register(on router: Router<HearthRequestContext>) {
        router.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: document))
        }
    }
}
