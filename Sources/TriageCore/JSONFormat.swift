/// The version of the JSON output's shape, in every JSON object a command
/// prints as `format_version` (decisions, listings, reports, summaries);
/// raised when a field changes meaning or goes away. Readers of earlier
/// output (`reclassify --against`) ignore it.
public enum JSONFormat {
    /// The current version.
    public static let version = 1

    /// The JSON object with `format_version` first (any other JSON unchanged),
    /// compact or pretty-printed as given.
    public static func versioned(_ json: String) -> String {
        if json.hasPrefix("{\n") {
            let rest = json.dropFirst(2)
            return "{\n  \"format_version\" : \(version)" + (rest.hasPrefix("}") ? "\n" : ",\n") + rest
        }
        guard json.hasPrefix("{") else { return json }
        let rest = json.dropFirst()
        return "{\"format_version\":\(version)" + (rest.hasPrefix("}") ? "" : ",") + rest
    }
}
