import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Trails: Create, Update, Delete, Get, Describe, List, Start/StopLogging, GetTrailStatus,
/// event and insight selectors, tags.
struct TrailOperations {
    /// AWS allows five trails per region per account.
    static let perRegion = 5

    let call: OperationCall
    let tx: any StateWriter
    let delivery: TrailDelivery

    func error(_ shape: ErrorShape, _ message: String) -> AWSError { call.error(shape, message) }

    func all() throws -> [TrailRecord] {
        try tx.list(TrailRecord.self, kind: TrailRecord.kind, scope: TrailRecord.scope)
    }

    /// The trail a name or ARN names, visible from the caller's region (home, or any for a
    /// multi-region trail).
    func trail(_ nameOrArn: String) throws -> TrailRecord {
        let (account, region, name) = TrailValidation.parse(nameOrArn, account: call.account, region: call.region)
        if !nameOrArn.hasPrefix("arn:"), let problem = TrailValidation.problem(with: name) {
            throw error(.invalidTrailNameException, problem)
        }
        guard
            let trail = try tx.get(
                TrailRecord.self, kind: TrailRecord.kind, scope: TrailRecord.scope, id: "\(account)/\(name)"),
            trail.homeRegion == region || trail.isMultiRegion, trail.account == call.account
        else {
            let arn = Partition.trailARN(region: region, account: account, name: name)
            throw error(.trailNotFoundException, "Unknown trail: \(arn) for the user: \(call.account)")
        }
        return trail
    }

    /// Changes are made in the trail's home region only.
    func home(_ nameOrArn: String) throws -> TrailRecord {
        let trail = try trail(nameOrArn)
        guard trail.homeRegion == call.region else {
            throw error(
                .invalidHomeRegionException,
                "This operation must be called from the trail's home region, \(trail.homeRegion).")
        }
        return trail
    }

    func save(_ trail: TrailRecord) throws {
        try tx.put(trail, kind: TrailRecord.kind, scope: TrailRecord.scope, id: trail.id)
    }

    func render(_ trail: TrailRecord) -> ShapeValue {
        .object([
            "Name": .string(trail.name), "S3BucketName": .string(trail.bucket),
            "S3KeyPrefix": trail.prefix.map(ShapeValue.string),
            "IncludeGlobalServiceEvents": .boolean(trail.includeGlobalServiceEvents),
            "IsMultiRegionTrail": .boolean(trail.isMultiRegion), "HomeRegion": .string(trail.homeRegion),
            "TrailARN": .string(trail.arn), "LogFileValidationEnabled": .boolean(trail.logFileValidation),
            "KmsKeyId": trail.kmsKeyId.map(ShapeValue.string),
            "HasCustomEventSelectors": .boolean(trail.eventSelectors != nil || trail.advancedEventSelectors != nil),
            "HasInsightSelectors": .boolean(trail.insightSelectors != nil), "IsOrganizationTrail": .boolean(false),
            "SnsTopicName": trail.snsTopicArn.flatMap { $0.split(separator: ":").last.map { .string(String($0)) } },
            "SnsTopicARN": trail.snsTopicArn.map(ShapeValue.string),
            "RecursiveLogging": .boolean(trail.recursiveLogging ?? true),
        ])
    }

    /// The trail fields a Create/UpdateTrail response carries.
    func response(_ trail: TrailRecord) -> ShapeValue {
        guard case .structure(var fields) = render(trail) else { return render(trail) }
        for key in ["HomeRegion", "HasCustomEventSelectors", "HasInsightSelectors"] { fields[key] = nil }
        return .structure(fields)
    }

