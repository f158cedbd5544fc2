import AWSModels
import AWSWire
import Foundation
import IAM
import ServiceContract

/// Event history (LookupEvents: one attribute, a time range, pages of 50, downloads) and trails
/// (DescribeTrails, GetTrailStatus, CreateTrail, StartLogging, StopLogging).
struct CloudTrailPages {
    let page: PageContext
    static let target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
    static let attributes = [
        ("EventName", "Event name"), ("Username", "User name"), ("ResourceName", "Resource name"),
        ("ResourceType", "Resource type"), ("EventSource", "Event source"), ("EventId", "Event ID"),
        ("AccessKeyId", "AWS access key"), ("ReadOnly", "Read-only"),
    ]
    /// The most events one download holds.
    static let downloadLimit = 5_000

    /// The filter as the page's form submitted it.
    private struct Filter {
        var attribute: String
        var value: String
        var start: String
        var end: String

        var query: String {
            FormData.encode([("attribute", attribute), ("value", value), ("start", start), ("end", end)])
        }
    }

    private var filter: Filter {
        let parameters = page.request.parameters
        let attribute = parameters["attribute"].flatMap { name in Self.attributes.contains { $0.0 == name } ? name : nil
        }
        return Filter(
            attribute: attribute ?? "EventName", value: parameters["value"] ?? "", start: parameters["start"] ?? "",
            end: parameters["end"] ?? "")
    }

    func history() async -> ConsoleResponse {
        let filter = self.filter
        var context: [String: Any] = [
            "attributes": Self.attributes.map { ["name": $0.0, "label": $0.1, "selected": $0.0 == filter.attribute] },
            "value": filter.value, "start": filter.start, "end": filter.end,
            "filterQuery": "region=\(PageContext.query(page.region))&\(filter.query)",
        ]
        var failure: String?
        do {
            let (events, next) = try await lookup(filter, token: page.request.parameters["token"], max: 50)
            context["events"] = events.map(Self.row)
            context["hasEvents"] = !events.isEmpty
            if let next { context["next"] = PageContext.query(next) }
        } catch {
            failure = PageContext.describe(error)
        }
        return await page.render(
            "Event history", body: page.template("history", context), section: .history,
            failures: failure.map { [$0] } ?? [])
    }

    /// Every event the filter matches (up to ``downloadLimit``), as CSV or as `{"Records": […]}`.
    func download() async -> ConsoleResponse {
        let csv = page.request.parameters["format"] == "csv"
        var events: [JSONValue] = []
        var token: String?
        do {
            repeat {
                let (batch, next) = try await lookup(filter, token: token, max: 50)
                events += batch
                token = next
            } while token != nil && events.count < Self.downloadLimit
        } catch {
            return await page.redirect(
                "/console/cloudtrail?region=\(PageContext.query(page.region))", success: false,
                PageContext.describe(error))
        }
        events = Array(events.prefix(Self.downloadLimit))
        if csv {
            return .download(
                Array(EventExport.csv(events).utf8), type: "text/csv; charset=utf-8", filename: "event_history.csv")
        }
        return .download(
            Array(EventExport.json(events).utf8), type: "application/json", filename: "event_history.json")
    }

    private func lookup(_ filter: Filter, token: String?, max: Int) async throws(APIFailure) -> ([JSONValue], String?) {
        var input: [String: Any] = ["MaxResults": max]
        if !filter.value.isEmpty {
            input["LookupAttributes"] = [["AttributeKey": filter.attribute, "AttributeValue": filter.value]]
        }
        if let start = Self.date(filter.start) { input["StartTime"] = start.timeIntervalSince1970 }
        if let end = Self.date(filter.end) { input["EndTime"] = end.timeIntervalSince1970 }
        if let token, !token.isEmpty { input["NextToken"] = token }
        let answer = try await page.client.json("cloudtrail", target: Self.target + "LookupEvents", input)
        return (answer["Events"]?.items ?? [], answer["NextToken"]?.string)
    }

    private static func row(_ event: JSONValue) -> [String: Any] {
        let record = event["CloudTrailEvent"]?.string ?? "{}"
        let parsed = try? JSONValue.parse(record)
        let resources = (event["Resources"]?.items ?? []).compactMap { $0["ResourceName"]?.string }
        return [
            "id": event["EventId"]?.string ?? "", "name": event["EventName"]?.string ?? "",
            "time": EventExport.time(event), "user": event["Username"]?.string ?? "",
            "source": event["EventSource"]?.string ?? "", "resource": resources.joined(separator: ", "),
            "error": parsed?["errorCode"]?.string ?? "", "record": EventExport.pretty(record),
        ]
    }

