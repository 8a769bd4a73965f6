import Testing

@testable import HearthWeb

@Suite("Web forms")
struct WebFormTests {
    @Test("repeated keys keep every value in order, + is a space, escapes decode as UTF-8")
    func decodes() throws {
        let form = try WebForm(body: Array("needs=autism&needs=uasc&summary=likes+the+sea%20%E2%9C%93&empty=".utf8))
        #expect(form.values("needs") == ["autism", "uasc"])
        #expect(form["summary"] == "likes the sea ✓")
        #expect(form.contains("empty") && form.values("empty").isEmpty)
        #expect(form["missing"] == nil)
    }

    @Test("invalid UTF-8, a broken escape or a NUL is refused as a bad request")
    func refusesMalformed() {
        for body in ["name=%FF%FE", "name=%E2%9C", "name=%4", "name=%zz", "name=a%00b"] {
            #expect(throws: WebError.self) { try WebForm(body: Array(body.utf8)) }
        }
    }

    @Test("a body over the limit is refused")
    func refusesLarge() {
        #expect(throws: WebError.self) { try WebForm(body: Array(repeating: UInt8(ascii: "a"), count: WebForm.maxBytes + 1)) }
    }
}
