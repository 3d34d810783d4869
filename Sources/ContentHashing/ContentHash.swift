import Crypto

/// The one SHA-256 every module uses for item ids, provenance and attachments.
public enum ContentHash {
    /// SHA-256 of `bytes`, lower-case hex (64 characters).
    public static func sha256Hex<C: Sequence>(_ bytes: C) -> String where C.Element == UInt8 {
        var hasher = SHA256()
        // Arrays, slices and buffers are hashed in place; anything else is copied first.
        if bytes.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) == nil {
            hasher.update(data: Array(bytes))
        }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in hasher.finalize() {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
