import Foundation
import HearthCore
import HearthStore
import Testing

@testable import HearthWeb

@Suite("the placement pages' templates (no database)")
struct WebPagesTemplateTests {
    @Test("the market map template draws escaped inline SVG with a text alternative")
    func mapTemplate() throws {
        let points = [
            MarketMapPoint(district: "RG12", location: Coordinate(lat: 51.41, lon: -0.75), openOffers: 3, openBids: 1),
            MarketMapPoint(district: "<x>", location: Coordinate(lat: 51.0, lon: 0.0), openOffers: 1, openBids: 0),
        ]
        let drawing = try #require(MarketMapDrawing.make(points))
        let svg = try #require(try WebRenderer.load().library.render(drawing, withTemplate: "market_map"))
        #expect(svg.contains("<svg "))
        #expect(svg.contains("role=\"img\""))
        #expect(svg.contains("<title id=\"market-map-title\">"))
        #expect(svg.contains("&lt;x&gt;"))
        #expect(!svg.contains("<x>"))
        #expect(!svg.contains("style="))
    }

    @Test("every placement page template parses and renders its page view")
    func pagesRender() throws {
        let renderer = try WebRenderer.load()
        let view = NewRecordPage(form: BidForm.spec.view(FormInput([("needs", "autism")]), problems: [FieldProblem("age", "Enter the age")]))
        let page = try #require(renderer.library.render(["view": view, "csrf_token": "t0ken", "errors": [["field": "age", "message": "Enter the age"]], "has_errors": true], withTemplate: "bid_new"))
        #expect(page.contains("There is a problem"))
        #expect(page.contains("href=\"#age\""))
        #expect(page.contains("id=\"age-error\""))
        #expect(page.contains("name=\"csrf_token\" value=\"t0ken\""))
        #expect(page.contains("value=\"autism\" checked"))
        #expect(page.contains(">Post bid</button>"))
    }
}
