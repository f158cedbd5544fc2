import Crypto
import Foundation
import Testing

extension GatewayTests {
    /// PutObject's bytes are checked, encrypted and written before the writer's transaction; a
    /// call that then fails leaves no file behind, and an overwrite releases the old one.
    @Suite struct ObjectStaging {
        private func files(_ harness: GatewayHarness) throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: harness.directory + "/objects").count
        }

        private func put(_ harness: GatewayHarness, _ path: String, _ text: String, md5: String? = nil) async
            -> Answer
        {
            await harness.send(
                service: "s3", method: "PUT", path: path, body: Array(text.utf8),
                headers: md5.map { [("content-md5", $0)] } ?? [])
        }

        @Test func aFailedPutLeavesNoFileAndAnOverwriteReleasesTheOldOne() async throws {
            let harness = try await GatewayHarness()
            harness.region = "us-east-1"
            #expect(
                await harness.send(service: "s3", method: "PUT", path: "/staged", body: [], headers: []).status == 200)
            let before = try files(harness)

            let stored = await put(harness, "/staged/key", "hello")
            #expect(stored.status == 200)
            let digest = Insecure.MD5.hash(data: Array("hello".utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(stored.headers["etag"] == "\"\(digest)\"")
            #expect(try files(harness) == before + 1)

            // Refused after staging (no such bucket), or by its own check (a wrong Content-MD5).
            #expect(await put(harness, "/missing/key", "lost").errorCode == "NoSuchBucket")
            let wrong = Data(Insecure.MD5.hash(data: Array("other".utf8))).base64EncodedString()
            #expect(await put(harness, "/staged/key2", "hello", md5: wrong).errorCode == "BadDigest")
            #expect(try files(harness) == before + 1)

            #expect(await put(harness, "/staged/key", "hello again").status == 200)
            #expect(try files(harness) == before + 1)
            let read = await harness.send(service: "s3", method: "GET", path: "/staged/key", body: [], headers: [])
            #expect(read.body == "hello again")
        }
    }
}
