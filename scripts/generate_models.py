#!/usr/bin/env python3
"""Generate Swift service models from botocore's JSON service models.

Usage (from the repository root, with botocore installed):

    python3 scripts/generate_models.py

Writes one file per service under Sources/AWSModels/Generated/, each with a DO NOT EDIT
header. Only the operations listed in SERVICES (or all, for "*") and the shapes they reach
are emitted. Files are rewritten only when their content changes.
"""

import json
import os
import sys

import botocore
import botocore.session

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Sources", "AWSModels", "Generated")

# service name -> (Swift identifier, operations to emit or "*", API version)
SERVICES = {
    "elasticache": ("elastiCache", "*", "2015-02-02"),
    "s3": (
        "s3",
        [
            "CreateBucket", "HeadBucket", "ListBuckets", "DeleteBucket", "GetBucketLocation",
            "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "GetBucketAcl", "PutBucketAcl",
            "PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
            "PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging",
            "PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "DeleteBucketLifecycle",
            "PutObject", "GetObject", "HeadObject", "DeleteObject", "DeleteObjects", "CopyObject",
            "ListObjects", "ListObjectsV2", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
            "AbortMultipartUpload", "ListParts", "ListMultipartUploads", "RestoreObject",
            "PutBucketCors", "GetBucketCors", "DeleteBucketCors",
            "PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite",
            "PutBucketLogging", "GetBucketLogging",
            "PutBucketOwnershipControls", "GetBucketOwnershipControls", "DeleteBucketOwnershipControls",
            "PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock", "GetBucketPolicyStatus",
            "PutBucketVersioning", "GetBucketVersioning", "ListObjectVersions",
            "PutObjectLockConfiguration", "GetObjectLockConfiguration", "PutObjectRetention", "GetObjectRetention",
            "PutObjectLegalHold", "GetObjectLegalHold",
            "PutBucketNotificationConfiguration", "GetBucketNotificationConfiguration",
        ],
        "2006-03-01",
    ),
    "cloudtrail": ("cloudTrail", "*", "2013-11-01"),
    "resourcegroupstaggingapi": ("resourceGroupsTagging", "*", "2017-01-26"),
    "sns": ("sns", "*", "2010-03-31"),
    "sts": ("sts", "*", "2011-06-15"),
    "iam": (
        "iam",
        [
            "CreateUser", "GetUser", "ListUsers", "DeleteUser",
            "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey",
            "CreateRole", "GetRole", "ListRoles", "DeleteRole", "UpdateAssumeRolePolicy",
            "PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy",
            "PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy",
            "CreateLoginProfile", "GetLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile", "ChangePassword",
            "CreatePolicy", "GetPolicy", "DeletePolicy", "ListPolicies", "CreatePolicyVersion", "GetPolicyVersion",
            "DeletePolicyVersion", "ListPolicyVersions", "SetDefaultPolicyVersion",
            "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies",
            "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies",
            "AttachGroupPolicy", "DetachGroupPolicy", "ListAttachedGroupPolicies",
            "CreateGroup", "GetGroup", "DeleteGroup", "ListGroups", "AddUserToGroup", "RemoveUserFromGroup",
            "ListGroupsForUser", "PutGroupPolicy", "GetGroupPolicy", "ListGroupPolicies", "DeleteGroupPolicy",
            "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary",
            "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
            "SimulatePrincipalPolicy", "SimulateCustomPolicy",
            "TagUser", "UntagUser", "ListUserTags", "TagRole", "UntagRole", "ListRoleTags",
        ],
        "2010-05-08",
    ),
}

FILE_NAMES = {
    "elasticache": "ElastiCache", "s3": "S3", "cloudtrail": "CloudTrail", "sns": "SNS", "sts": "STS", "iam": "IAM",
    "resourcegroupstaggingapi": "ResourceGroupsTagging",
}

# Model quirks, patched into the generated data (botocore's files stay as they are).
# Members that carry secrets although botocore does not mark them sensitive: never recorded.
SECRET_MEMBERS = {
    "AuthToken", "Password", "Passwords", "NewPassword", "OldPassword", "SecretAccessKey", "SessionToken", "PrivateKey",
}
# Members AWS hides in CloudTrail records although they carry no secret, per service.
HIDDEN_MEMBERS = {"sns": {"Message", "Subject"}}