    /// The bucket must exist and its policy must let CloudTrail write this trail's files.
    func checkBucket(_ trail: TrailRecord) throws {
        if trail.prefix.map({ $0.count > 200 || $0.hasSuffix("/") }) == true {
            throw error(.invalidS3PrefixException, "Invalid S3 prefix: \(trail.prefix ?? "")")
        }
        // An external bucket's own policy decides when files arrive (GetTrailStatus shows it).
        if try delivery.deliversExternally(trail, in: tx) { return }
        let prefix = (trail.prefix.map { "\($0)/" } ?? "") + "AWSLogs/\(trail.account)/"
        switch try delivery.ports.logFiles.check(
            bucket: trail.bucket, objectPrefix: prefix, account: trail.account, sourceArn: trail.arn, in: tx)
        {
        case .allowed: break
        case .noSuchBucket:
            throw error(.s3BucketDoesNotExistException, "S3 bucket \(trail.bucket) does not exist.")
        case .denied(let why):
            var refusal = error(
                .insufficientS3BucketPolicyException,
                "Incorrect S3 bucket policy is detected for bucket: \(trail.bucket)")
            refusal.diagnostic = "bucket \(trail.bucket): \(why)"
            throw refusal
        }
    }

    /// Sets the trail's topic from `SnsTopicName` (a name in the trail's region, or an ARN; empty
    /// removes it). The topic must exist and its policy must let CloudTrail publish.
    func applyTopic(_ trail: inout TrailRecord) throws {
        guard let given = call.string(.snsTopicName) else { return }
        if given.isEmpty {
            trail.snsTopicArn = nil
            return
        }
        let arn =
            given.hasPrefix("arn:")
            ? given
            : Partition(region: trail.homeRegion).arn("sns", region: trail.homeRegion, account: trail.account, given)
        guard delivery.ports.notifier.isTopicArn(arn) else {
            throw error(.invalidSnsTopicNameException, "Topic name or ARN is not valid: \(given)")
        }
        let check = try delivery.ports.notifier.check(
            topicArn: arn, account: trail.account, sourceArn: trail.arn, in: tx)
        guard check == .allowed else {
            var refusal = error(
                .insufficientSnsTopicPolicyException, "SNS Topic does not exist or the topic policy is incorrect!")
            refusal.diagnostic =
                check == .noSuchTopic
                ? "topic \(arn) does not exist"
                : "the policy of \(arn) has no statement allowing cloudtrail.amazonaws.com SNS:Publish "
                    + "(aws:SourceArn \(trail.arn), aws:SourceAccount \(trail.account))"
            throw refusal
        }
        trail.snsTopicArn = arn
    }

    /// CloudTrail refuses a KmsKeyId that is not a key id, an alias or the ARN of either.
    func checkKmsKeyId(_ key: String) throws {
        guard key.isEmpty || TrailValidation.kmsKeyId(key) else {
            throw error(.invalidKmsKeyIdException, "Invalid KmsKeyId \(key).")
        }
    }

    func rejectUnserved() throws {
        if call.string(.cloudWatchLogsLogGroupArn) != nil || call.string(.cloudWatchLogsRoleArn) != nil {
            throw error(
                .invalidCloudWatchLogsLogGroupArnException, "CloudWatch Logs delivery is not served by this server.")
        }
        if call[.isOrganizationTrail]?.boolValue == true {
            throw error(.organizationsNotInUseException, "AWS Organizations is not served by this server.")
        }
    }