    /// `datetime-local` input (`2026-11-30T05:10`), read as UTC.
    static func date(_ text: String) -> Date? {
        guard !text.isEmpty else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    // MARK: Trails

    private var trailsPage: String { "/console/cloudtrail/trails?region=\(PageContext.query(page.region))" }

    func trails() async -> ConsoleResponse {
        var rows: [[String: Any]] = []
        var failure: String?
        do {
            let answer = try await call("DescribeTrails", [:])
            for trail in answer["trailList"]?.items ?? [] {
                let arn = trail["TrailARN"]?.string ?? ""
                let status = try? await call("GetTrailStatus", ["Name": arn])
                let logging = status?["IsLogging"] == .bool(true)
                let bucket = trail["S3BucketName"]?.string ?? ""
                rows.append([
                    "name": trail["Name"]?.string ?? "", "arn": arn,
                    "homeRegion": trail["HomeRegion"]?.string ?? "",
                    "multiRegion": trail["IsMultiRegionTrail"] == .bool(true) ? "Yes" : "No",
                    "bucket": bucket, "bucketQuery": PageContext.query(bucket),
                    "logging": logging ? "Logging" : "Not logging",
                    "latestDelivery": status?["LatestDeliveryTime"].flatMap(EventExport.iso) ?? "",
                    "deliveryError": status?["LatestDeliveryError"]?.string ?? "",
                    "action": logging ? "stop" : "start", "actionLabel": logging ? "Stop logging" : "Start logging",
                ])
            }
        } catch {
            failure = PageContext.describe(error)
        }
        return await page.render(
            "Trails", body: page.template("trails", ["trails": rows, "hasTrails": !rows.isEmpty]), section: .trails,
            failures: failure.map { [$0] } ?? [])
    }

    /// As the console does: optionally a new bucket with the policy CloudTrail needs, the
    /// trail, then StartLogging.
    func createTrail() async -> ConsoleResponse {
        let form = page.request.form
        let name = form["name"] ?? ""
        let bucket = form["bucket"] ?? ""
        let account = page.session.credentials.principal.accountId
        do {
            if form["newBucket"] == "1" {
                var configuration: [UInt8] = []
                if page.region != "us-east-1" {
                    configuration = Array(
                        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(page.region)</LocationConstraint></CreateBucketConfiguration>"
                            .utf8)
                }
                let path = "/" + FormData.escape(bucket)
                _ = try await page.client.s3("PUT", path: path, body: configuration)
                _ = try await page.client.s3(
                    "PUT", path: path, query: "policy=",
                    body: Array(
                        Self.bucketPolicy(bucket: bucket, account: account, region: page.region, trail: name).utf8))
            }
            let created = try await call(
                "CreateTrail",
                ["Name": name, "S3BucketName": bucket, "IsMultiRegionTrail": form["multiRegion"] == "1"])
            _ = try await call("StartLogging", ["Name": created["TrailARN"]?.string ?? name])
            return await page.redirect(trailsPage, success: true, "Created trail \(name); logging started.")
        } catch {
            return await page.redirect(trailsPage, success: false, PageContext.describe(error))
        }
    }

    func setLogging(_ on: Bool) async -> ConsoleResponse {
        let name = page.request.form["name"] ?? ""
        return await page.act(trailsPage, done: on ? "Logging started." : "Logging stopped.") {
            () throws(APIFailure) in
            _ = try await call(on ? "StartLogging" : "StopLogging", ["Name": name])
        }
    }

    private func call(_ action: String, _ input: [String: Any]) async throws(APIFailure) -> JSONValue {
        try await page.client.json("cloudtrail", target: Self.target + action, input)
    }

    /// The bucket policy CloudTrail's documentation gives, scoped to this trail's ARN.
    static func bucketPolicy(bucket: String, account: String, region: String, trail: String) -> String {
        let partition = Partition(region: region)
        let source = Partition.trailARN(region: region, account: account, name: trail)
        let bucketArn = partition.arn("s3", bucket)
        let policy: [String: Any] = [
            "Version": "2012-10-17",
            "Statement": [
                [
                    "Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
                    "Principal": ["Service": "cloudtrail.amazonaws.com"], "Action": "s3:GetBucketAcl",
                    "Resource": bucketArn,
                    "Condition": ["StringEquals": ["aws:SourceArn": source]],
                ],
                [
                    "Sid": "AWSCloudTrailWrite", "Effect": "Allow",
                    "Principal": ["Service": "cloudtrail.amazonaws.com"], "Action": "s3:PutObject",
                    "Resource": "\(bucketArn)/AWSLogs/\(account)/*",
                    "Condition": [
                        "StringEquals": ["s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": source]
                    ],
                ],
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: policy, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONValue {
    /// The elements of an array value, or none.
    var items: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }
}