PROTOCOLS = {"query": ".query", "json": ".json", "rest-xml": ".restXML", "rest-json": ".restJSON"}
# Newer models list several protocols, the preferred first (the Resource Groups Tagging API:
# smithy-rpc-v2-cbor, then json). The server speaks the first one it has an encoder for and
# also answers rpc-v2-cbor where the model offers it (what current SDKs send).
RPC_V2_CBOR = "smithy-rpc-v2-cbor"


def served_protocol(meta):
    for name in meta.get("protocols", [meta["protocol"]]):
        if name in PROTOCOLS:
            return PROTOCOLS[name]
    raise SystemExit(f"no supported protocol in {meta.get('protocols', [meta['protocol']])}")


def swift_str(value):
    out = []
    for ch in str(value):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32 or ord(ch) > 126:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def member_data(name, ref, service=None):
    """A member reference as data: the fields ServiceModel's decoder reads, patched."""
    out = {"name": name, "shape": ref["shape"]}
    if service and (name in SECRET_MEMBERS or name in HIDDEN_MEMBERS.get(service, ())):
        out["sensitive"] = True
    for key in ("locationName", "location", "timestampFormat"):
        if key in ref:
            out[key] = ref[key]
    if "xmlNamespace" in ref:
        out["xmlNamespace"] = ref["xmlNamespace"]["uri"]
    for key in ("flattened", "xmlAttribute", "streaming"):
        if ref.get(key):
            out[key] = True
    return out


def reachable(model, operations):
    shapes = model["shapes"]
    seen = set()
    stack = []
    for op in operations:
        spec = model["operations"][op]
        for key in ("input", "output"):
            if key in spec:
                stack.append(spec[key]["shape"])
        for err in spec.get("errors", []):
            stack.append(err["shape"])
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        for ref in shape.get("members", {}).values():
            stack.append(ref["shape"])
        for key in ("member", "key", "value"):
            if key in shape:
                stack.append(shape[key]["shape"])
    return sorted(seen)


def shape_data(shape, service):
    """A shape as data, in the form ServiceModel's decoder reads (see ModelData.swift)."""
    out = {"type": shape["type"]}
    if shape["type"] == "structure":
        members = [member_data(n, r, service) for n, r in shape.get("members", {}).items()]
        if members:
            out["members"] = members
        if shape.get("required"):
            out["required"] = shape["required"]
        if "payload" in shape:
            out["payload"] = shape["payload"]
    if shape["type"] == "list":
        out["member"] = member_data("member", shape["member"])
    if shape["type"] == "map":
        out["key"] = member_data("key", shape["key"])
        out["value"] = member_data("value", shape["value"])
    for key in ("flattened", "sensitive"):
        if shape.get(key):
            out[key] = True
    for key in ("locationName", "timestampFormat", "min", "max"):
        if key in shape:
            out[key] = shape[key]
    if "xmlNamespace" in shape:
        out["xmlNamespace"] = shape["xmlNamespace"]["uri"]
    if "enum" in shape:
        out["enum"] = shape["enum"]
    if shape.get("exception"):
        err = shape.get("error", {})
        sender = not shape.get("fault")
        if "senderFault" in err:
            sender = bool(err["senderFault"])
        trait = {"httpStatus": err.get("httpStatusCode", 500 if shape.get("fault") else 400), "senderFault": sender}
        if err.get("code"):
            trait["code"] = err["code"]
        out["error"] = trait
    return out


