// Generated from /work/shared/data/se_authorities.csv and postcode_districts.csv (ONS, OGL v3.0;
// see Data/README.md): each South East authority with its postcode districts (a district belongs to
// the authority of its most common local authority district), and a sample of English districts
// outside the region for out-of-area placements. Hampshire has no published share: 15 % assumed.

extension SouthEastGeography {
    /// The 19 South East authorities and their postcode districts.
    static let authorities: [Authority] = [
        Authority(code: "E06000036", name: "Bracknell Forest", lookedAfterSharePercent: 1.61, districts: [
            District("GU47", 51.3475, -0.7934), District("RG12", 51.4119, -0.7527), District("RG42", 51.4247, -0.7605), District("RG45", 51.3786, -0.8020),
        ]),
        Authority(code: "E06000043", name: "Brighton and Hove", lookedAfterSharePercent: 4.06, districts: [
            District("BN1", 50.8373, -0.1400), District("BN2", 50.8246, -0.1080), District("BN3", 50.8345, -0.1754), District("BN41", 50.8388, -0.2150),
            District("BN50", 50.8261, -0.1408), District("BN51", 50.8048, -0.0587), District("BN52", 50.8339, -0.1681), District("BN88", 50.8269, -0.1406),
        ]),
        Authority(code: "E06000060", name: "Buckinghamshire", lookedAfterSharePercent: 5.51, districts: [
            District("HP10", 51.6108, -0.7106), District("HP11", 51.6254, -0.7467), District("HP12", 51.6247, -0.7778), District("HP13", 51.6330, -0.7415),
            District("HP14", 51.6489, -0.8256), District("HP15", 51.6534, -0.7174), District("HP16", 51.7025, -0.7178), District("HP17", 51.7498, -0.8533),
            District("HP18", 51.8167, -0.9606), District("HP19", 51.8238, -0.8264), District("HP20", 51.8197, -0.8081), District("HP21", 51.8068, -0.8062),
            District("HP22", 51.8012, -0.7693), District("HP27", 51.7220, -0.8315), District("HP5", 51.7130, -0.6086), District("HP6", 51.6774, -0.6017),
            District("HP7", 51.6663, -0.6105), District("HP8", 51.6446, -0.5757), District("HP9", 51.6103, -0.6418), District("MK18", 51.9802, -0.9707),
            District("SL0", 51.5227, -0.5165), District("SL7", 51.5744, -0.7778), District("SL8", 51.5778, -0.7089), District("SL9", 51.5955, -0.5555),
        ]),
        Authority(code: "E10000011", name: "East Sussex", lookedAfterSharePercent: 6.94, districts: [
            District("BN10", 50.7957, 0.0021), District("BN20", 50.7741, 0.2548), District("BN21", 50.7720, 0.2748), District("BN22", 50.7881, 0.2832),
            District("BN23", 50.7985, 0.3127), District("BN24", 50.8154, 0.3248), District("BN25", 50.7759, 0.1074), District("BN26", 50.8215, 0.2255),
            District("BN27", 50.8708, 0.2628), District("BN7", 50.8784, 0.0032), District("BN8", 50.9128, 0.0506), District("BN9", 50.7952, 0.0272),
            District("RH18", 51.1008, 0.0251), District("TN19", 51.0044, 0.4134), District("TN20", 51.0307, 0.2539), District("TN21", 50.9605, 0.2609),
            District("TN22", 50.9798, 0.0972), District("TN31", 50.9603, 0.6961), District("TN32", 50.9789, 0.4882), District("TN33", 50.9117, 0.4761),
            District("TN34", 50.8629, 0.5798), District("TN35", 50.8804, 0.6095), District("TN36", 50.9217, 0.7013), District("TN37", 50.8710, 0.5563),
            District("TN38", 50.8652, 0.5447), District("TN39", 50.8461, 0.4537), District("TN40", 50.8443, 0.4806), District("TN5", 51.0679, 0.3582),
            District("TN6", 51.0539, 0.1717), District("TN7", 51.0914, 0.1103),
        ]),
        Authority(code: "E10000014", name: "Hampshire", lookedAfterSharePercent: 15.0, districts: [
            District("BH24", 50.8462, -1.7878), District("BH25", 50.7523, -1.6586), District("GU11", 51.2500, -0.7624), District("GU13", 51.2751, -0.8387),
            District("GU14", 51.2909, -0.7614), District("GU17", 51.3363, -0.8061), District("GU30", 51.0758, -0.8039), District("GU31", 50.9978, -0.9085),
            District("GU32", 51.0077, -0.9609), District("GU33", 51.0477, -0.8937), District("GU34", 51.1407, -0.9847), District("GU35", 51.1167, -0.8521),
            District("GU46", 51.3385, -0.8241), District("GU51", 51.2851, -0.8395), District("GU52", 51.2656, -0.8387), District("PO10", 50.8516, -0.9303),
            District("PO11", 50.7915, -0.9776), District("PO12", 50.7988, -1.1428), District("PO13", 50.8116, -1.1791), District("PO14", 50.8398, -1.2117),
            District("PO15", 50.8647, -1.2228), District("PO16", 50.8505, -1.1621), District("PO17", 50.8880, -1.1743), District("PO7", 50.8844, -1.0422),
            District("PO8", 50.9109, -1.0148), District("PO9", 50.8619, -0.9830), District("RG15", 51.3576, -1.3448), District("RG21", 51.2668, -1.0905),
            District("RG22", 51.2521, -1.1229), District("RG23", 51.2555, -1.1478), District("RG24", 51.2800, -1.0785), District("RG25", 51.2358, -1.0867),
            District("RG26", 51.3478, -1.1281), District("RG27", 51.3080, -0.9500), District("RG28", 51.2351, -1.3298), District("RG29", 51.2490, -0.9472),
            District("SO20", 51.1149, -1.5024), District("SO21", 51.0732, -1.3148), District("SO22", 51.0666, -1.3317), District("SO23", 51.0673, -1.3055),
            District("SO24", 51.0854, -1.1505), District("SO25", 51.0676, -1.2973), District("SO3", 50.9026, -1.2817), District("SO30", 50.9201, -1.3041),
            District("SO31", 50.8704, -1.2947), District("SO32", 50.9464, -1.2175), District("SO4", 50.8408, -1.4922), District("SO40", 50.9170, -1.5043),
            District("SO41", 50.7560, -1.5610), District("SO42", 50.8062, -1.5387), District("SO43", 50.8890, -1.5822), District("SO45", 50.8498, -1.3951),
            District("SO5", 50.9808, -1.3983), District("SO50", 50.9707, -1.3461), District("SO51", 50.9941, -1.5005), District("SO52", 50.9777, -1.4366),
            District("SO53", 50.9843, -1.3812), District("SO97", 50.9485, -1.3620), District("SP10", 51.2106, -1.4833), District("SP11", 51.2264, -1.5154),
            District("SP6", 50.9352, -1.8012),
        ]),
        Authority(code: "E06000046", name: "Isle of Wight", lookedAfterSharePercent: 3.03, districts: [
            District("PO30", 50.6936, -1.3100), District("PO31", 50.7524, -1.3062), District("PO32", 50.7498, -1.2815), District("PO33", 50.7212, -1.1685),
            District("PO34", 50.7161, -1.1140), District("PO35", 50.6878, -1.0886), District("PO36", 50.6579, -1.1626), District("PO37", 50.6328, -1.1781),
            District("PO38", 50.6042, -1.2388), District("PO39", 50.6806, -1.5394), District("PO40", 50.6828, -1.5223), District("PO41", 50.6999, -1.4781),
        ]),
        Authority(code: "E10000016", name: "Kent", lookedAfterSharePercent: 19.68, districts: [
            District("BR8", 51.3976, 0.1750), District("CT1", 51.2789, 1.0867), District("CT10", 51.3629, 1.4291), District("CT11", 51.3365, 1.4124),
            District("CT12", 51.3433, 1.3695), District("CT13", 51.2686, 1.3305), District("CT14", 51.2175, 1.3871), District("CT15", 51.1711, 1.2840),
            District("CT16", 51.1397, 1.3015), District("CT17", 51.1287, 1.2954), District("CT18", 51.1128, 1.1499), District("CT19", 51.0884, 1.1683),
            District("CT2", 51.2925, 1.0823), District("CT20", 51.0796, 1.1650), District("CT21", 51.0727, 1.0773), District("CT3", 51.2766, 1.2063),
            District("CT4", 51.2277, 1.0680), District("CT5", 51.3542, 1.0346), District("CT50", 51.0792, 1.1440), District("CT6", 51.3640, 1.1284),
            District("CT7", 51.3712, 1.3017), District("CT8", 51.3805, 1.3403), District("CT9", 51.3835, 1.3880), District("DA1", 51.4471, 0.2094),
            District("DA10", 51.4421, 0.2996), District("DA11", 51.4354, 0.3515), District("DA12", 51.4310, 0.3836), District("DA13", 51.3861, 0.3540),
            District("DA2", 51.4335, 0.2323), District("DA3", 51.3859, 0.3064), District("DA4", 51.3928, 0.2309), District("DA9", 51.4479, 0.2800),
            District("ME10", 51.3426, 0.7357), District("ME11", 51.4137, 0.7483), District("ME12", 51.4246, 0.7985), District("ME13", 51.3057, 0.8943),
            District("ME14", 51.2748, 0.5398), District("ME15", 51.2549, 0.5331), District("ME16", 51.2735, 0.4985), District("ME17", 51.2366, 0.6021),
            District("ME18", 51.2441, 0.4231), District("ME19", 51.2927, 0.4110), District("ME20", 51.3053, 0.4597), District("ME6", 51.3246, 0.4395),
            District("ME9", 51.3361, 0.7237), District("ME99", 51.2858, 0.5181), District("TN1", 51.1369, 0.2680), District("TN10", 51.2102, 0.2843),
            District("TN11", 51.2059, 0.2672), District("TN12", 51.1729, 0.4384), District("TN13", 51.2748, 0.1863), District("TN14", 51.2951, 0.1630),
            District("TN15", 51.2991, 0.2678), District("TN17", 51.0953, 0.5377), District("TN18", 51.0453, 0.5243), District("TN2", 51.1267, 0.2679),
            District("TN23", 51.1407, 0.8604), District("TN24", 51.1498, 0.8855), District("TN25", 51.1415, 0.9333), District("TN26", 51.1007, 0.8050),
            District("TN27", 51.1664, 0.7080), District("TN28", 50.9838, 0.9488), District("TN29", 50.9929, 0.9327), District("TN3", 51.1245, 0.2504),
            District("TN30", 51.0644, 0.6950), District("TN4", 51.1469, 0.2583), District("TN8", 51.1954, 0.0759), District("TN9", 51.1912, 0.2788),
        ]),
        Authority(code: "E06000035", name: "Medway", lookedAfterSharePercent: 4.93, districts: [
            District("ME1", 51.3753, 0.4994), District("ME2", 51.3912, 0.4847), District("ME3", 51.4313, 0.5463), District("ME4", 51.3814, 0.5281),
            District("ME5", 51.3523, 0.5317), District("ME7", 51.3804, 0.5547), District("ME8", 51.3622, 0.5952),
        ]),
        Authority(code: "E06000042", name: "Milton Keynes", lookedAfterSharePercent: 4.06, districts: [
            District("MK1", 52.0069, -0.7265), District("MK10", 52.0378, -0.6951), District("MK11", 52.0498, -0.8352), District("MK12", 52.0571, -0.8181),
            District("MK13", 52.0522, -0.7895), District("MK14", 52.0597, -0.7687), District("MK15", 52.0558, -0.7264), District("MK16", 52.0882, -0.7208),
            District("MK17", 52.0010, -0.6982), District("MK19", 52.0719, -0.8515), District("MK2", 51.9919, -0.7256), District("MK3", 51.9951, -0.7500),
            District("MK4", 52.0043, -0.7780), District("MK46", 52.1536, -0.6957), District("MK5", 52.0195, -0.7773), District("MK6", 52.0292, -0.7393),
            District("MK7", 52.0207, -0.6925), District("MK77", 52.0411, -0.8161), District("MK8", 52.0357, -0.8096), District("MK9", 52.0394, -0.7511),
            District("MK98", 52.0555, -0.7603),
        ]),
        Authority(code: "E10000025", name: "Oxfordshire", lookedAfterSharePercent: 9.21, districts: [
            District("OX1", 51.7469, -1.2623), District("OX10", 51.6057, -1.1294), District("OX11", 51.6009, -1.2499), District("OX12", 51.5959, -1.4252),
            District("OX13", 51.6760, -1.3488), District("OX14", 51.6683, -1.2782), District("OX15", 52.0330, -1.4023), District("OX16", 52.0636, -1.3391),
            District("OX18", 51.7624, -1.5923), District("OX2", 51.7633, -1.2776), District("OX20", 51.8543, -1.3566), District("OX25", 51.9006, -1.2076),
            District("OX26", 51.9012, -1.1513), District("OX27", 51.9334, -1.1495), District("OX28", 51.7843, -1.4858), District("OX29", 51.7929, -1.4401),
            District("OX3", 51.7604, -1.2155), District("OX33", 51.7567, -1.1435), District("OX39", 51.7035, -0.9170), District("OX4", 51.7285, -1.2143),
            District("OX44", 51.6999, -1.1338), District("OX49", 51.6490, -1.0022), District("OX5", 51.8599, -1.2933), District("OX6", 51.9090, -1.1689),
            District("OX7", 51.8987, -1.4954), District("OX8", 51.7823, -1.4988), District("OX9", 51.7032, -1.0403), District("RG9", 51.5425, -0.9202),
            District("SN7", 51.6501, -1.5666),
        ]),
        Authority(code: "E06000044", name: "Portsmouth", lookedAfterSharePercent: 4.22, districts: [
            District("PO1", 50.7993, -1.0899), District("PO2", 50.8160, -1.0788), District("PO3", 50.8150, -1.0616), District("PO4", 50.7909, -1.0643),
            District("PO5", 50.7897, -1.0866), District("PO6", 50.8461, -1.0696),
        ]),
        Authority(code: "E06000038", name: "Reading", lookedAfterSharePercent: 2.77, districts: [
            District("RG1", 51.4510, -0.9708), District("RG2", 51.4233, -0.9551), District("RG3", 51.4533, -1.0271), District("RG30", 51.4533, -1.0091),
            District("RG4", 51.4781, -0.9654),
        ]),
        Authority(code: "E06000039", name: "Slough", lookedAfterSharePercent: 2.59, districts: [
            District("SL1", 51.5160, -0.6143), District("SL2", 51.5328, -0.6029), District("SL3", 51.5006, -0.5581), District("SL95", 51.4991, -0.5388),
        ]),
        Authority(code: "E06000045", name: "Southampton", lookedAfterSharePercent: 5.84, districts: [
            District("SO1", 50.9232, -1.4282), District("SO14", 50.9078, -1.3966), District("SO15", 50.9167, -1.4260), District("SO16", 50.9345, -1.4331),
            District("SO17", 50.9260, -1.3974), District("SO18", 50.9236, -1.3671), District("SO19", 50.9028, -1.3574), District("SO2", 50.9166, -1.3689),
            District("SO9", 50.9129, -1.4070),
        ]),
        Authority(code: "E10000030", name: "Surrey", lookedAfterSharePercent: 11.18, districts: [
            District("CR3", 51.2975, -0.0964), District("CR6", 51.3028, -0.0578), District("GU1", 51.2431, -0.5701), District("GU10", 51.1989, -0.7964),
            District("GU12", 51.2516, -0.7326), District("GU15", 51.3355, -0.7508), District("GU16", 51.3133, -0.7307), District("GU18", 51.3475, -0.6632),
            District("GU19", 51.3591, -0.6897), District("GU2", 51.2447, -0.5930), District("GU20", 51.3604, -0.6423), District("GU21", 51.3199, -0.5770),
            District("GU22", 51.3135, -0.5533), District("GU23", 51.2972, -0.5112), District("GU24", 51.3301, -0.6254), District("GU25", 51.4013, -0.5695),
            District("GU26", 51.1103, -0.7461), District("GU27", 51.0836, -0.7224), District("GU3", 51.2471, -0.6213), District("GU4", 51.2430, -0.5466),
            District("GU5", 51.2061, -0.5221), District("GU6", 51.1401, -0.4853), District("GU7", 51.1888, -0.6107), District("GU8", 51.1519, -0.6397),
            District("GU9", 51.2178, -0.7961), District("GU95", 51.3263, -0.7631), District("KT10", 51.3715, -0.3573), District("KT11", 51.3283, -0.4048),
            District("KT12", 51.3774, -0.4088), District("KT13", 51.3693, -0.4515), District("KT14", 51.3403, -0.4863), District("KT15", 51.3651, -0.4945),
            District("KT16", 51.3839, -0.5145), District("KT17", 51.3396, -0.2534), District("KT18", 51.3189, -0.2637), District("KT19", 51.3502, -0.2694),
            District("KT20", 51.2872, -0.2319), District("KT21", 51.3109, -0.3029), District("KT22", 51.3006, -0.3376), District("KT23", 51.2819, -0.3710),
            District("KT24", 51.2695, -0.4306), District("KT7", 51.3901, -0.3291), District("KT8", 51.4016, -0.3669), District("RH1", 51.2381, -0.1591),
            District("RH2", 51.2367, -0.2032), District("RH3", 51.2327, -0.2844), District("RH4", 51.2308, -0.3338), District("RH5", 51.1962, -0.3424),
            District("RH6", 51.1717, -0.1656), District("RH7", 51.1745, -0.0186), District("RH8", 51.2530, -0.0003), District("RH9", 51.2370, -0.0766),
            District("SM7", 51.3228, -0.2020), District("TW15", 51.4304, -0.4558), District("TW16", 51.4165, -0.4176), District("TW17", 51.3975, -0.4480),
            District("TW18", 51.4293, -0.5109), District("TW19", 51.4521, -0.5053), District("TW20", 51.4282, -0.5485),
        ]),
        Authority(code: "E06000037", name: "West Berkshire", lookedAfterSharePercent: 1.86, districts: [
            District("RG13", 51.4054, -1.2893), District("RG14", 51.3985, -1.3212), District("RG16", 51.4712, -1.3622), District("RG17", 51.4375, -1.4989),
            District("RG18", 51.4309, -1.2480), District("RG19", 51.3975, -1.2176), District("RG20", 51.4029, -1.3348), District("RG31", 51.4563, -1.0405),
            District("RG7", 51.3977, -1.0819), District("RG8", 51.5053, -1.1069),
        ]),
        Authority(code: "E10000032", name: "West Sussex", lookedAfterSharePercent: 9.65, districts: [
            District("BN11", 50.8137, -0.3755), District("BN12", 50.8142, -0.4269), District("BN13", 50.8304, -0.4067), District("BN14", 50.8307, -0.3802),
            District("BN15", 50.8301, -0.3249), District("BN16", 50.8162, -0.4977), District("BN17", 50.8155, -0.5372), District("BN18", 50.8471, -0.5835),
            District("BN4", 50.8493, -0.2564), District("BN42", 50.8367, -0.2321), District("BN43", 50.8354, -0.2682), District("BN44", 50.8928, -0.3187),
            District("BN45", 50.8885, -0.1835), District("BN5", 50.9239, -0.2679), District("BN6", 50.9298, -0.1523), District("BN95", 50.8232, -0.3301),
            District("BN99", 50.8225, -0.3501), District("GU28", 50.9909, -0.6281), District("GU29", 50.9846, -0.7464), District("PO18", 50.8618, -0.8137),
            District("PO19", 50.8370, -0.7777), District("PO20", 50.7963, -0.7704), District("PO21", 50.7849, -0.6937), District("PO22", 50.7991, -0.6496),
            District("RH10", 51.1196, -0.1643), District("RH11", 51.1118, -0.2046), District("RH12", 51.0749, -0.3287), District("RH13", 51.0385, -0.3333),
            District("RH14", 51.0316, -0.4800), District("RH15", 50.9571, -0.1354), District("RH16", 51.0029, -0.0998), District("RH17", 51.0199, -0.1189),
            District("RH19", 51.1259, -0.0135), District("RH20", 50.9375, -0.4717), District("RH77", 51.1388, -0.1698),
        ]),
        Authority(code: "E06000040", name: "Windsor and Maidenhead", lookedAfterSharePercent: 1.49, districts: [
            District("SL4", 51.4768, -0.6238), District("SL5", 51.4048, -0.6619), District("SL6", 51.5229, -0.7265), District("SL60", 51.5185, -0.7148),
        ]),
        Authority(code: "E06000041", name: "Wokingham", lookedAfterSharePercent: 1.37, districts: [
            District("RG10", 51.4799, -0.8674), District("RG11", 51.3986, -0.8395), District("RG40", 51.4022, -0.8373), District("RG41", 51.4159, -0.8572),
            District("RG5", 51.4529, -0.9070), District("RG6", 51.4427, -0.9337),
        ]),
    ]

