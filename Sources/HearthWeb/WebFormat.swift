import Foundation

/// How pages write values: money in pounds, dates and times in Europe/London, distances.
public enum WebFormat {
    /// Pence as pounds with two decimals and thousands separators, e.g. "£1,234.50"; a
    /// negative amount as "−£12.00".
    public static func pounds(_ pence: Int64) -> String {
        let sign = pence < 0 ? "−" : ""
        let magnitude = pence.magnitude
        let whole = String(magnitude / 100)
        var grouped = ""
        for (index, digit) in whole.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return "\(sign)£\(String(grouped.reversed())).\(String(format: "%02d", Int(magnitude % 100)))"
    }

    /// Kilometres with one decimal, e.g. "12.3 km".
    public static func kilometres(_ km: Double) -> String {
        String(format: "%.1f km", km)
    }

    /// A moment as "1 December 2026, 14:05" in Europe/London; "" for nil.
    public static func dateTime(_ date: Date?) -> String {
        guard let date else { return "" }
        return dateTimeFormatter.string(from: date)
    }

    /// A ratio 0…1 as a percentage with one decimal, e.g. "42.5%"; "not applicable" for nil.
    public static func percent(_ ratio: Double?) -> String {
        guard let ratio else { return "not applicable" }
        return String(format: "%.1f%%", ratio * 100)
    }

    private static let dateTimeFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "Europe/London")
        formatter.dateFormat = "d MMMM yyyy, HH:mm"
        return formatter
    }()
}
