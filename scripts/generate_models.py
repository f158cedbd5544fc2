#!/usr/bin/env python3
"""Generate Swift service models from botocore's JSON service models.

Usage (from the repository root, with botocore installed):

    python3 scripts/generate_models.py

Writes one file per service under Sources/AWSModels/Generated/, each with a DO NOT EDIT
header. Only the operations listed in SERVICES (or all, for "*") and the shapes they reach
are emitted. Files are rewritten only when their content changes.
"""

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
        ],
        "2010-05-08",
    ),
}

FILE_NAMES = {
    "elasticache": "ElastiCache", "s3": "S3", "cloudtrail": "CloudTrail", "sns": "SNS", "sts": "STS", "iam": "IAM",
    "resourcegroupstaggingapi": "ResourceGroupsTagging",
}

KINDS = {
    "structure": ".structure", "list": ".list", "map": ".map", "string": ".string",
    "integer": ".integer", "long": ".long", "boolean": ".boolean", "double": ".double",
    "float": ".float", "timestamp": ".timestamp", "blob": ".blob",
}
PROTOCOLS = {"query": ".query", "json": ".json", "rest-xml": ".restXML", "rest-json": ".restJSON"}


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


def number(value):
    return repr(float(value)) if isinstance(value, float) else str(int(value))


def member_ref(name, ref):
    args = [swift_str(name), swift_str(ref["shape"])]
    for key, label in (
        ("locationName", "locationName"),
        ("location", "location"),
        ("timestampFormat", "timestampFormat"),
    ):
        if key in ref:
            args.append(f"{label}: {swift_str(ref[key])}")
    if "xmlNamespace" in ref:
        args.append(f"xmlNamespace: {swift_str(ref['xmlNamespace']['uri'])}")
    if ref.get("flattened"):
        args.append("flattened: true")
    if ref.get("xmlAttribute"):
        args.append("xmlAttribute: true")
    if ref.get("streaming"):
        args.append("streaming: true")
    return "Member(" + ", ".join(args) + ")"


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


def shape_expr(shape):
    kind = KINDS[shape["type"]]
    args = [kind]
    if shape["type"] == "structure":
        members = [member_ref(n, r) for n, r in shape.get("members", {}).items()]
        if members:
            args.append("members: [\n            " + ",\n            ".join(members) + ",\n        ]")
        if shape.get("required"):
            args.append("required: [" + ", ".join(swift_str(r) for r in shape["required"]) + "]")
        if "payload" in shape:
            args.append(f"payload: {swift_str(shape['payload'])}")
    if shape["type"] == "list":
        args.append("element: " + member_ref("member", shape["member"]))
    if shape["type"] == "map":
        args.append("key: " + member_ref("key", shape["key"]))
        args.append("value: " + member_ref("value", shape["value"]))
    if shape.get("flattened"):
        args.append("flattened: true")
    if "locationName" in shape:
        args.append(f"locationName: {swift_str(shape['locationName'])}")
    if "xmlNamespace" in shape:
        args.append(f"xmlNamespace: {swift_str(shape['xmlNamespace']['uri'])}")
    if "min" in shape:
        args.append(f"min: {number(shape['min'])}")
    if "max" in shape:
        args.append(f"max: {number(shape['max'])}")
    if "enum" in shape:
        args.append("enumValues: [" + ", ".join(swift_str(v) for v in shape["enum"]) + "]")
    if "timestampFormat" in shape:
        args.append(f"timestampFormat: {swift_str(shape['timestampFormat'])}")
    if shape.get("sensitive"):
        args.append("sensitive: true")
    if shape.get("exception"):
        err = shape.get("error", {})
        code = err.get("code")
        status = err.get("httpStatusCode", 500 if shape.get("fault") else 400)
        sender = "false" if shape.get("fault") else "true"
        if "senderFault" in err:
            sender = "true" if err["senderFault"] else "false"
        code_arg = swift_str(code) if code else "nil"
        args.append(f"error: ErrorTrait(code: {code_arg}, httpStatus: {status}, senderFault: {sender})")
    return "Shape(" + ", ".join(args) + ")"


