#!/usr/bin/env bash
# Runs every fuzz target for a fixed budget (default 20000 executions each).
# Crashers are written by Go to testdata/fuzz/<target>/ and become regression
# cases.
#
# The short run counts executions ("Nx") rather than time: with a duration,
# Go 1.26's fuzz coordinator can fail a target with a bare "context deadline
# exceeded" when the deadline races a busy worker (golang/go#75804, fixed in
# Go 1.27), which reddened CI on a loaded 2-core machine with nothing found.
# A count has no deadline to race; a slow machine only takes longer.
set -euo pipefail
t=${1:-20000x}
cd "$(dirname "$0")/.."
for pkg in ./server/ ./server/engine/; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "fuzz: $pkg $target for $t"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg"
  done
done
