/// The journal index's key for one attribute of an event: one integer where the index kept the
/// account, region, attribute and value as text (about 60 bytes a row, seven rows an event).
/// A value is hashed together with its account, region and attribute into a negative key. An
/// event id (a UUID of version 7, ordered by time) keys by its first 64 bits instead, halved
/// into a non-negative key, so a batch of ids still appends at the index's right edge.
/// Different values may share a key: a lookup checks every row it finds against the event.
/// Keys are stored, so this mapping is part of the index's format: changing it needs a new
/// table (``JournalIndex`` rebuilds an index it does not recognise).
enum AttributeKey {
    /// The key of `value` for `attribute` (``JournalIndex/attributes``' number) in `account`'s `region`.
    static func key(account: String, region: String, attribute: Int, value: String) -> Int64 {
        var (account, region, value) = (account, region, value)
        return account.withUTF8 { account in
            region.withUTF8 { region in
                value.withUTF8 { value in
                    key(
                        account: UnsafeRawBufferPointer(account), region: UnsafeRawBufferPointer(region),
                        attribute: attribute, value: UnsafeRawBufferPointer(value))
                }
            }
        }
    }

    static func key(
        account: UnsafeRawBufferPointer, region: UnsafeRawBufferPointer, attribute: Int, value: UnsafeRawBufferPointer
    ) -> Int64 {
        if attribute == JournalIndex.eventIdCode, let prefix = uuidPrefix(value) {
            return Int64(prefix >> 1)
        }
        var hash = WordHash()
        hash.add(account)
        hash.add(region)
        hash.mix(UInt64(truncatingIfNeeded: attribute))
        hash.add(value)
        return Int64(bitPattern: hash.finish() | 1 << 63)
    }

    /// The first 64 bits of a UUID in its 36-character form (either case), or nil.
    static func uuidPrefix(_ text: UnsafeRawBufferPointer) -> UInt64? {
        guard text.count == 36, text[8] == UInt8(ascii: "-"), text[13] == UInt8(ascii: "-"),
            text[18] == UInt8(ascii: "-"), text[23] == UInt8(ascii: "-")
        else { return nil }
        var prefix: UInt64 = 0
        for index in 0..<18 where index != 8 && index != 13 {
            let digit: UInt8
            switch text[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = text[index] - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = text[index] - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = text[index] - UInt8(ascii: "A") + 10
            default: return nil
            }
            prefix = prefix << 4 | UInt64(digit)
        }
        return prefix
    }
}
