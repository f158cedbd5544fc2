#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine that has only Swift and Python:
# installs what the tests need (apt packages, a virtualenv with the AWS CLI, boto3, pytest and
# moto), builds, runs the Swift unit tests, then the end-to-end suite against the built server.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the SQLite and zlib headers GRDB and log-file compression link against, the
# cache engines real cache nodes run (redis-server, memcached; redis-tools for redis-cli), and
# the headless browser the console's tests drive (chromium with its chromedriver).
need=()
for package in libsqlite3-dev zlib1g-dev redis-server redis-tools memcached chromium chromium-driver; do
    dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
fi

# Python tools in a virtualenv of the project's own.
if [ ! -x .venv/bin/pip ]; then
    rm -rf .venv
    if ! python3 -m venv .venv; then
        # Debian's own python3 needs its venv module from apt.
        rm -rf .venv
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -q
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-venv
        python3 -m venv .venv
    fi
    .venv/bin/pip install -q --upgrade pip
fi
.venv/bin/pip install -q -r e2e/requirements.txt  # quick when already satisfied
export PATH="$PWD/.venv/bin:$PATH"

start=$(date +%s)
# Formatting is checked, not assumed (configuration in .swift-format).
swift format lint --recursive --strict Sources Tests

# Warnings in our own targets are errors here (see Package.swift).
export CACHETRAIL_STRICT=1
swift build --build-tests
echo "build: $(( $(date +%s) - start ))s"

swift test --skip-build

CACHETRAIL_BIN="$PWD/.build/debug/cachetrail" python -m pytest -q e2e "$@"
echo "total: $(( $(date +%s) - start ))s"
