#!/usr/bin/env bash
# Creates (once) the Python venv that the use-case tests run the real libraries in, and prints its path.
# The venv lives outside the clone, in a cache dir that later CI runs on this machine reuse (like Go's caches), keyed
# by the Python version and the hash of test/usecases/requirements.txt: a changed pin makes a new venv, an unchanged
# one costs nothing. A venv is used only after its install finished (a .complete marker), so an interrupted install
# is redone, never half-used. Cold cost measured on the 2-core machine: see docs/testing.md (slice C's note).
set -euo pipefail
cd "$(dirname "$0")/.."

requirements="test/usecases/requirements.txt"
python="${PYTHON:-python3}"
cache="${BUD_PYTHON_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bud-foundry/python}"
version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
key="$( { echo "$version"; cat "$requirements"; } | sha256sum | cut -c1-16)"
venv="$cache/venv-$key"

if [ -f "$venv/.complete" ]; then
  echo "$venv"
  exit 0
fi

mkdir -p "$cache"
rm -rf "$venv"
started=$(date +%s)
"$python" -m venv "$venv" >&2
# pip's own download cache sits beside the venvs, so a new venv after a pin change downloads only what changed.
PIP_CACHE_DIR="$cache/pip" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-input -r "$requirements" >&2
touch "$venv/.complete"
echo "python-venv: created $venv in $(( $(date +%s) - started )) s (python $version)" >&2
echo "$venv"