    func create() throws -> ShapeValue {
        try rejectUnserved()
        let name = try call.required(.name)
        if let problem = TrailValidation.problem(with: name) { throw error(.invalidTrailNameException, problem) }
        if let key = call.string(.KmsKeyId) { try checkKmsKeyId(key) }
        let existing = try all().filter { $0.account == call.account }
        if existing.contains(where: { $0.name == name }) {
            throw error(.trailAlreadyExistsException, "Trail \(name) already exists for customer: \(call.account)")
        }
        guard existing.filter({ $0.homeRegion == call.region || $0.isMultiRegion }).count < Self.perRegion else {
            throw error(
                .maximumNumberOfTrailsExceededException,
                "User: \(call.account) already has \(Self.perRegion) trails in \(call.region).")
        }
        var trail = TrailRecord(
            name: name, account: call.account, homeRegion: call.region,
            arn: Partition.trailARN(region: call.region, account: call.account, name: name),
            bucket: try call.required(.s3BucketName),
            prefix: call.string(.s3KeyPrefix),
            includeGlobalServiceEvents: call[.includeGlobalServiceEvents]?.boolValue ?? true,
            isMultiRegion: call[.isMultiRegionTrail]?.boolValue ?? false,
            logFileValidation: call[.enableLogFileValidation]?.boolValue ?? false,
            kmsKeyId: call.string(.KmsKeyId), eventSelectors: nil, advancedEventSelectors: nil, insightSelectors: nil,
            tags: Self.tags(call[.tagsList]), logging: false, startLoggingTime: nil,
            stopLoggingTime: nil,
            latestDeliveryTime: nil, latestDeliveryAttemptTime: nil, latestDeliveryAttemptSucceeded: nil,
            latestDeliveryError: nil, startPosition: 0, stopPosition: 0, cursors: [:])
        trail.recursiveLogging = call[.recursiveLogging]?.boolValue
        if trail.isMultiRegion && !trail.includeGlobalServiceEvents {
            throw error(
                .invalidParameterCombinationException, "Multi-Region trail must include global service events.")
        }
        try checkBucket(trail)
        try applyTopic(&trail)
        try save(trail)
        return response(trail)
    }

    static func tags(_ value: ShapeValue?) -> [String: String] {
        var tags: [String: String] = [:]
        for tag in value?.listValue ?? [] {
            if let key = tag[member: "Key"]?.stringValue { tags[key] = tag[member: "Value"]?.stringValue ?? "" }
        }
        return tags
    }

    func update() throws -> ShapeValue {
        try rejectUnserved()
        var trail = try home(try call.required(.name))
        if let bucket = call.string(.s3BucketName) { trail.bucket = bucket }
        if let prefix = call.string(.s3KeyPrefix) { trail.prefix = prefix.isEmpty ? nil : prefix }
        if let flag = call[.includeGlobalServiceEvents]?.boolValue {
            trail.includeGlobalServiceEvents = flag
        }
        if let flag = call[.isMultiRegionTrail]?.boolValue { trail.isMultiRegion = flag }
        if let flag = call[.enableLogFileValidation]?.boolValue {
            // Turned on while logging: the chain starts now, not back when logging started.
            if flag && !trail.logFileValidation {
                trail.digests = [trail.homeRegion: DigestChain(periodStart: call.now)]
            } else if !flag {
                trail.digests = nil
            }
            trail.logFileValidation = flag
        }
        if let key = call.string(.KmsKeyId) {
            try checkKmsKeyId(key)
            trail.kmsKeyId = key.isEmpty ? nil : key
        }
        if let flag = call[.recursiveLogging]?.boolValue { trail.recursiveLogging = flag }
        if trail.isMultiRegion && !trail.includeGlobalServiceEvents {
            throw error(
                .invalidParameterCombinationException, "Multi-Region trail must include global service events.")
        }
        try checkBucket(trail)
        try applyTopic(&trail)
        try save(trail)
        return response(trail)
    }

    func delete() throws -> ShapeValue {
        var trail = try home(try call.required(.name))
        if trail.logging {
            trail.stopPosition = try tx.latestPosition()
            _ = try delivery.deliver(&trail, now: call.now, flush: true, in: tx)
            try finalDigest(&trail)
        }
        try tx.delete(kind: TrailRecord.kind, scope: TrailRecord.scope, id: trail.id)
        if !(trail.outbox ?? []).isEmpty || !(trail.digestOutbox ?? []).isEmpty {
            // Files cut for an external bucket are still uploaded after the trail is gone.
            try tx.put(trail, kind: TrailRecord.retiredKind, scope: TrailRecord.scope, id: trail.retiredID)
        }
        return .object([:])
    }

