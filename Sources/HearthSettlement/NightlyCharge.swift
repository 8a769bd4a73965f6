import HearthCore

/// How a weekly rate is split into nights, in integer pence.
///
/// Each night gets `weekly / 7`, and the remainder `weekly % 7` goes one penny each to the
/// nights whose day number (days since 1970-01-01) modulo 7 is below it. Any seven consecutive
/// nights cover every residue once, so they always sum to the weekly rate exactly.
public enum NightlyCharge {
    /// The charge in pence for the night starting on `night`.
    public static func pence(weeklyRatePence weekly: Int64, night: CalendarDate) -> Int64 {
        precondition(weekly >= 0, "a weekly rate is never negative")
        let residue = Int64(((night.dayNumber % 7) + 7) % 7)
        return weekly / 7 + (residue < weekly % 7 ? 1 : 0)
    }
}
