import Foundation
import HearthCore
import Testing

@testable import HearthStore

@Suite("Throughput: the market search's bounding box")
struct ThroughputSearchTests {
    @Test("every point within the radius lies inside the box")
    func boxHoldsTheCircle() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let centre = Coordinate(lat: Double.random(in: -85...85, using: &generator), lon: Double.random(in: -179...179, using: &generator))
            let radius = Double.random(in: 0.5...800, using: &generator)
            let box = Geography.boundingBox(around: centre, radiusKm: radius)
            for _ in 0..<20 {
                let point = Coordinate(
                    lat: centre.lat + Double.random(in: -10...10, using: &generator), lon: centre.lon + Double.random(in: -20...20, using: &generator)
                )
                guard (-90...90).contains(point.lat), (-180...180).contains(point.lon), centre.distanceKm(to: point) <= radius else { continue }
                #expect(point.lat >= box.minLat && point.lat <= box.maxLat)
                if let minLon = box.minLon, let maxLon = box.maxLon {
                    #expect(point.lon >= minLon && point.lon <= maxLon, "centre \(centre), radius \(radius), point \(point)")
                }
            }
        }
    }

    @Test("the box is tight: 30 km around Maidstone spans about 0.54° of latitude")
    func boxIsTight() {
        let box = Geography.boundingBox(around: Coordinate(lat: 51.27, lon: 0.52), radiusKm: 30)
        #expect(abs((box.maxLat - box.minLat) - 0.5397) < 0.001)
        let width = (box.maxLon ?? 0) - (box.minLon ?? 0)
        #expect(width > 0.86 && width < 0.87)
    }

    @Test("a circle that reaches a pole or the antimeridian has no longitude bounds")
    func boxWithoutLongitudeBounds() {
        #expect(Geography.boundingBox(around: Coordinate(lat: 89.9, lon: 0), radiusKm: 50).minLon == nil)
        #expect(Geography.boundingBox(around: Coordinate(lat: 0, lon: 179.9), radiusKm: 50).minLon == nil)
    }
}
