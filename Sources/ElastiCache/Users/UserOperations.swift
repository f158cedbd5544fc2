import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// CreateUser, ModifyUser, DeleteUser, DescribeUsers, and the same for user groups.
struct UserOperations {
    let context: ElastiCacheCall
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }
    var scope: String { context.scope }

    var userTable: ResourceTable<UserRecord> { context.table(UserRecord.self) }
    var groupTable: ResourceTable<UserGroupRecord> { context.table(UserGroupRecord.self) }

    func userNotFound(_ id: String) -> AWSError { userTable.notFound(id) }
    func groupNotFound(_ id: String) -> AWSError { groupTable.notFound(id) }

    /// The region's built-in `default` user (never stored).
    var builtInDefault: UserRecord { UserRecord.builtInDefault(account: call.account, region: call.region) }

    /// Every user of the region, the built-in `default` first, transitions settled.
    func users() throws -> [UserRecord] {
        [builtInDefault] + (try userTable.list())
    }

    func user(_ id: String) throws -> UserRecord {
        if id == builtInDefault.id { return builtInDefault }
        return try userTable.get(id)
    }

    func groups() throws -> [UserGroupRecord] { try groupTable.list() }

    func group(_ id: String) throws -> UserGroupRecord { try groupTable.get(id) }

    /// `user` with the user groups it belongs to (`groups`: all of them, when already listed).
    func render(_ user: UserRecord, among groups: [UserGroupRecord]? = nil) throws -> ShapeValue {
        let all = try groups ?? self.groups()
        return user.shapeValue(groups: all.filter { $0.userIds.contains(user.id) }.map(\.id).sorted())
    }

    static func validId(_ id: String) -> Bool {
        guard let first = id.first, first.isLetter, id.count <= 40, !id.hasSuffix("-"), !id.contains("--") else {
            return false
        }
        return id.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
    }

    static func engine(_ raw: String) throws -> String {
        let engine = raw.lowercased()
        guard engine == "redis" || engine == "valkey" else {
            throw AWSError.invalidParameterValue("Engine must be redis or valkey for users and user groups.")
        }
        return engine
    }

    /// The passwords the call gives (Passwords, or AuthenticationMode's).
    var givenPasswords: [String]? {
        (call[.passwords]?.listValue
            ?? call[.authenticationMode]?[member: "Passwords"]?.listValue)?.compactMap(\.stringValue)
    }

    /// Authentication from Passwords / NoPasswordRequired / AuthenticationMode.
    func authentication(current: (String, Int)?) throws -> (String, Int)? {
        let passwords = givenPasswords
        let noPassword = call[.noPasswordRequired]?.boolValue
        let mode = call[.authenticationMode]?[member: "Type"]?.stringValue
        // The messages are AWS's own wording.
        if let mode, !["password", "no-password-required", "iam"].contains(mode) {
            throw AWSError.invalidParameterValue(
                "Input Authentication type: \(mode) is not in the allowed list: [password,no-password-required,iam]")
        }
        if call[.passwords] != nil, call[.authenticationMode]?[member: "Passwords"] != nil {
            throw call.error(
                .invalidParameterCombinationException,
                "Passwords provided via multiple arguments. Use only one argument")
        }
        // NoPasswordRequired and AuthenticationMode must say the same thing.
        if noPassword == true, let mode, mode != "no-password-required" {
            throw call.error(
                .invalidParameterCombinationException,
                "No password required flag is true but provided authentication type is \(mode)")
        }
        if noPassword == false, mode == "no-password-required" {
            throw call.error(
                .invalidParameterCombinationException,
                "NoPasswordRequired false contradicts AuthenticationMode no-password-required.")
        }
        if let passwords {
            if noPassword == true || mode == "no-password-required" || mode == "iam" {
                throw call.error(
                    .invalidParameterCombinationException,
                    "Password field is not allowed with authentication type: \(mode ?? "no-password-required")")
            }
            guard (1...2).contains(passwords.count) else {
                throw AWSError.invalidParameterValue("A user can have one or two passwords.")
            }
            for password in passwords where !(16...128).contains(password.count) {
                throw AWSError.invalidParameterValue("Passwords length must be between 16-128 characters.")
            }
            for password in passwords where password.contains(" ") {
                throw AWSError.invalidParameterValue("Passwords must not contain spaces.")
            }
            return ("password", passwords.count)
        }
        if mode == "iam" { return ("iam", 0) }
        if noPassword == true || mode == "no-password-required" { return ("no-password", 0) }
        if mode == "password" {
            throw call.error(
                .invalidParameterCombinationException,
                "A user with Authentication Mode: password, must have at least one password")
        }
        return current
    }

    func createUser() throws -> ShapeValue {
        let id = try call.required(.userId)
        guard Self.validId(id) else {
            throw AWSError.invalidParameterValue(
                "User ID must begin with a letter, contain only letters, digits and hyphens, and be at most 40 characters."
            )
        }
        let name = try call.required(.userName)
        let access = try call.required(.accessString)
        if try id == builtInDefault.id || userTable.find(id) != nil {
            throw call.error(.userAlreadyExistsFault, "User \(id) already exists.")
        }
        guard let auth = try authentication(current: nil) else {
            throw AWSError.invalidParameterValue(
                "Input Authentication type: null is not in the allowed list: [password,no-password-required,iam]")
        }
        guard AccessString.isValid(access) else { throw AWSError.invalidParameterValue("Access string is invalid.") }
        let user = UserRecord(
            id: id, name: name, engine: try Self.engine(try call.required(.engine)), accessString: access,
            authenticationType: auth.0, passwordCount: auth.1, passwords: givenPasswords?.map(SealedSecret.init),
            // A new user is active at once, as CreateUser answers on AWS.
            arn: context.arn(UserRecord.arnType, id), status: .active, readyAt: nil,
            tags: try TagOperations.tags(call[.tags]))
        try userTable.put(user)
        return try render(user)
    }

    func modifyUser() throws -> ShapeValue {
        var user = try user(try call.required(.userId))
        guard user.id != "default" else {
            throw AWSError.invalidParameterValue("The default user cannot be modified.")
        }
        guard user.status == .active else {
            throw call.error(.invalidUserStateFault, "User \(user.id) is \(user.status.rawValue), not active.")
        }
        if let access = call.string(.accessString) {
            guard AccessString.isValid(access) else {
                throw AWSError.invalidParameterValue("Access string is invalid.")
            }
            user.accessString = access
        }
        if let extra = call.string(.appendAccessString) {
            guard AccessString.isValid(extra) else { throw AWSError.invalidParameterValue("Access string is invalid.") }
            user.accessString += " " + extra
        }
        if let engine = call.string(.engine) { user.engine = try Self.engine(engine) }
        if let auth = try authentication(current: (user.authenticationType, user.passwordCount)) {
            (user.authenticationType, user.passwordCount) = auth
            if auth.0 != "password" {
                user.passwords = nil
            } else if let given = givenPasswords {
                user.passwords = given.map(SealedSecret.init)
            }
        }
        user.begin(.modifying, until: context.readyAt)
        try userTable.put(user)
        return try render(user)
    }

    func deleteUser() throws -> ShapeValue {
        let user = try user(try call.required(.userId))
        guard user.id != "default" else {
            throw call.error(.defaultUserAssociatedToUserGroupFault, "The default user cannot be deleted.")
        }
        guard user.status == .active else {
            throw call.error(.invalidUserStateFault, "User \(user.id) is \(user.status.rawValue), not active.")
        }
        let rendered = try render(user)
        for var group in try groups() where group.userIds.contains(user.id) {
            group.userIds.removeAll { $0 == user.id }
            try groupTable.put(group)
        }
        // Described as `deleting` until the lifecycle removes it, as on AWS.
        var deleting = user
        deleting.begin(.deleting, until: context.readyAt)
        try userTable.put(deleting)
        guard case .structure(var fields) = rendered else { return rendered }
        fields["Status"] = .string(UserRecord.Status.deleting.rawValue)
        return .structure(fields)
    }

    func describeUsers() throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        var all = try users()
        if let id = call.string(.userId) {
            all = all.filter { $0.id == id }
            if all.isEmpty { throw userNotFound(id) }
        }
        if let engine = call.string(.engine) { all = all.filter { $0.engine == engine.lowercased() } }
        for filter in call[.filters]?.listValue ?? [] {
            let values = Set((filter[member: "Values"]?.listValue ?? []).compactMap(\.stringValue))
            switch filter[member: "Name"]?.stringValue {
            case "user-name": all = all.filter { values.contains($0.name) }
            case "engine": all = all.filter { values.contains($0.engine) }
            default:
                throw call.error(.invalidParameterCombinationException, "Unknown filter; use user-name or engine.")
            }
        }
        let (page, next) = try Marker.page(
            all.sorted { $0.id < $1.id }, id: \.id, marker: call.string(.marker), maxRecords: maxRecords)
        let groups = try groups()
        return .object([
            "Users": .list(try page.map { try render($0, among: groups) }), "Marker": next.map(ShapeValue.string),
        ])
    }
}
