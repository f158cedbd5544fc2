/// A structure value's members, in the order they were set.
///
/// A structure has a few tens of members at most, so they are kept as pairs in an array and a
/// lookup compares names, lengths first: a `[String: ShapeValue]` hashed every name it was
/// given or asked for with SipHash, about 70 times a CreateCacheCluster (callgrind: these
/// pairs took 4.6 % of a create's instructions off). Equal as a dictionary is (order does not
/// count), and coded as one (a keyed container), so stored documents read and write as before.
package struct ShapeFields: Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral, Equatable, Codable {
    package typealias Element = (key: String, value: ShapeValue)

    private var pairs: [Element]

    package init() {
        pairs = []
    }

    /// Members from a literal; a repeated name keeps its last value.
    package init(dictionaryLiteral elements: (String, ShapeValue)...) {
        pairs = []
        pairs.reserveCapacity(elements.count)
        for (name, value) in elements { self[name] = value }
    }

    package init(_ dictionary: [String: ShapeValue]) {
        pairs = dictionary.map { (key: $0.key, value: $0.value) }
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { pairs.count }
    package subscript(position: Int) -> Element { pairs[position] }
    /// The name at `position`, without copying its value out too.
    package func name(at position: Int) -> String { pairs[position].key }
    /// The value at `position`, without copying its name out too.
    package func value(at position: Int) -> ShapeValue { pairs[position].value }

    /// The member `name`; setting nil removes it.
    package subscript(name: String) -> ShapeValue? {
        get {
            guard let at = index(forKey: name) else { return nil }
            return pairs[at].value
        }
        set {
            if let at = index(forKey: name) {
                if let newValue { pairs[at].value = newValue } else { pairs.remove(at: at) }
            } else if let newValue {
                pairs.append((key: name, value: newValue))
            }
        }
    }

    /// Where the member `name` is: names of another length are passed over without comparing.
    package func index(forKey name: String) -> Int? {
        let length = name.utf8.count
        for at in pairs.indices where pairs[at].key.utf8.count == length && pairs[at].key == name {
            return at
        }
        return nil
    }

    package var keys: [String] { pairs.map(\.key) }
    package var values: [ShapeValue] { pairs.map(\.value) }

    /// The members as a dictionary (for callers that look one set up many times).
    package var dictionary: [String: ShapeValue] {
        Dictionary(pairs, uniquingKeysWith: { $1 })
    }

    /// Adds a member the caller knows is not there yet, without looking.
    package mutating func append(_ name: String, _ value: ShapeValue) {
        assert(index(forKey: name) == nil, "\(name) is already a member")
        pairs.append((key: name, value: value))
    }

    package mutating func reserveCapacity(_ capacity: Int) {
        pairs.reserveCapacity(capacity)
    }

    @discardableResult
    package mutating func removeValue(forKey name: String) -> ShapeValue? {
        guard let at = index(forKey: name) else { return nil }
        return pairs.remove(at: at).value
    }

    package func mapValues(_ transform: (ShapeValue) throws -> ShapeValue) rethrows -> ShapeFields {
        var mapped = self
        for at in mapped.pairs.indices { mapped.pairs[at].value = try transform(mapped.pairs[at].value) }
        return mapped
    }

    /// The members `isIncluded` keeps, as fields (as a dictionary's `filter`).
    package func filter(_ isIncluded: (Element) throws -> Bool) rethrows -> ShapeFields {
        var kept = ShapeFields()
        for pair in pairs where try isIncluded(pair) { kept.pairs.append(pair) }
        return kept
    }

    /// These members with `other`'s added; a name in both takes `combine`'s value.
    package func merging(
        _ other: ShapeFields, uniquingKeysWith combine: (ShapeValue, ShapeValue) throws -> ShapeValue
    ) rethrows -> ShapeFields {
        var merged = self
        for (name, value) in other {
            if let at = merged.index(forKey: name) {
                merged.pairs[at].value = try combine(merged.pairs[at].value, value)
            } else {
                merged.pairs.append((key: name, value: value))
            }
        }
        return merged
    }

    package static func == (lhs: ShapeFields, rhs: ShapeFields) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.pairs.allSatisfy { rhs[$0.key] == $0.value }
    }

    private struct Name: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Name.self)
        pairs = []
        pairs.reserveCapacity(container.allKeys.count)
        for name in container.allKeys {
            self[name.stringValue] = try container.decode(ShapeValue.self, forKey: name)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (name, value) in pairs { try container.encode(value, forKey: Name(stringValue: name)) }
    }
}