    func startLogging() throws -> ShapeValue {
        var trail = try home(try call.required(.name))
        if !trail.logging {
            // Whatever was captured before the stop is still delivered first.
            if trail.stopPosition != nil { _ = try delivery.deliver(&trail, now: call.now, flush: true, in: tx) }
            let position = try tx.latestPosition()
            trail.logging = true
            trail.startPosition = position
            trail.stopPosition = nil
            for region in trail.cursors.keys { trail.cursors[region] = max(trail.cursors[region] ?? 0, position) }
            trail.startLoggingTime = call.now
            // A new digest chain: its first digest has no previous one.
            trail.digests = nil
            try save(trail)
        }
        return .object([:])
    }

    func stopLogging() throws -> ShapeValue {
        var trail = try home(try call.required(.name))
        if trail.logging {
            trail.logging = false
            trail.stopPosition = try tx.latestPosition()
            trail.stopLoggingTime = call.now
            _ = try delivery.deliver(&trail, now: call.now, flush: true, in: tx)
            try finalDigest(&trail)
            try save(trail)
        }
        return .object([:])
    }

    /// The digest of the part-hour up to now, when logging stops or the trail goes.
    private func finalDigest(_ trail: inout TrailRecord) throws {
        try delivery.digests.deliverDue(
            &trail, now: call.now, final: true, external: try delivery.deliversExternally(trail, in: tx), in: tx)
    }

    func status() throws -> ShapeValue {
        let trail = try trail(try call.required(.name))
        return .object([
            "IsLogging": .boolean(trail.logging),
            "LatestDeliveryError": trail.latestDeliveryError.map(ShapeValue.string),
            "LatestDeliveryTime": trail.latestDeliveryTime.map(ShapeValue.timestamp),
            "StartLoggingTime": trail.startLoggingTime.map(ShapeValue.timestamp),
            "LatestDigestDeliveryTime": trail.latestDigestDeliveryTime.map(ShapeValue.timestamp),
            "LatestDigestDeliveryError": trail.latestDigestDeliveryError.map(ShapeValue.string),
            "StopLoggingTime": trail.stopLoggingTime.map(ShapeValue.timestamp),
            // AWS answers these string-typed times as "" when there is none yet.
            "LatestDeliveryAttemptTime": .string(trail.latestDeliveryAttemptTime.map { Timestamps.iso8601($0) } ?? ""),
            "LatestDeliveryAttemptSucceeded": .string(
                trail.latestDeliveryAttemptSucceeded.map { Timestamps.iso8601($0) } ?? ""),
            "TimeLoggingStarted": .string(trail.startLoggingTime.map { Timestamps.iso8601($0) } ?? ""),
            "TimeLoggingStopped": .string(trail.stopLoggingTime.map { Timestamps.iso8601($0) } ?? ""),
            "LatestNotificationError": trail.latestNotificationError.map(ShapeValue.string),
            "LatestNotificationTime": trail.latestNotificationTime.map(ShapeValue.timestamp),
            "LatestNotificationAttemptTime": .string(
                trail.latestNotificationAttemptTime.map { Timestamps.iso8601($0) } ?? ""),
            "LatestNotificationAttemptSucceeded": .string(
                trail.latestNotificationAttemptSucceeded.map { Timestamps.iso8601($0) } ?? ""),
        ])
    }

    /// Trails visible in the caller's region: its own and the shadows of multi-region trails.
    func visible(names: [String]?, shadows: Bool) throws -> [TrailRecord] {
        var trails = try all().filter {
            $0.account == call.account && ($0.homeRegion == call.region || (shadows && $0.isMultiRegion))
        }
        if let names, !names.isEmpty {
            let wanted = names.map { TrailValidation.parse($0, account: call.account, region: call.region).name }
            trails = trails.filter { wanted.contains($0.name) }
        }
        return trails.sorted { $0.name < $1.name }
    }
}
