#!/bin/sh
# Install Debian's Chromium for the browser tests when it is missing.
# Run by `make test`. Root installs it with apt-get; anyone else is told how.
# Under CI=true a Chromium that cannot be installed fails the run.
set -eu
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium package for the browser tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
echo "Chromium is missing: install Debian's package (sudo apt-get install chromium)." >&2
if [ "${CI:-}" = "true" ]; then
    exit 1
fi
echo "The browser tests will be skipped." >&2
