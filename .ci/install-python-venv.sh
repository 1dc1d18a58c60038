#!/usr/bin/env bash
# The use-case suites make venvs (.ci/python-venv.sh); Debian's python3 has the venv module only with python3-venv.
set -euo pipefail
if python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then exit 0; fi
echo "ci: installing python3-venv from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq python3-venv >&2
