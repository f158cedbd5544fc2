import Foundation

/// A segment file's bytes. A file begins with a header — ``magic``, four bytes unused, the
/// segment's epoch (UInt64) — and holds records: the payload's length (UInt32), its checksum
/// (UInt64), the payload. Integers are little-endian. A checksum is the payload's
/// ``WordHash`` masked by the epoch (``mask(_:)``, a bijection): a file is emptied by moving its
/// epoch on, so the records of an earlier use that remain in it no longer check, and reading
/// stops at the first record that does not (a torn append, or what the last use left).
///
/// Segments of earlier versions: with ``fnvMagic`` the same, checked by FNV-1a 64 (a byte a
/// step: appending a Describe's event took 8,727 instructions with it, 7,217 without);
/// without a header, appended with `write(2)`: records of length, FNV-1a 32 and payload, read
/// by ``decodeAppended(_:)``.
extension ReadEventLog {
    static let magic: UInt32 = 0xC7EE_0003
    /// The header of segments checked by FNV-1a 64.
    static let fnvMagic: UInt32 = 0xC7EE_0002
    static let headerSize = 16
    /// A record's length and checksum.
    static let recordHead = 12

    /// The records of `entries`, with checksums not masked yet (``place(_:epoch:at:)`` masks them).
    static func records(_ entries: [JournalEntry]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + $1.record.utf8.count + 256 })
        for entry in entries {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: recordHead))
            appendPayload(entry, to: &bytes)
            let payloadCount = bytes.count - start - recordHead
            let checksum = bytes.withUnsafeBytes {
                WordHash.of(UnsafeRawBufferPointer(rebasing: $0[(start + recordHead)...]))
            }
            store(UInt32(payloadCount), at: start, in: &bytes)
            store(checksum, at: start + 4, in: &bytes)
        }
        return bytes
    }

    /// Copies `records` to `base + offset` (a segment's mapping) with their checksums masked for `epoch`.
    static func place(_ records: [UInt8], epoch: UInt64, at base: UnsafeMutableRawPointer) {
        records.withUnsafeBytes { source in
            guard let from = source.baseAddress else { return }
            base.copyMemory(from: from, byteCount: source.count)
        }
        let mask = mask(epoch)
        var at = 0
        while at + recordHead <= records.count {
            let length = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            let checksum = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at + 4, as: UInt64.self))
            base.storeBytes(of: (checksum ^ mask).littleEndian, toByteOffset: at + 4, as: UInt64.self)
            at += recordHead + length
        }
    }

    /// A segment's header for `epoch`.
    static func header(epoch: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: headerSize)
        store(magic, at: 0, in: &bytes)
        store(epoch, at: 8, in: &bytes)
        return bytes
    }

    /// The events a segment file's bytes hold, up to the first record not wholly written or of
    /// an earlier use.
    static func decodeSegment(_ bytes: [UInt8]) -> [JournalEntry] {
        let kind = bytes.count >= headerSize ? load(UInt32.self, at: 0, in: bytes) : 0
        guard kind == magic || kind == fnvMagic else { return decodeAppended(bytes) }
        let checksum = kind == magic ? WordHash.of : fnv64
        let mask = mask(load(UInt64.self, at: 8, in: bytes))
        var entries: [JournalEntry] = []
        var at = headerSize
        while at + recordHead <= bytes.count {
            let length = Int(load(UInt32.self, at: at, in: bytes))
            let start = at + recordHead
            guard length > 0, length <= bytes.count - start else { break }
            let payload = Array(bytes[start..<(start + length)])
            guard payload.withUnsafeBytes(checksum) ^ mask == load(UInt64.self, at: at + 4, in: bytes),
                let entry = entry(fromPayload: payload)
            else { break }
            entries.append(entry)
            at = start + length
        }
        return entries
    }

    /// The events of a segment of an earlier version (records of length, FNV-1a 32, payload).
    static func decodeAppended(_ bytes: [UInt8]) -> [JournalEntry] {
        var entries: [JournalEntry] = []
        var reader = Reader(bytes: bytes)
        while let length = reader.uint32(), let digest = reader.uint32(), let payload = reader.bytes(Int(length)),
            fnv32(payload) == digest, let entry = entry(fromPayload: payload)
        {
            entries.append(entry)
        }
        return entries
    }

    /// An earlier version's record of `entry` (what ``decodeAppended(_:)`` reads).
    static func appendedRecord(_ entry: JournalEntry) -> [UInt8] {
        var payload: [UInt8] = []
        appendPayload(entry, to: &payload)
        var bytes: [UInt8] = []
        append(UInt32(payload.count), to: &bytes)
        append(fnv32(payload), to: &bytes)
        return bytes + payload
    }

    /// splitmix64's finalizer: every step is invertible, so two epochs never share a mask.
    static func mask(_ epoch: UInt64) -> UInt64 {
        var z = epoch &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // MARK: - Payload: event time, flags, six strings, five optional strings.

    private static func appendPayload(_ entry: JournalEntry, to payload: inout [UInt8]) {
        append(UInt64(entry.eventTime.timeIntervalSince1970.bitPattern), to: &payload)
        payload.append((entry.readOnly ? 1 : 0) | (entry.management ? 2 : 0))
        // Field by field: arrays of the strings cost two allocations a record.
        append(entry.eventID, to: &payload)
        append(entry.account, to: &payload)
        append(entry.region, to: &payload)
        append(entry.eventName, to: &payload)
        append(entry.eventSource, to: &payload)
        append(entry.record, to: &payload)
        append(entry.username, to: &payload)
        append(entry.accessKeyId, to: &payload)
        append(entry.resourceArn, to: &payload)
        append(entry.resourceType, to: &payload)
        append(entry.resourceName, to: &payload)
    }

    /// The journal rows of a segment's records (`bytes`, its header first, up to where appends
    /// reached), their texts marked where they are in `bytes`. The records are this process's
    /// own, whole: they are not checked again, only kept within `bytes`.
    static func rows(in bytes: UnsafeBufferPointer<UInt8>) throws -> [JournalRow] {
        let raw = UnsafeRawBufferPointer(bytes)
        var rows: [JournalRow] = []
        // A Describe's record is ~1.2 KB: room for them all, mostly, without growing.
        rows.reserveCapacity(raw.count / 1_024 + 1)
        var at = headerSize
        while at + recordHead <= raw.count {
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            let start = at + recordHead
            guard length <= raw.count - start, let row = row(ofPayloadAt: start..<(start + length), in: raw) else {
                throw StateStoreError.unavailable("a read-event segment's record does not fit it")
            }
            rows.append(row)
            at = start + length
        }
        guard at == raw.count else { throw StateStoreError.unavailable("a read-event segment ends within a record") }
        return rows
    }

    /// The row of the payload in `bytes[payload]` (event time, flags, six strings, five optional
    /// strings: ``appendPayload(_:to:)``'s order), its texts marked where they are in `bytes`;
    /// nil when a field does not fit the payload or a string that must be there is absent.
    private static func row(ofPayloadAt payload: Range<Int>, in bytes: UnsafeRawBufferPointer) -> JournalRow? {
        var fields = PayloadFields(bytes: bytes, at: payload.lowerBound, end: payload.upperBound)
        let (time, flags) = (fields.integer(UInt64.self), fields.integer(UInt8.self))
        let (id, account, region, name, source, record) = (
            fields.text(), fields.text(), fields.text(), fields.text(), fields.text(), fields.text()
        )
        let (username, accessKeyId, resourceArn, resourceType, resourceName) = (
            fields.text(), fields.text(), fields.text(), fields.text(), fields.text()
        )
        guard fields.fit, let time, let flags, id != nil, account != nil, region != nil, name != nil, source != nil,
            record != nil
        else { return nil }
        return JournalRow(
            eventTime: Double(bitPattern: time), readOnly: flags & 1 != 0, management: flags & 2 != 0, id: id,
            account: account, region: region, name: name, source: source, record: record, username: username,
            accessKeyId: accessKeyId, resourceArn: resourceArn, resourceType: resourceType, resourceName: resourceName)
    }

    /// A payload's fields, read in order; `fit` turns false at the first that does not fit.
    private struct PayloadFields {
        let bytes: UnsafeRawBufferPointer
        var at: Int
        let end: Int
        var fit = true

        mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard fit, MemoryLayout<T>.size <= end - at else {
                fit = false
                return nil
            }
            defer { at += MemoryLayout<T>.size }
            return T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self))
        }

        /// A string's mark; nil for an absent one (or once a field did not fit).
        mutating func text() -> TextArena.Mark? {
            guard let count = integer(UInt32.self), count != UInt32.max else { return nil }
            guard Int(count) <= end - at else {
                fit = false
                return nil
            }
            defer { at += Int(count) }
            return TextArena.Mark(offset: at, count: Int(count))
        }
    }

    /// The entry of a payload read back from a file.
    private static func entry(fromPayload payload: [UInt8]) -> JournalEntry? {
        payload.withUnsafeBytes { bytes -> JournalEntry? in
            guard let row = row(ofPayloadAt: 0..<bytes.count, in: bytes) else { return nil }
            func text(_ mark: TextArena.Mark?) -> String? {
                mark.map {
                    String(
                        decoding: UnsafeRawBufferPointer(rebasing: bytes[$0.offset..<($0.offset + $0.count)]),
                        as: UTF8.self)
                }
            }
            guard let id = text(row.id), let account = text(row.account), let region = text(row.region),
                let name = text(row.name), let source = text(row.source), let record = text(row.record)
            else { return nil }
            return JournalEntry(
                eventID: id, account: account, region: region, eventTime: Date(timeIntervalSince1970: row.eventTime),
                eventName: name, eventSource: source, readOnly: row.readOnly, username: text(row.username),
                accessKeyId: text(row.accessKeyId), record: record, management: row.management,
                resourceArn: text(row.resourceArn), resourceType: text(row.resourceType),
                resourceName: text(row.resourceName))
        }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func append(_ text: String?, to bytes: inout [UInt8]) {
        guard var text else { return append(UInt32.max, to: &bytes) }
        // The UTF-8 read in place and copied whole (appending the UTF8View went through a
        // generic append: ~3,300 instructions a Describe's payload, callgrind).
        text.withUTF8 { utf8 in
            append(UInt32(utf8.count), to: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }

    private static func store<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }

    private static func load<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, in bytes: [UInt8]) -> T {
        T(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) })
    }

    private static func fnv32(_ bytes: [UInt8]) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }

    static func fnv64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func bytes(_ count: Int) -> [UInt8]? {
            guard count >= 0, at + count <= bytes.count else { return nil }
            defer { at += count }
            return Array(bytes[at..<(at + count)])
        }

        mutating func uint32() -> UInt32? {
            bytes(4).map { $0.reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        }

    }
}
