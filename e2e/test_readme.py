"""The README's session, run as written: its lines are read from the README itself (so the two
cannot drift), from a temporary working directory, with the export line the server printed."""

import os
import re
import subprocess

from conftest import ROOT


def session_lines():
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- session:", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.strip().splitlines() if line.strip()]


def test_the_readme_session_ends_with_a_log_file_in_the_bucket(fresh_server, tmp_path):
    srv = fresh_server(extra_env={"CACHETRAIL_DELIVERY_INTERVAL": "10"})  # as the README says
    exported = re.search(r"^export (AWS_SHARED_CREDENTIALS_FILE=\S+ .*)$", srv.output(), re.MULTILINE)
    assert exported, srv.output()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(dict(pair.split("=", 1) for pair in exported.group(1).split()))
    env.update({"AWS_CONFIG_FILE": os.devnull, "AWS_ACCESS_KEY_ID": "must-be-unset"})
    assert os.path.isabs(env["AWS_SHARED_CREDENTIALS_FILE"])
    lines = session_lines()
    assert lines[-1].startswith("aws s3 ls s3://trail-logs")
    # Everything but the listing, in one shell (the first line unsets the stray key above).
    script = "set -e\n" + "\n".join(lines[:-1])
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert '"Account": "000000000000"' in result.stdout
    # The delivery interval passes on the test's clock, not the wall's.
    srv.advance(11)
    listing = subprocess.run(
        ["bash", "-c", "unset AWS_ACCESS_KEY_ID\n" + lines[-1]], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    assert re.search(r"AWSLogs/000000000000/CloudTrail/us-east-1/.+\.json\.gz", listing.stdout), listing.stdout
