import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import Notifications

@Suite("SNS message signing")
struct MessageSigningTests {
    static let identity = Result { try SigningIdentity.make(now: Date(timeIntervalSince1970: 1_800_000_000)) }

    let subscription = SubscriptionRecord(
        arn: "arn:aws:sns:us-west-2:123456789012:alerts:1f2e", topicArn: "arn:aws:sns:us-west-2:123456789012:alerts",
        owner: "123456789012", protocol: "http", endpoint: "http://127.0.0.1:9/hook", token: "abc", confirmed: true,
        rawMessageDelivery: false, deliveryPolicy: nil, authenticateOnUnsubscribe: false)

    func delivery(type: String, subject: String?) -> PendingDelivery {
        PendingDelivery(
            id: "1", subscriptionArn: subscription.arn, type: type, messageId: "m-1", topicArn: subscription.topicArn,
            subject: subject, message: "{\"s3Bucket\":\"b\"}", timestamp: Date(timeIntervalSince1970: 1_800_000_000.5),
            token: type == "Notification" ? nil : "abc", attempts: 0, notBefore: Date())
    }

    /// Checks a message the way SNS's SDK verifiers do: rebuild the string to sign from the
    /// JSON, verify it with the signing public key (the end-to-end test takes that key from the
    /// served certificate).
    func verify(_ body: String, identity: SigningIdentity) throws -> Bool {
        let parsed = try JSONSerialization.jsonObject(with: Data(body.utf8))
        let document = try #require(parsed as? [String: String])
        let type = try #require(document["Type"])
        let names =
            type == "Notification"
            ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
            : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
        let text = names.compactMap { name in document[name].map { "\(name)\n\($0)\n" } }.joined()
        let key = identity.key.publicKey
        let encoded = try #require(document["Signature"])
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try #require(Data(base64Encoded: encoded)))
        if document["SignatureVersion"] == "1" {
            return key.isValidSignature(
                signature, for: Insecure.SHA1.hash(data: Data(text.utf8)), padding: .insecurePKCS1v1_5)
        }
        return key.isValidSignature(signature, for: SHA256.hash(data: Data(text.utf8)), padding: .insecurePKCS1v1_5)
    }

    @Test("notifications verify with the served certificate in both signature versions")
    func notification() throws {
        let identity = try Self.identity.get()
        let links = MessageBody.Links(base: "http://127.0.0.1:4577")
        for version in ["1", "2"] {
            for subject in [nil, "Hello"] as [String?] {
                let message = try MessageBody.make(
                    delivery(type: "Notification", subject: subject), subscription: subscription,
                    signatureVersion: version, links: links, identity: identity)
                #expect(try verify(message.body, identity: identity))
                let tampered = message.body.replacingOccurrences(of: "m-1", with: "m-2")
                #expect(try !verify(tampered, identity: identity))
                #expect(message.body.contains("\"UnsubscribeURL\""))
                #expect(message.headers.contains { $0.0 == "x-amz-sns-message-type" && $0.1 == "Notification" })
            }
        }
    }

    @Test("the certificate is a PEM certificate made once per identity")
    func certificate() throws {
        let pem = try Self.identity.get().certificatePEM
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(pem.count > 1000)
    }

    @Test("a subscription confirmation carries its token and SubscribeURL, and verifies")
    func confirmation() throws {
        let identity = try Self.identity.get()
        let message = try MessageBody.make(
            delivery(type: "SubscriptionConfirmation", subject: nil), subscription: subscription,
            signatureVersion: "2", links: MessageBody.Links(base: "http://127.0.0.1:4577"), identity: identity)
        #expect(try verify(message.body, identity: identity))
        #expect(
            message.body.contains(
                "?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aus-west-2%3A123456789012%3Aalerts&Token=abc"))
    }

    @Test("raw delivery sends the message alone, unsigned")
    func raw() throws {
        var raw = subscription
        raw.rawMessageDelivery = true
        let message = try MessageBody.make(
            delivery(type: "Notification", subject: nil), subscription: raw, signatureVersion: "2",
            links: MessageBody.Links(base: "http://x"), identity: try Self.identity.get())
        #expect(message.body == "{\"s3Bucket\":\"b\"}")
    }
}
