import AWSModels
import AWSWire
import ServiceContract

/// Slow and engine logs (LogDeliveryConfigurations) of Redis OSS/Valkey clusters and groups:
/// kept as asked and answered, each in state `error` with a message that says why — their
/// destinations (CloudWatch Logs, Kinesis Data Firehose) are not served here, so no log line
/// reaches them, and the API says so the way AWS does for a destination it cannot deliver to.
package enum LogDelivery {
    package struct Configuration: Sendable, Codable, Equatable {
        var logType: String
        var destinationType: String
        var destinationDetails: ShapeValue
        var logFormat: String
    }

    static let notServed = "Log delivery to CloudWatch Logs or Kinesis Data Firehose is not served by this server."

    /// `current` after the call's LogDeliveryConfigurations (`Enabled` false removes a log type).
    static func apply(_ call: OperationCall, engine: String, to current: [Configuration]?) throws -> [Configuration]? {
        guard let requests = call[.logDeliveryConfigurations]?.listValue else { return current }
        guard engine != "memcached" else {
            throw call.error(
                .invalidParameterCombinationException, "Log delivery is supported for Redis OSS and Valkey only.")
        }
        var configurations = current ?? []
        for request in requests {
            guard let type = request[member: "LogType"]?.stringValue, ["slow-log", "engine-log"].contains(type) else {
                throw AWSError.invalidParameterValue("LogType must be slow-log or engine-log.")
            }
            configurations.removeAll { $0.logType == type }
            if request[member: "Enabled"]?.boolValue == false { continue }
            let destination = request[member: "DestinationType"]?.stringValue ?? ""
            let details = request[member: "DestinationDetails"]
            let named =
                switch destination {
                case "cloudwatch-logs": details?[member: "CloudWatchLogsDetails"]?[member: "LogGroup"]?.stringValue
                case "kinesis-firehose":
                    details?[member: "KinesisFirehoseDetails"]?[member: "DeliveryStream"]?.stringValue
                default: nil as String?
                }
            guard let named, !named.isEmpty, let details else {
                throw AWSError.invalidParameterValue(
                    "DestinationType must be cloudwatch-logs (with a LogGroup) or kinesis-firehose (with a DeliveryStream)."
                )
            }
            let format = request[member: "LogFormat"]?.stringValue ?? "text"
            guard format == "text" || format == "json" else {
                throw AWSError.invalidParameterValue("LogFormat must be text or json.")
            }
            configurations.append(
                Configuration(
                    logType: type, destinationType: destination, destinationDetails: details, logFormat: format))
        }
        return configurations.sorted { $0.logType > $1.logType }
    }

    static func render(_ configurations: [Configuration]?) -> ShapeValue {
        .list(
            (configurations ?? []).map {
                .object([
                    "LogType": .string($0.logType), "DestinationType": .string($0.destinationType),
                    "DestinationDetails": $0.destinationDetails, "LogFormat": .string($0.logFormat),
                    "Status": .string("error"), "Message": .string(notServed),
                ])
            })
    }
}
