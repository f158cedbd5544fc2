import AWSWire
import Foundation
import Persistence
import ServiceContract

/// `ConsoleLogin` records (eventSource `signin.amazonaws.com`, eventType `AwsConsoleSignIn`),
/// as CloudTrail writes them for root and IAM user sign-ins to the console.
package enum SignInEvents {
    /// One sign-in attempt by `principal` (the claimed identity on failure). Recorded in
    /// us-east-1, as AWS does for root sign-ins and for IAM users on the global endpoint.
    package static func consoleLogin(
        _ principal: Principal, success: Bool, sourceIP: String, userAgent: String, loginTo: String, time: Date
    ) -> JournalEntry {
        let eventID = RandomIdentifier.timeOrdered(at: time)
        var record = OrderedJSON()
        record.add("eventVersion", EventRecorder.eventVersion)
        record.addRaw("userIdentity", identity(principal, success: success))
        record.add("eventTime", iso8601: time)
        record.add("eventSource", "signin.amazonaws.com")
        record.add("eventName", "ConsoleLogin")
        record.add("awsRegion", "us-east-1")
        record.add("sourceIPAddress", sourceIP)
        record.add("userAgent", userAgent)
        if !success { record.add("errorMessage", "Failed authentication") }
        record.addRaw("requestParameters", "null")
        record.add("responseElements", .object(["ConsoleLogin": .string(success ? "Success" : "Failure")]))
        var additional = OrderedJSON()
        additional.add("LoginTo", loginTo)
        additional.add("MobileVersion", "No")
        additional.add("MFAUsed", "No")
        record.addRaw("additionalEventData", additional.text)
        record.add("eventID", eventID)
        record.add("readOnly", false)
        record.add("eventType", "AwsConsoleSignIn")
        record.add("managementEvent", true)
        record.add("recipientAccountId", principal.accountId)
        record.add("eventCategory", "Management")
        return JournalEntry(
            eventID: eventID, account: principal.accountId, region: "us-east-1",
            eventTime: Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down)),
            eventName: "ConsoleLogin",
            eventSource: "signin.amazonaws.com", readOnly: false, username: UserIdentity.username(principal),
            accessKeyId: nil, record: record.text)
    }

    /// Root: principalId, arn, accountId and an empty accessKeyId. IAM user: its arn on
    /// success; on failure the accountId, an empty accessKeyId and the user name typed (hidden
    /// when no such user exists).
    private static func identity(_ principal: Principal, success: Bool) -> String {
        var identity = OrderedJSON()
        identity.add("type", principal.kind.rawValue)
        identity.add("principalId", principal.principalId)
        if principal.kind == .root || success { identity.add("arn", principal.arn) }
        identity.add("accountId", principal.accountId)
        if principal.kind == .root || !success { identity.add("accessKeyId", "") }
        if let name = principal.userName, principal.kind == .iamUser { identity.add("userName", name) }
        return identity.text
    }
}
