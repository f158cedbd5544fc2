/// A fixed set of names (a shape's member names) and where each is in its list, found without
/// hashing the whole name: a slot is chosen by the name's length and its first and last bytes,
/// and the name there is compared. A `[String: Int]` lookup runs SipHash over every byte,
/// ~470 instructions a member name (callgrind, a create's answer: ~60 lookups as its XML and
/// its record's response elements were written).
package struct NameIndex: Sendable {
    private let names: [String]
    /// Positions in `names`, -1 for an empty slot; a power of two long, at most half full.
    private let slots: [Int32]

    /// Indexes `names`; a repeated name is found at its first position.
    package init(_ names: [String]) {
        var size = 8
        while size < names.count * 2 { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        for (position, name) in names.enumerated() {
            var slot = Self.slot(of: name, mask: size - 1)
            while slots[slot] >= 0 {
                if names[Int(slots[slot])] == name { break }
                slot = (slot + 1) & (size - 1)
            }
            if slots[slot] < 0 { slots[slot] = Int32(position) }
        }
        self.names = names
        self.slots = slots
    }

    /// Where `name` is in the indexed list; nil when it is not there.
    package func position(of name: String) -> Int? {
        let mask = slots.count - 1
        var slot = Self.slot(of: name, mask: mask)
        while true {
            let position = Int(slots[slot])
            if position < 0 { return nil }
            if names[position] == name { return position }
            slot = (slot + 1) & mask
        }
    }

    private static func slot(of name: String, mask: Int) -> Int {
        let (count, first, last) =
            name.utf8.withContiguousStorageIfAvailable { bytes in
                (bytes.count, Int(bytes.first ?? 0), Int(bytes.last ?? 0))
            } ?? (name.utf8.count, Int(name.utf8.first ?? 0), Int(name.utf8.last ?? 0))
        return Int(truncatingIfNeeded: mix(count: count, first: first, last: last) >> 40) & mask
    }

    /// A name's length and end bytes mixed into 64 bits: what tells most names apart without
    /// hashing them (the slots here, and the Query decoder's filter of the names sent).
    package static func mix(count: Int, first: Int, last: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: count << 16 | first << 8 | last) &* 0x9E37_79B9_7F4A_7C15
    }
}
