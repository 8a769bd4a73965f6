import Foundation

/// A point on the Earth in decimal degrees (WGS 84).
public struct Coordinate: Sendable, Hashable, Codable {
    /// Mean Earth radius used for every distance in Hearth, in kilometres (IUGG mean radius).
    public static let earthRadiusKm = 6371.0088

    /// Latitude in degrees, positive north.
    public var lat: Double
    /// Longitude in degrees, positive east.
    public var lon: Double

    /// Creates a coordinate from latitude and longitude in degrees.
    public init(lat: Double, lon: Double) {
        self.lat = lat
        self.lon = lon
    }

    /// True when the latitude is within ±90°, the longitude within ±180° and both are finite.
    public var isValid: Bool {
        lat.isFinite && lon.isFinite && abs(lat) <= 90 && abs(lon) <= 180
    }

    /// The coordinate rounded to 2 decimal places (about 1 km), as stored by the server.
    public func rounded() -> Coordinate {
        Coordinate(lat: (lat * 100).rounded() / 100, lon: (lon * 100).rounded() / 100)
    }

    /// Great-circle distance to `other` in kilometres (haversine, radius `earthRadiusKm`).
    ///
    /// The haversine of the central angle is computed as (chord / 2)², the chord being the
    /// straight line between the two points on the unit sphere; this is the haversine formula
    /// in a form that is accurate at all distances and lets the solver precompute each point once.
    public func distanceKm(to other: Coordinate) -> Double {
        UnitVector(self).distanceKm(to: UnitVector(other))
    }
}

/// A point as a unit vector; the shared core of every distance computation.
struct UnitVector: Sendable {
    var x: Double
    var y: Double
    var z: Double

    init(_ coordinate: Coordinate) {
        let phi = coordinate.lat * .pi / 180
        let lambda = coordinate.lon * .pi / 180
        x = cos(phi) * cos(lambda)
        y = cos(phi) * sin(lambda)
        z = sin(phi)
    }

    /// The squared straight-line distance to `other` on the unit sphere.
    @inline(__always)
    func chordSquared(to other: UnitVector) -> Double {
        let dx = x - other.x
        let dy = y - other.y
        let dz = z - other.z
        return dx * dx + dy * dy + dz * dz
    }

    /// Great-circle distance in kilometres for a squared chord length.
    @inline(__always)
    static func distanceKm(chordSquared: Double) -> Double {
        2 * Coordinate.earthRadiusKm * asin(min(1, chordSquared.squareRoot() / 2))
    }

    func distanceKm(to other: UnitVector) -> Double {
        UnitVector.distanceKm(chordSquared: chordSquared(to: other))
    }
}
