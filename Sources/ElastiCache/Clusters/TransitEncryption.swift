import AWSModels
import AWSWire
import ServiceContract

/// In-transit encryption as AWS sets it: an AUTH token needs it; TransitEncryptionMode
/// (`required`, the default, or `preferred`) comes only with it, and `preferred` not with RBAC
/// user groups; an existing group turns it on in mode `preferred` (a migration step), goes to
/// `required` from there, and turns it off only from `preferred`. CacheNodes serves the
/// endpoints as it says (NodeTLS).
package struct TransitEncryption: Equatable {
    var enabled: Bool
    /// `preferred` or `required` while enabled; nil while disabled.
    package var mode: String?

    /// AWS's own message (InvalidParameterValue).
    static let authTokenNeedsIt = "The AUTH token is only supported when encryption-in-transit is enabled"
    static let modeNeedsIt = "TransitEncryptionMode can be set only when TransitEncryptionEnabled is true."
    /// AWS's own message (InvalidParameterCombination).
    static let preferredWithRBAC = "Transit encryption preferred is not supported with redis access control."
    /// AWS's own message (quoted in hashicorp/terraform-provider-aws#42966; its code is ours:
    /// InvalidParameterCombination, as for the rule above).
    static let rbacNeedsIt =
        "User group based access control requires encryption-in-transit to be enabled on the replication group."

    /// A new cluster's or group's, from its create call.
    static func created(_ call: OperationCall, userGroups: Bool) throws -> TransitEncryption {
        let enabled = call[.transitEncryptionEnabled]?.boolValue ?? false
        let requested = call.string(.transitEncryptionMode)
        if requested != nil && !enabled {
            throw call.error(
                .invalidParameterCombinationException,
                Self.modeNeedsIt)
        }
        let state = TransitEncryption(enabled: enabled, mode: enabled ? requested ?? "required" : nil)
        try state.check(call, userGroups: userGroups, authToken: call.string(.authToken) != nil)
        return state
    }

    /// `self` changed by a ModifyReplicationGroup call. The rules are checked only when the call
    /// touches what they name, so a group stored before they were checked (an AuthToken without
    /// transit encryption) keeps taking other changes.
    func modified(_ call: OperationCall, userGroups: Bool, authToken: Bool) throws -> TransitEncryption {
        let touched: [MemberName] = [.transitEncryptionEnabled, .transitEncryptionMode, .authToken, .userGroupIdsToAdd]
        guard touched.contains(where: { call[$0] != nil }) else { return self }
        var next = self
        let requested = call.string(.transitEncryptionMode)
        if let enable = call[.transitEncryptionEnabled]?.boolValue, enable != enabled {
            if enable {
                guard requested == "preferred" else {
                    throw call.error(
                        .invalidParameterCombinationException,
                        "To enable in-transit encryption on an existing replication group, "
                            + "set TransitEncryptionMode to preferred in the same request.")
                }
            } else if mode != "preferred" || requested != nil {
                throw call.error(
                    .invalidParameterCombinationException,
                    "To disable in-transit encryption, first set TransitEncryptionMode to preferred.")
            }
            next = TransitEncryption(enabled: enable, mode: enable ? "preferred" : nil)
        } else if let requested {
            guard enabled else {
                throw call.error(
                    .invalidParameterCombinationException,
                    Self.modeNeedsIt)
            }
            next.mode = requested
        }
        try next.check(call, userGroups: userGroups, authToken: authToken)
        return next
    }

    private func check(_ call: OperationCall, userGroups: Bool, authToken: Bool) throws {
        if authToken && !enabled { throw AWSError.invalidParameterValue(Self.authTokenNeedsIt) }
        if userGroups && !enabled { throw call.error(.invalidParameterCombinationException, Self.rbacNeedsIt) }
        if mode == "preferred" && userGroups {
            throw call.error(.invalidParameterCombinationException, Self.preferredWithRBAC)
        }
    }
}

/// A cluster's or group's in-transit encryption fields, read and set as one.
package protocol TransitEncrypted {
    var transitEncryptionEnabled: Bool { get set }
    /// `preferred` or `required` (nil: `required`) while transit encryption is on.
    var transitEncryptionMode: String? { get set }
}

extension TransitEncrypted {
    package var transit: TransitEncryption {
        get {
            TransitEncryption(
                enabled: transitEncryptionEnabled,
                mode: transitEncryptionEnabled ? transitEncryptionMode ?? "required" : nil)
        }
        set {
            transitEncryptionEnabled = newValue.enabled
            transitEncryptionMode = newValue.mode
        }
    }
}

extension CacheClusterRecord: TransitEncrypted {}
extension ReplicationGroupRecord: TransitEncrypted {}
