import HearthCore
import HearthInsight
import Testing

@Suite("InsightWhatIf: --add is parsed strictly")
struct WhatIfParseTests {
    static func district(_ text: String) -> String? { ["RG12", "ME14"].contains(text.uppercased()) ? text.uppercased() : nil }

    @Test("a full addition is read; needs are optional")
    func reads() throws {
        let addition = try WhatIfAddition.parse("setting=childrens_home,needs=autism+self_harm,capacity=2,postcode=rg12", district: Self.district)
        #expect(addition == WhatIfAddition(setting: .childrensHome, needs: [.autism, .selfHarm], capacity: 2, district: "RG12"))
        #expect(try WhatIfAddition.parse("setting=foster,capacity=1,postcode=ME14", district: Self.district).needs.isEmpty)
    }

    @Test("bad keys, values and postcodes are refused with the reason", arguments: [
        ("setting=foster,capacity=1,postcode=ME14,colour=red", "unknown key \"colour\""),
        ("setting=foster,capacity=1", "postcode= is required"),
        ("setting=castle,capacity=1,postcode=ME14", "setting \"castle\""),
        ("setting=foster,needs=autism+flying,capacity=1,postcode=ME14", "need \"flying\""),
        ("setting=foster,capacity=0,postcode=ME14", "capacity \"0\""),
        ("setting=foster,capacity=two,postcode=ME14", "capacity \"two\""),
        ("setting=foster,capacity=1,postcode=ZZ99", "postcode \"ZZ99\""),
        ("setting=foster,capacity=1,capacity=2,postcode=ME14", "capacity is given twice"),
        ("setting=foster,capacity", "is not KEY=VALUE"),
    ])
    func refused(text: String, message: String) {
        let error = #expect(throws: WhatIfError.self) { try WhatIfAddition.parse(text, district: Self.district) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }
}