def generate(service, ident, wanted, version, loader):
    """The model as one JSON string literal decoded at first use: data costs the optimizer
    nothing, where thousands of initializer calls in one function took minutes at -O."""
    model = loader.load_service_model(service, "service-2", api_version=version)
    meta = model["metadata"]
    ops = sorted(model["operations"]) if wanted == "*" else list(wanted)
    names = reachable(model, ops)
    operations = {}
    for op in ops:
        spec = model["operations"][op]
        entry = {"method": spec["http"]["method"], "requestURI": spec["http"]["requestUri"]}
        if "responseCode" in spec["http"]:
            entry["responseCode"] = spec["http"]["responseCode"]
        if "input" in spec:
            entry["input"] = spec["input"]["shape"]
        if "output" in spec:
            entry["output"] = spec["output"]["shape"]
            if "resultWrapper" in spec["output"]:
                entry["resultWrapper"] = spec["output"]["resultWrapper"]
        if spec.get("errors"):
            entry["errors"] = [e["shape"] for e in spec["errors"]]
        operations[op] = entry
    data = {
        "operations": operations,
        "shapes": {name: shape_data(model["shapes"][name], service) for name in names},
    }
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    if "\\#" in text or '"""' in text:
        raise SystemExit(f"{service}: the model text would end or escape the raw string literal")
    lines = [
        "// swift-format-ignore-file",
        f"// DO NOT EDIT. Generated by scripts/generate_models.py from botocore {botocore.__version__}.",
        f"// {meta.get('serviceFullName', service)} ({service} {meta['apiVersion']}):"
        f" {len(ops)} of {len(model['operations'])} operations, {len(names)} shapes.",
        "",
        "extension ServiceModel {",
        f"    /// {meta.get('serviceFullName', service)}, API version {meta['apiVersion']}.",
        f"    package static let {ident} = ServiceModel(",
        "        metadata: ServiceMetadata(",
        f"            endpointPrefix: {swift_str(meta['endpointPrefix'])},",
        f"            signingName: {swift_str(meta.get('signingName', meta['endpointPrefix']))},",
        f"            apiVersion: {swift_str(meta['apiVersion'])},",
        f"            protocol: {served_protocol(meta)},",
        f"            rpcV2CBOR: {'true' if RPC_V2_CBOR in meta.get('protocols', [meta['protocol']]) else 'false'},",
        f"            xmlNamespace: {swift_str(meta['xmlNamespace']) if 'xmlNamespace' in meta else 'nil'},",
        f"            targetPrefix: {swift_str(meta['targetPrefix']) if 'targetPrefix' in meta else 'nil'},",
        f"            globalEndpoint: {'true' if 'globalEndpoint' in meta else 'false'}",
        "        ),",
        f"        tables: {{ {ident[0].upper() + ident[1:]}Tables.decoded }}",
        "    )",
        "}",
        "",
        "/// Decoded on the service's first call (a `static let` is initialized once, thread-safely).",
        f"private enum {ident[0].upper() + ident[1:]}Tables {{",
        f"    static let decoded = ModelTables(generated: {ident}ModelData, name: {swift_str(service)})",
        "}",
        "",
        f"private let {ident}ModelData = #\"\"\"",
    ]
    # Lines of at most ~16 KB keep editors and diffs comfortable; line continuations join them.
    for start in range(0, len(text), 16_000):
        lines.append(text[start:start + 16_000] + "\\#")
    lines[-1] = lines[-1][:-2]
    lines += ['"""#', ""]
    return "\n".join(lines)


# The partitions served: the commercial one, China and GovCloud (US).
PARTITIONS = {"aws": "aws", "aws-cn": "awsCN", "aws-us-gov": "awsUSGov"}


def generate_regions(loader):
    """The regions and DNS suffix of each served partition, from botocore's endpoints.json."""
    partitions = {p["partition"]: p for p in loader.load_data("endpoints")["partitions"]}
    lines = [
        "// swift-format-ignore-file",
        f"// DO NOT EDIT. Generated by scripts/generate_models.py from botocore {botocore.__version__}.",
        "",
        "/// The regions of each served partition (botocore's endpoints.json): the only region names",
        "/// a credential scope, an ARN or a log-file key may carry.",
        "package enum Regions {",
    ]
    for name, ident in PARTITIONS.items():
        lines.append(f"    /// `{name}`: endpoints under `{partitions[name]['dnsSuffix']}`.")
        lines.append(f"    package static let {ident}: Set<String> = [")
        lines += [f"        {swift_str(r)}," for r in sorted(partitions[name]["regions"])]
        lines.append("    ]")
        lines.append(f"    package static let {ident}DNSSuffix = {swift_str(partitions[name]['dnsSuffix'])}")
    lines += ["}", ""]
    return "\n".join(lines)


