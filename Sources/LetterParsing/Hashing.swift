import ContentHashing

/// SHA-256 of some bytes as lower-case hex.
func sha256Hex(_ bytes: [UInt8]) -> String { ContentHash.sha256Hex(bytes) }
