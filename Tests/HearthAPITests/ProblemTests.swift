import Foundation
import HearthAPI
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("problem details")
struct ProblemTests {
    @Test("a thrown Problem becomes an RFC 9457 application/problem+json response listing every field error")
    func problemResponse() async throws {
        let router = Router()
        router.post("things") { _, _ -> String in
            throw Problem(
                status: .unprocessableContent, title: "Invalid request", detail: "2 fields are invalid",
                errors: [.init(field: "age", message: "must be 0 to 17"), .init(field: "sex", message: "must be female, male or other")]
            )
        }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/things", method: .post) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["status"] as? Int == 422)
                #expect(body?["title"] as? String == "Invalid request")
                #expect(body?["type"] as? String == "https://hearth.example/problems/invalid-request")
                let errors = body?["errors"] as? [[String: String]]
                #expect(errors?.map { $0["field"] } == ["age", "sex"])
            }
        }
    }
}
