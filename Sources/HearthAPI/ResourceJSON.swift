import Foundation
import HearthCore
import HearthStore
import LibPQ

/// A stored point as the API shows it.
struct LocationJSON: Codable, Sendable {
    let lat: Double
    let lon: Double
    let postcodeDistrict: String?
}

/// An offer as the API shows it.
struct OfferJSON: Encodable, Sendable {
    let id: String
    let authority: String
    let status: OfferStatus
    let version: Int
    let createdAt: Date
    let updatedAt: Date
    let setting: Setting
    let capacity: Int
    let needsSupported: [Need]
    let ageMin: Int
    let ageMax: Int
    let sexesAccepted: [Sex]
    let location: LocationJSON
    let availableFrom: CalendarDate
    let availableUntil: CalendarDate?
    let weeklyRatePence: Int64
    let ofstedUrn: String?
    let distanceKm: Double?

    init(_ record: Offer) {
        let draft = record.draft
        id = record.id.lowercasedText
        authority = record.authority
        status = record.status
        version = record.version
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        setting = draft.setting
        capacity = draft.capacity
        needsSupported = draft.needsSupported
        ageMin = draft.ageMin
        ageMax = draft.ageMax
        sexesAccepted = draft.sexesAccepted
        location = LocationJSON(lat: draft.location.lat, lon: draft.location.lon, postcodeDistrict: draft.postcodeDistrict)
        availableFrom = draft.availableFrom
        availableUntil = draft.availableUntil
        weeklyRatePence = draft.weeklyRatePence
        ofstedUrn = draft.ofstedURN
        distanceKm = record.distanceKm.map { ($0 * 1000).rounded() / 1000 }
    }
}

/// A bid as the API shows it (only ever to its own authority).
struct BidJSON: Encodable, Sendable {
    let id: String
    let authority: String
    let status: BidStatus
    let version: Int
    let createdAt: Date
    let updatedAt: Date
    let childRef: String
    let groupSize: Int
    let age: Int
    let sex: Sex
    let needs: [Need]
    let settingsAcceptable: [Setting]
    let homeLocation: LocationJSON
    let maxDistanceKm: Double?
    let minDistanceKm: Double?
    let urgency: Urgency
    let neededBy: CalendarDate
    let maxWeeklyRatePence: Int64?

    init(_ record: Bid) {
        let draft = record.draft
        id = record.id.lowercasedText
        authority = record.authority
        status = record.status
        version = record.version
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        childRef = draft.childRef
        groupSize = draft.groupSize
        age = draft.age
        sex = draft.sex
        needs = draft.needs
        settingsAcceptable = draft.settingsAcceptable
        homeLocation = LocationJSON(lat: draft.home.lat, lon: draft.home.lon, postcodeDistrict: draft.homePostcodeDistrict)
        maxDistanceKm = draft.maxDistanceKm
        minDistanceKm = draft.minDistanceKm
        urgency = draft.urgency
        neededBy = draft.neededBy
        maxWeeklyRatePence = draft.maxWeeklyRatePence
    }
}

/// One page of a list.
struct PageJSON<Item: Encodable & Sendable>: Encodable, Sendable {
    let items: [Item]
    /// Pass as `cursor` to get the next page; present only when the page is full.
    let nextCursor: String?
}

extension PageJSON {
    /// A page of `records`, with a cursor for the next page when this one is full.
    init<Record: ListedRecord>(_ records: [Record], limit: Int, _ transform: (Record) -> Item) {
        items = records.map(transform)
        nextCursor = records.count == limit ? records.last.map { ListCursor(createdAt: $0.createdAt, id: $0.id).token } : nil
    }
}

extension LocationJSON: JSONWritable {
    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("lat", lat)
            writer.field("lon", lon)
            writer.field("postcode_district", postcodeDistrict)
        }
    }
}

extension OfferJSON: JSONWritable {
    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("age_max", ageMax)
            writer.field("age_min", ageMin)
            writer.field("authority", authority)
            writer.field("available_from", availableFrom)
            writer.field("available_until", availableUntil)
            writer.field("capacity", capacity)
            writer.field("created_at", createdAt)
            writer.field("distance_km", distanceKm)
            writer.field("id", id)
            writer.field("location", location)
            writer.field("needs_supported", needsSupported)
            writer.field("ofsted_urn", ofstedUrn)
            writer.field("setting", setting)
            writer.field("sexes_accepted", sexesAccepted)
            writer.field("status", status)
            writer.field("updated_at", updatedAt)
            writer.field("version", version)
            writer.field("weekly_rate_pence", weeklyRatePence)
        }
    }
}

extension BidJSON: JSONWritable {
    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("age", age)
            writer.field("authority", authority)
            writer.field("child_ref", childRef)
            writer.field("created_at", createdAt)
            writer.field("group_size", groupSize)
            writer.field("home_location", homeLocation)
            writer.field("id", id)
            writer.field("max_distance_km", maxDistanceKm)
            writer.field("max_weekly_rate_pence", maxWeeklyRatePence)
            writer.field("min_distance_km", minDistanceKm)
            writer.field("needed_by", neededBy)
            writer.field("needs", needs)
            writer.field("settings_acceptable", settingsAcceptable)
            writer.field("sex", sex)
            writer.field("status", status)
            writer.field("updated_at", updatedAt)
            writer.field("urgency", urgency)
            writer.field("version", version)
        }
    }
}

extension PageJSON: JSONWritable where Item: JSONWritable {
    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("items")
            writer.array(items) { writer, item in item.write(to: &writer) }
            writer.field("next_cursor", nextCursor)
        }
    }
}