def generate_routes(service, ident, version, loader):
    """Every operation's HTTP binding for a REST service, served or not: the router matches a
    request against all of them, so a request for an operation we do not serve is named, not
    mistaken for another."""
    model = loader.load_service_model(service, "service-2", api_version=version)
    lines = [
        "// swift-format-ignore-file",
        f"// DO NOT EDIT. Generated by scripts/generate_models.py from botocore {botocore.__version__}.",
        f"// {len(model['operations'])} operations.",
        "",
        "extension OperationRoute {",
        f"    /// The HTTP binding of every operation of {model['metadata'].get('serviceFullName', service)}.",
        f"    package static let {ident}: [OperationRoute] = [",
    ]
    for name in sorted(model["operations"]):
        spec = model["operations"][name]
        query, headers = [], []
        if "input" in spec:
            shape = model["shapes"][spec["input"]["shape"]]
            for member in shape.get("required", []):
                ref = shape["members"][member]
                if ref.get("location") == "querystring":
                    query.append(ref.get("locationName", member))
                elif ref.get("location") == "header":
                    headers.append(ref.get("locationName", member).lower())
        args = [swift_str(name), f"method: {swift_str(spec['http']['method'])}",
                f"requestURI: {swift_str(spec['http']['requestUri'])}"]
        if query:
            args.append("requiredQuery: [" + ", ".join(swift_str(q) for q in query) + "]")
        if headers:
            args.append("requiredHeaders: [" + ", ".join(swift_str(h) for h in headers) + "]")
        lines.append("        OperationRoute(" + ", ".join(args) + "),")
    lines += ["    ]", "}", ""]
    return "\n".join(lines)


SWIFT_KEYWORDS = {
    "as", "break", "case", "catch", "class", "continue", "default", "defer", "do", "else", "enum", "extension",
    "fallthrough", "false", "for", "func", "guard", "if", "import", "in", "init", "internal", "is", "let", "nil",
    "operator", "private", "protocol", "public", "repeat", "return", "self", "static", "struct", "subscript",
    "super", "switch", "throw", "throws", "true", "try", "typealias", "var", "where", "while", "package",
}


def identifier(name):
    """lowerCamelCase of a model name: `CacheClusterId` → `cacheClusterId`, `ACL` → `acl`,
    `SSECustomerKey` → `sseCustomerKey`."""
    run = len(name) - len(name.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if run == 0:
        head = name
    elif run == len(name) or run == 1:
        head = name[:run].lower() + name[run:]
    else:
        head = name[:run - 1].lower() + name[run - 1:]
    return f"`{head}`" if head in SWIFT_KEYWORDS else head


def generate_names(loader):
    """Typed names for what operations read and throw: every member of every structure the
    hosted operations reach (`MemberName`), and every modelled error shape (`ErrorShape`), so
    no member or error name is typed as a string by hand."""
    members, errors = set(), set()
    for service, (_, wanted, version) in SERVICES.items():
        model = loader.load_service_model(service, "service-2", api_version=version)
        ops = sorted(model["operations"]) if wanted == "*" else list(wanted)
        for name in reachable(model, ops):
            shape = model["shapes"][name]
            if shape.get("exception"):
                errors.add(name)
            if shape["type"] == "structure":
                members.update(shape.get("members", {}))
    lines = [
        "// swift-format-ignore-file",
        f"// DO NOT EDIT. Generated by scripts/generate_models.py from botocore {botocore.__version__}.",
        "",
    ]
    for type_name, names in (("MemberName", members), ("ErrorShape", errors)):
        seen = {}
        lines.append(f"extension {type_name} {{")
        # Names already in lowerCamelCase keep it; other spellings of the same word yield.
        for name in sorted(names, key=lambda n: (identifier(n) != n, n)):
            ident = identifier(name)
            if ident in seen:
                # Two spellings of one word (`Arn`, `ARN`): the second keeps the model's own.
                ident = name
            if ident in seen:
                raise SystemExit(f"{type_name}: {name} and {seen[ident]} share the identifier {ident}")
            seen[ident] = name
            lines.append(f"    package static let {ident} = {type_name}({swift_str(name)})")
        lines += ["}", ""]
    return "\n".join(lines)


def write(path, text):
    old = open(path).read() if os.path.exists(path) else None
    if old != text:
        with open(path, "w") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(path, ROOT)}")
    else:
        print(f"unchanged {os.path.relpath(path, ROOT)}")


def main():
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    os.makedirs(OUT, exist_ok=True)
    for service, (ident, wanted, version) in SERVICES.items():
        write(os.path.join(OUT, f"{FILE_NAMES[service]}+Model.swift"),
              generate(service, ident, wanted, version, loader))
    write(os.path.join(OUT, "S3+Routes.swift"), generate_routes("s3", "s3", SERVICES["s3"][2], loader))
    write(os.path.join(OUT, "Regions.swift"), generate_regions(loader))
    write(os.path.join(OUT, "Names.swift"), generate_names(loader))
    return 0


if __name__ == "__main__":
    sys.exit(main())
