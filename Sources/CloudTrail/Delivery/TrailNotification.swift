import AWSWire
import Foundation
import Persistence

extension TrailDelivery {
    /// Tells the trail's topic about files just stored, in the transaction that stored them:
    /// `{"s3Bucket":…,"s3ObjectKey":[…]}`, one message for the files delivered together. A
    /// refusal (topic gone, policy no longer allowing CloudTrail) shows in GetTrailStatus
    /// and clears with the next notification that goes through.
    func notify(_ trail: inout TrailRecord, keys: [String], now: Date, in tx: any StateWriter) throws {
        guard let topicArn = trail.snsTopicArn, !keys.isEmpty else { return }
        let message = JSONWriter.write(
            .object(["s3Bucket": .string(trail.bucket), "s3ObjectKey": .list(keys.map(ShapeValue.string))]))
        trail.latestNotificationAttemptTime = now
        let failure = try ports.notifier.publish(
            topicArn: topicArn, account: trail.account, sourceArn: trail.arn, message: message, now: now, in: tx)
        if let failure {
            trail.latestNotificationError = failure
        } else {
            trail.latestNotificationError = nil
            trail.latestNotificationTime = now
            trail.latestNotificationAttemptSucceeded = now
        }
    }
}
