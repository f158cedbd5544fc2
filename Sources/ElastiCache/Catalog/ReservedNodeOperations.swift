import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Reserved cache nodes: a catalog of offerings (every node type this server knows, for one
/// and three years, No/Partial/All Upfront, per engine) and the reservations bought from it.
///
/// Prices are not AWS's price list (it changes and is not in the API model): the hourly
/// rate is $0.017 per unit of node size (micro 1, small 2, medium 4, large 8, xlarge 16,
/// Nxlarge 16·N), discounted 30 % for one year and 50 % for three, split between fixed and
/// usage price by offering type as AWS splits them.
struct ReservedNodeOperations {
    let context: ElastiCacheCall
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }

    struct Offering: Equatable {
        var id: String
        var nodeType: String
        var duration: Int
        var fixedPrice: Double
        var usagePrice: Double
        var product: String
        var offeringType: String
        var hourlyCharge: Double

        var shapeValue: ShapeValue {
            .object([
                "ReservedCacheNodesOfferingId": .string(id), "CacheNodeType": .string(nodeType),
                "Duration": .integer(Int64(duration)), "FixedPrice": .double(fixedPrice),
                "UsagePrice": .double(usagePrice), "ProductDescription": .string(product),
                "OfferingType": .string(offeringType),
                "RecurringCharges": .list(
                    hourlyCharge > 0
                        ? [
                            .object([
                                "RecurringChargeAmount": .double(hourlyCharge),
                                "RecurringChargeFrequency": .string("Hourly"),
                            ])
                        ]
                        : []),
            ])
        }
    }

    static let durations = [31_536_000, 94_608_000]
    static let offeringTypes = ["No Upfront", "Partial Upfront", "All Upfront"]
    static let products = ["redis", "valkey", "memcached"]

    /// Units of node size from the node type's size name.
    static func units(_ nodeType: String) -> Double {
        let size = String(nodeType.split(separator: ".").last ?? "")
        switch size {
        case "micro": return 1
        case "small": return 2
        case "medium": return 4
        case "large": return 8
        case "xlarge": return 16
        default: return 16 * (Double(size.replacingOccurrences(of: "xlarge", with: "")) ?? 1)
        }
    }

    /// The utilization-based offering types AWS sold before the upfront ones, still listed for
    /// node types of those generations (Redis OSS and Memcached only).
    static let legacyOfferingTypes = ["Heavy Utilization", "Medium Utilization", "Light Utilization"]
    static let legacyFamilies: Set<String> = [
        "cache.t1", "cache.m1", "cache.m2", "cache.c1", "cache.m3", "cache.r3", "cache.t2", "cache.m4", "cache.r4",
    ]

    static let catalog: [Offering] = EngineCatalog.nodeTypes.sorted().flatMap { nodeType in
        durations.flatMap { duration in
            offeringTypes.flatMap { offeringType in
                products.map { product in
                    let years = Double(duration) / 31_536_000
                    let hourly = 0.017 * units(nodeType) * (years > 1 ? 0.5 : 0.7)
                    let total = hourly * 24 * 365 * years
                    let upfront = offeringType == "All Upfront" ? 1.0 : offeringType == "Partial Upfront" ? 0.5 : 0
                    let fixed = (total * upfront).rounded()
                    let recurring = ((total - fixed) / (24 * 365 * years) * 1000).rounded() / 1000
                    return Offering(
                        id: offeringId("\(nodeType)|\(duration)|\(offeringType)|\(product)"), nodeType: nodeType,
                        duration: duration, fixedPrice: fixed, usagePrice: 0, product: product,
                        offeringType: offeringType, hourlyCharge: recurring)
                }
            } + legacy(nodeType, duration: duration)
        }
    }

    /// Heavy utilization: half up front and an hourly charge for every hour; medium and light:
    /// less up front and a usage price for the hours the node runs.
    static func legacy(_ nodeType: String, duration: Int) -> [Offering] {
        guard legacyFamilies.contains(String(EngineCatalog.nodeFamily(of: nodeType))) else {
            return []
        }
        let years = Double(duration) / 31_536_000
        let hourly = 0.017 * units(nodeType) * (years > 1 ? 0.5 : 0.7)
        let hours = 24 * 365 * years
        return legacyOfferingTypes.flatMap { offeringType in
            ["redis", "memcached"].map { product in
                let shares: [String: Double] = [
                    "Heavy Utilization": 0.5, "Medium Utilization": 0.4, "Light Utilization": 0.25,
                ]
                let upfront = shares[offeringType] ?? 0
                let fixed = (hourly * hours * upfront).rounded()
                let rest = ((hourly * hours - fixed) / hours * 1000).rounded() / 1000
                let heavy = offeringType == "Heavy Utilization"
                return Offering(
                    id: offeringId("\(nodeType)|\(duration)|\(offeringType)|\(product)"), nodeType: nodeType,
                    duration: duration, fixedPrice: fixed, usagePrice: heavy ? 0 : rest, product: product,
                    offeringType: offeringType, hourlyCharge: heavy ? rest : 0)
            }
        }
    }

    /// A stable UUID-shaped id for an offering.
    static func offeringId(_ key: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in key.utf8 {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 7
        }
        let hex = String(format: "%016llx%016llx", a, b)
        let c = Array(hex)
        return
            "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
    }

    /// Offerings or reservations narrowed by the filters both Describe calls share.
    func filtered<T>(
        _ items: [T], _ fields: (T) -> (id: String, nodeType: String, duration: Int, product: String, type: String)
    )
        throws -> [T]
    {
        var items = items
        if let type = call.string(.cacheNodeType) { items = items.filter { fields($0).nodeType == type } }
        if let duration = call.string(.duration) {
            let seconds = ["1": 31_536_000, "3": 94_608_000, "31536000": 31_536_000, "94608000": 94_608_000][duration]
            guard let seconds else {
                throw AWSError.invalidParameterValue("Duration must be 1, 3, 31536000 or 94608000.")
            }
            items = items.filter { fields($0).duration == seconds }
        }
        if let product = call.string(.productDescription) { items = items.filter { fields($0).product == product } }
        if let type = call.string(.offeringType) { items = items.filter { fields($0).type == type } }
        return items
    }

    func describeOfferings() throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        var offerings = try filtered(Self.catalog) { ($0.id, $0.nodeType, $0.duration, $0.product, $0.offeringType) }
        if let id = call.string(.reservedCacheNodesOfferingId) {
            offerings = offerings.filter { $0.id == id }
            if offerings.isEmpty {
                throw call.error(.reservedCacheNodesOfferingNotFoundFault, "Offering \(id) not found.")
            }
        }
        let (page, next) = try Marker.page(
            offerings.sorted { $0.id < $1.id }, id: \.id, marker: call.string(.marker), maxRecords: maxRecords)
        return .object([
            "ReservedCacheNodesOfferings": .list(page.map(\.shapeValue)), "Marker": next.map(ShapeValue.string),
        ])
    }

    struct Reservation: Codable, Equatable, TaggableResource {
        static let kind = "elasticache.reserved"
        static let arnType = "reserved-instance"
        static let notFoundFault = ErrorShape.reservedCacheNodeNotFoundFault
        static func notFoundMessage(_ id: String) -> String { "Reserved cache node \(id) not found." }
        var id: String
        var offeringId: String
        var count: Int
        var start: Date
        var arn: String
        var tags: [TagRecord]
    }

    var table: ResourceTable<Reservation> { context.table(Reservation.self) }

    func render(_ reservation: Reservation) -> ShapeValue {
        guard let offering = Self.catalog.first(where: { $0.id == reservation.offeringId }),
            case .structure(var fields) = offering.shapeValue
        else { return .object([:]) }
        let end = reservation.start.addingTimeInterval(TimeInterval(offering.duration))
        fields["ReservedCacheNodeId"] = .string(reservation.id)
        fields["StartTime"] = .timestamp(reservation.start)
        fields["CacheNodeCount"] = .integer(Int64(reservation.count))
        fields["State"] = .string(
            call.now < reservation.start.addingTimeInterval(60)
                ? "payment-pending" : end <= call.now ? "retired" : "active")
        fields["ReservationARN"] = .string(reservation.arn)
        return .structure(fields)
    }

    func purchase() throws -> ShapeValue {
        let offeringId = try call.required(.reservedCacheNodesOfferingId)
        guard Self.catalog.contains(where: { $0.id == offeringId }) else {
            throw call.error(.reservedCacheNodesOfferingNotFoundFault, "Offering \(offeringId) not found.")
        }
        let count = call.int(.cacheNodeCount) ?? 1
        guard (1...300).contains(count) else {
            throw call.error(.reservedCacheNodeQuotaExceededFault, "At most 300 reserved nodes per purchase.")
        }
        let id = call.string(.reservedCacheNodeId) ?? "ri-\(Self.offeringId("\(call.requestID)").prefix(13))"
        if try table.find(id) != nil {
            throw call.error(.reservedCacheNodeAlreadyExistsFault, "Reserved cache node \(id) already exists.")
        }
        let reservation = Reservation(
            id: id, offeringId: offeringId, count: count, start: call.now,
            arn: context.arn(Reservation.arnType, id),
            tags: try TagOperations.tags(call[.tags]))
        try table.put(reservation)
        return .object(["ReservedCacheNode": render(reservation)])
    }

    func describe() throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        let offerings = Dictionary(uniqueKeysWithValues: Self.catalog.map { ($0.id, $0) })
        var reservations = try table.list()
        reservations = try filtered(reservations) { reservation in
            let offering = offerings[reservation.offeringId]
            return (
                reservation.id, offering?.nodeType ?? "", offering?.duration ?? 0, offering?.product ?? "",
                offering?.offeringType ?? ""
            )
        }
        if let id = call.string(.reservedCacheNodesOfferingId) {
            reservations = reservations.filter { $0.offeringId == id }
        }
        if let id = call.string(.reservedCacheNodeId) {
            reservations = reservations.filter { $0.id == id }
            if reservations.isEmpty { throw table.notFound(id) }
        }
        let (page, next) = try Marker.page(
            reservations, id: \.id, marker: call.string(.marker), maxRecords: maxRecords)
        return .object(["ReservedCacheNodes": .list(page.map(render)), "Marker": next.map(ShapeValue.string)])
    }
}