    /// English postcode districts outside the region, for placements out of area.
    static let outsideRegion: [District] = [
        District("AL1", 51.7486, -0.3194), District("B44", 52.5450, -1.8857), District("BA20", 50.9391, -2.6427), District("BD9", 53.8116, -1.7884),
        District("BS14", 51.4131, -2.5637), District("CA4", 54.8569, -2.8213), District("CM1", 51.7460, 0.4671), District("CR7", 51.3924, -0.1038),
        District("DA7", 51.4650, 0.1430), District("DL2", 54.5282, -1.5903), District("DT6", 50.7386, -2.7746), District("EC2M", 51.5184, -0.0868),
        District("FY6", 53.8651, -2.9801), District("HD7", 53.5993, -1.8298), District("HX7", 53.7393, -2.0090), District("KT9", 51.3648, -0.3032),
        District("L63", 53.3440, -3.0129), District("LE8", 52.5640, -1.1063), District("LU4", 51.8985, -0.4652), District("M5", 53.4797, -2.2854),
        District("NE15", 54.9836, -1.7199), District("NG16", 53.0264, -1.2984), District("NR10", 52.7349, 1.2448), District("NW9", 51.5866, -0.2535),
        District("PE33", 52.6510, 0.4624), District("RM1", 51.5802, 0.1820), District("S60", 53.4161, -1.3530), District("SE4", 51.4618, -0.0354),
        District("SM4", 51.3930, -0.2002), District("SS16", 51.5631, 0.4518), District("SW1Y", 51.5053, -0.1352), District("TF2", 52.6955, -2.4403),
        District("TS19", 54.5761, -1.3385), District("W12", 51.5095, -0.2401), District("WA4", 53.3703, -2.5821), District("WF9", 53.6063, -1.3210),
        District("WV5", 52.5333, -2.2110),
    ]
}
