"""Replays AWS's own published examples (botocore's examples-1.json, the AWS CLI's example pages)
against the server and compares what it answers with what AWS printed: the same members, of the
same types and value formats, with states right after the call as AWS reports them. Literal ids,
names and dates differ by design; where AWS's example itself is outdated the test says why."""

import datetime
import json
import re
import shlex
from pathlib import Path

import botocore
import botocore.exceptions
import botocore.session

SESSION = botocore.session.get_session()
DATA = Path(botocore.__file__).parent / "data"
ACCOUNT = "000000000000"

# Members whose value right after the call AWS's examples show literally (states and modes).
LITERAL = {
    "CacheClusterStatus", "Status", "SnapshotStatus", "ParameterApplyStatus", "AutomaticFailover",
    "SnapshotSource", "Engine", "CacheNodeStatus", "IsLogging", "MultiAZ", "ClusterEnabled",
}

_FORMATS = [
    ("arn", re.compile(r"^arn:aws[a-z-]*:")),
    ("weekly window", re.compile(r"^[a-z]{3}:\d\d:\d\d-[a-z]{3}:\d\d:\d\d$")),
    ("daily window", re.compile(r"^\d\d:\d\d-\d\d:\d\d$")),
    ("url", re.compile(r"^https?://")),
    ("timestamp", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$")),
]


def value_format(text):
    """The format class of a string value: an ARN, a maintenance or snapshot window, a URL."""
    for name, pattern in _FORMATS:
        if pattern.match(text):
            return name
    return "text"


def differences(expected, actual, shape, path=""):
    """Where `actual` (the server's parsed answer) differs from `expected` (AWS's example) in
    members, types and value formats, walking the model's output shape."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(actual, dict):
            return [f"{path or '.'}: not a structure"]
        found = []
        for key, value in expected.items():
            if key not in shape.members:
                continue  # printed by an older API version; the model no longer has it
            if key == "Marker" and key not in actual:
                continue  # a page token: there only when the example's account had more records
            if key not in actual:
                found.append(f"{path}.{key}: missing")
                continue
            found += differences(value, actual[key], shape.members[key], f"{path}.{key}")
        return found
    if kind == "list":
        if not isinstance(actual, list):
            return [f"{path}: not a list"]
        if expected and not actual:
            return [f"{path}: empty, AWS shows {len(expected)}"]
        return differences(expected[0], actual[0], shape.member, f"{path}[0]") if expected else []
    if kind == "map":
        if not isinstance(actual, dict):
            return [f"{path}: not a map"]
        return []
    if kind == "timestamp":
        # Parsed (boto3), ISO 8601 text (the CLI, Query services) or epoch seconds (the CLI, JSON ones).
        ok = isinstance(actual, (datetime.datetime, int, float)) and not isinstance(actual, bool) or (
            isinstance(actual, str) and value_format(actual) == "timestamp")
        return [] if ok else [f"{path}: not a timestamp ({actual!r})"]
    if kind == "boolean":
        return [] if isinstance(actual, bool) else [f"{path}: not a boolean ({actual!r})"]
    if kind in ("integer", "long"):
        ok = isinstance(actual, int) and not isinstance(actual, bool)
        return [] if ok else [f"{path}: not an integer ({actual!r})"]
    if kind in ("double", "float"):
        return [] if isinstance(actual, (int, float)) else [f"{path}: not a number ({actual!r})"]
    if kind == "string":
        if not isinstance(actual, str):
            return [f"{path}: not a string ({actual!r})"]
        found = []
        if shape.enum and actual not in shape.enum:
            found.append(f"{path}: {actual!r} is not one of the model's values")
        if isinstance(expected, str) and expected and value_format(expected) != value_format(actual):
            found.append(f"{path}: {actual!r} is not formatted as AWS's {expected!r}")
        if path.rsplit(".", 1)[-1] in LITERAL and expected != actual:
            found.append(f"{path}: {actual!r}, AWS answers {expected!r}")
        return found
    return []


def untypo(value):
    """AWS's printed strings with the blanks its example pages put after colons removed
    (`"fri: 05: 30-fri: 06: 30"`, `"https: //console…"`): typos, not formats."""
    if isinstance(value, dict):
        return {k: untypo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [untypo(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"(?<=[a-z0-9]): (?=[0-9/]|$)", ":", value).strip()
    return value


def botocore_examples(service, version):
    """(operation, index, input, output) of botocore's examples for a service."""
    path = DATA / service / version / "examples-1.json"
    examples = json.loads(path.read_text())["examples"]
    return [(op, i, e.get("input") or {}, e.get("output") or {})
            for op, items in examples.items() for i, e in enumerate(items)]


def cli_examples(service):
    """(page, index, argv, output) of the AWS CLI's example pages for a service: each command
    block and the JSON output printed after it (commands without JSON output are left out)."""
    import awscli

    found = []
    for page in sorted((Path(awscli.__file__).parent / "examples" / service).glob("*.rst")):
        blocks = _literal_blocks(page.read_text())
        index = 0
        for block, following in zip(blocks, blocks[1:] + [None]):
            if not block.lstrip().startswith("aws ") or following is None:
                continue
            try:
                output = json.loads(following)
            except json.JSONDecodeError:
                continue
            argv = shlex.split(block.replace("\\\n", " "))[2:]
            found.append((page.stem, index, argv, output))
            index += 1
    return found


def _literal_blocks(text):
    """The indented literal blocks of an rst page (after a `::` line), dedented."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].rstrip().endswith("::"):
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            block = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
                block.append(lines[i])
                i += 1
            indent = min((len(l) - len(l.lstrip()) for l in block if l.strip()), default=0)
            blocks.append("\n".join(l[indent:] for l in block).strip())
        else:
            i += 1
    return blocks


def exists(describe, **name):
    """Whether `describe` finds the resource `name` names (a prerequisite already created)."""
    try:
        describe(**name)
        return True
    except botocore.exceptions.ClientError:
        return False
