#!/usr/bin/env bash
# Debian's Redis for the Dapr suite's pub/sub (test/dapr starts its own redis-server on a free port).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
echo "ci: installing redis-server from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq redis-server >&2
# The package starts a system-wide server on 6379; the suite needs none.
(systemctl stop redis-server || service redis-server stop || true) >/dev/null 2>&1
