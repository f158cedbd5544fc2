import AWSWire
import Foundation

/// A bucket's objects by prefix (ListObjectsV2 with `/` as delimiter) and their download
/// (GetObject): how a trail's log files are found from the Trails page.
struct BucketPages {
    let page: PageContext

    func browse() async -> ConsoleResponse {
        let parameters = page.request.parameters
        let bucket = parameters["bucket"] ?? ""
        let prefix = parameters["prefix"] ?? ""
        var query: [(String, String)] = [
            ("delimiter", "/"), ("list-type", "2"), ("max-keys", "200"), ("prefix", prefix),
        ]
        if let token = parameters["token"], !token.isEmpty { query.append(("continuation-token", token)) }
        do {
            let bytes = try await page.client.s3(
                "GET", path: "/" + FormData.escape(bucket), query: FormData.encode(query.sorted { $0.0 < $1.0 }))
            let listing = try XMLNode.parse(bytes)
            let folders = listing.all("CommonPrefixes").map { entry -> [String: Any] in
                let full = entry.text("Prefix")
                return ["name": String(full.dropFirst(prefix.count)), "query": PageContext.query(full)]
            }
            let objects = listing.all("Contents").map { entry -> [String: Any] in
                let key = entry.text("Key")
                return [
                    "name": String(key.dropFirst(prefix.count)), "query": PageContext.query(key),
                    "size": entry.text("Size"), "modified": entry.text("LastModified"),
                ]
            }
            var parent: String?
            if !prefix.isEmpty {
                let trimmed = prefix.dropLast()
                parent = trimmed.lastIndex(of: "/").map { String(trimmed[...$0]) } ?? ""
            }
            let next = listing.child("NextContinuationToken")?.text
            let body = page.template(
                "bucket",
                [
                    "bucket": bucket, "bucketQuery": PageContext.query(bucket), "prefix": prefix,
                    "prefixQuery": PageContext.query(prefix), "parent": parent != nil,
                    "parentQuery": PageContext.query(parent ?? ""), "folders": folders, "objects": objects,
                    "hasEntries": !folders.isEmpty || !objects.isEmpty, "next": next.map(PageContext.query) ?? false,
                ])
            return await page.render("s3://\(bucket)", body: body, section: .trails)
        } catch let failure as APIFailure {
            return await page.render(
                "s3://\(bucket)", body: "", status: 400, section: .trails, failures: [PageContext.describe(failure)])
        } catch {
            return await page.render(
                "s3://\(bucket)", body: "", status: 502, section: .trails, failures: ["The listing was not XML."])
        }
    }

    func download() async -> ConsoleResponse {
        let parameters = page.request.parameters
        let bucket = parameters["bucket"] ?? ""
        let key = parameters["key"] ?? ""
        let path =
            "/" + FormData.escape(bucket) + "/"
            + key.split(separator: "/", omittingEmptySubsequences: false)
            .map { FormData.escape(String($0)) }.joined(separator: "/")
        do {
            let bytes = try await page.client.s3("GET", path: path)
            let name = key.split(separator: "/").last.map(String.init) ?? "object"
            let safe = String(name.filter { $0.isLetter || $0.isNumber || "._-".contains($0) })
            return .download(bytes, type: "application/octet-stream", filename: safe.isEmpty ? "object" : safe)
        } catch {
            return await page.render(
                "s3://\(bucket)", body: "", status: 400, section: .trails, failures: [PageContext.describe(error)])
        }
    }
}
