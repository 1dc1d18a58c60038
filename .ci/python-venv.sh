#!/usr/bin/env bash
# Creates (once) the Python venv that the use-case tests run the real libraries in, and prints its path.
# The venv lives outside the clone, in a cache dir that later CI runs on this machine reuse (like Go's caches), keyed
# by the Python version and the hash of test/usecases/requirements.txt: a changed pin makes a new venv, an unchanged
# one costs nothing. A venv is used only after its install finished (a .complete marker), so an interrupted install
# is redone, never half-used. Measured on the shared 2-core machine: 47 s cold (nothing cached, ~320 MB of venv),
# 0.2 s when the venv exists. A changed pin leaves the old venv behind: delete $cache/venv-* by hand to reclaim it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Another pinned set (say, a heavier library another suite needs) gets its own venv: pass its requirements file.
requirements="${1:-test/usecases/requirements.txt}"
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
# One creator at a time (CI and a developer's test run may start together); the second finds the first's venv.
exec 9>"$cache/.lock"
flock 9
if [ -f "$venv/.complete" ]; then
  echo "$venv"
  exit 0
fi
rm -rf "$venv"
started=$(date +%s)
"$python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
touch "$venv/.complete"
echo "python-venv: created $venv in $(( $(date +%s) - started )) s (python $version)" >&2
echo "$venv"
