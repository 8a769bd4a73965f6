/// The version every program reports (`--version`, daemon registration).
public enum HearthVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
