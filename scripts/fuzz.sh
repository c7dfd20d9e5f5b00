#!/usr/bin/env bash
# Runs every fuzz target for a fixed time (default 10s each). Crashers are
# written by Go to testdata/fuzz/<target>/ and become regression cases.
set -euo pipefail
t=${1:-10s}
cd "$(dirname "$0")/.."
for pkg in ./server/; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "fuzz: $pkg $target for $t"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg"
  done
done