def generate(service, ident, wanted, version, loader):
    model = loader.load_service_model(service, "service-2", api_version=version)
    meta = model["metadata"]
    ops = sorted(model["operations"]) if wanted == "*" else list(wanted)
    names = reachable(model, ops)
    lines = [
        "// swift-format-ignore-file",
        f"// DO NOT EDIT. Generated by scripts/generate_models.py from botocore {botocore.__version__}.",
        f"// {meta.get('serviceFullName', service)} ({service} {meta['apiVersion']}):"
        f" {len(ops)} of {len(model['operations'])} operations, {len(names)} shapes.",
        "",
        "extension ServiceModel {",
        f"    /// {meta.get('serviceFullName', service)}, API version {meta['apiVersion']}.",
        f"    public static let {ident} = ServiceModel(",
        "        metadata: ServiceMetadata(",
        f"            endpointPrefix: {swift_str(meta['endpointPrefix'])},",
        f"            signingName: {swift_str(meta.get('signingName', meta['endpointPrefix']))},",
        f"            apiVersion: {swift_str(meta['apiVersion'])},",
        f"            protocol: {PROTOCOLS[meta['protocol']]},",
        f"            xmlNamespace: {swift_str(meta['xmlNamespace']) if 'xmlNamespace' in meta else 'nil'},",
        f"            targetPrefix: {swift_str(meta['targetPrefix']) if 'targetPrefix' in meta else 'nil'},",
        f"            globalEndpoint: {'true' if 'globalEndpoint' in meta else 'false'}",
        "        ),",
        f"        operations: {ident}Operations(),",
        f"        shapes: {ident}Shapes()",
        "    )",
        "}",
        "",
        f"private func {ident}Operations() -> [String: OperationModel] {{",
        "    var o: [String: OperationModel] = [:]",
    ]
    for op in ops:
        spec = model["operations"][op]
        args = [swift_str(op), f"method: {swift_str(spec['http']['method'])}",
                f"requestURI: {swift_str(spec['http']['requestUri'])}"]
        if "responseCode" in spec["http"]:
            args.append(f"responseCode: {spec['http']['responseCode']}")
        if "input" in spec:
            args.append(f"input: {swift_str(spec['input']['shape'])}")
        if "output" in spec:
            args.append(f"output: {swift_str(spec['output']['shape'])}")
            if "resultWrapper" in spec["output"]:
                args.append(f"resultWrapper: {swift_str(spec['output']['resultWrapper'])}")
        errs = [swift_str(e["shape"]) for e in spec.get("errors", [])]
        if errs:
            args.append("errors: [" + ", ".join(errs) + "]")
        lines.append(f"    o[{swift_str(op)}] = OperationModel(" + ", ".join(args) + ")")
    lines += ["    return o", "}", "", f"private func {ident}Shapes() -> [String: Shape] {{",
              "    var s: [String: Shape] = [:]"]
    for name in names:
        lines.append(f"    s[{swift_str(name)}] = {shape_expr(model['shapes'][name])}")
    lines += ["    return s", "}", ""]
    return "\n".join(lines)


def generate_regions(loader):
    """The regions of the aws partition, from botocore's endpoints.json."""
    partition = next(p for p in loader.load_data("endpoints")["partitions"] if p["partition"] == "aws")
    regions = sorted(partition["regions"])
    lines = [
        "// swift-format-ignore-file",
        f"// DO NOT EDIT. Generated by scripts/generate_models.py from botocore {botocore.__version__}.",
        "",
        "/// The regions of the `aws` partition (botocore's endpoints.json): the only region names",
        "/// a credential scope, an ARN or a log-file key may carry.",
        "public enum Regions {",
        "    public static let aws: Set<String> = [",
    ]
    lines += [f"        {swift_str(r)}," for r in regions]
    lines += ["    ]", "}", ""]
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
        f"    public static let {ident}: [OperationRoute] = [",
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
