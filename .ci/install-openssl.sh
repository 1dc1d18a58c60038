#!/usr/bin/env bash
# The test bed issues Kueue's webhook serving certificate with the openssl command (scripts/testbed/pki.ts).
set -euo pipefail
if command -v openssl >/dev/null 2>&1; then exit 0; fi
echo "ci: installing openssl from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq openssl >&2
