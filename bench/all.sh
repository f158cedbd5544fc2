#!/usr/bin/env bash
# Every benchmark of BENCHMARKS.md, in one run on this machine: installs what they need (wrk
# from apt; moto, boto3 and the AWS CLI in the project's virtualenv, as ./scripts/test.sh
# does), builds the release binary, then runs the request rates against moto (3 runs), start-up,
# S3, delivery latency and memory, the capture-and-delivery pipeline against gzip -6,
# LookupEvents at one and ten million events, and the SNS notification latency. The tables go
# to the terminal and to bench-results.md. About 30 minutes on 2 cores; not part of the tests.
#
#   bench/all.sh [--quick]    # --quick: one run of the rates, LookupEvents at 1M only
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
lookups=(1000000 10000000)
if [ "${1:-}" = "--quick" ]; then
    runs=1
    lookups=(1000000)
fi

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v wrk >/dev/null; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk
fi
if [ ! -x .venv/bin/pip ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install -q -r e2e/requirements.txt
export PATH="$PWD/.venv/bin:$PATH"
export PYTHONUNBUFFERED=1  # tables appear as each part finishes

# The README's "Release builds" command: every module with a section per function, so the
# release link's order reaches the dependencies' code too.
swift build -c release --static-swift-stdlib --product cachetrail --scratch-path .build-release \
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections

out=bench-results.md
{
    echo "# Benchmark results, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
    echo
    echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GiB."
    echo
    echo "## Request rates, start-up, S3, delivery latency, memory"
    echo
    python bench/run.py --seconds 5 --runs "$runs"
    echo
    echo "## Capture and delivery pipeline"
    echo
    python bench/pipeline.py --events 1000000 --seconds 15
    for events in "${lookups[@]}"; do
        echo
        echo "## LookupEvents"
        echo
        python bench/lookup.py --events "$events" --seconds 3
    done
    echo
    echo "## Notification latency"
    echo
    python bench/notify.py --samples 40
    if command -v redis-server >/dev/null && command -v memcached >/dev/null; then
        echo
        echo "## Real cache nodes"
        echo
        python bench/nodes.py --samples 5
    fi
} 2>&1 | tee "$out"
