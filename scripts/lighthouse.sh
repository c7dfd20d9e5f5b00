#!/usr/bin/env bash
# Lighthouse's mobile preset (its default: a mid-range phone, simulated 4×
# CPU slowdown and slow 4G) on the pages issue 17 names, against a locally
# started bin/hwfdash with a fresh embedded store. Each page is run
# LIGHTHOUSE_RUNS times; the JSON reports and a summary (the median run's
# performance score, total blocking time, layout shift, LCP, bytes) go to
# LIGHTHOUSE_OUT, next to the load benchmarks' results. `make lighthouse`.
set -euo pipefail

BIN=${HWFDASH:-bin/hwfdash}
OUT=${LIGHTHOUSE_OUT:-bench-lighthouse}
LH=${LIGHTHOUSE:-node_modules/.bin/lighthouse}
RUNS=${LIGHTHOUSE_RUNS:-3}
ADDR=${LIGHTHOUSE_ADDR:-127.0.0.1:18734}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
PAGES=(/ /countries/DEU /indicators/HWF_0001 /present)

for f in "$BIN" "$LH" "$CHROME_PATH"; do
	[ -x "$f" ] || { echo "lighthouse.sh: $f is not an executable (make build; npm ci; CHROME_PATH)" >&2; exit 2; }
done
mkdir -p "$OUT"
data=$(mktemp -d)
ADDR=$ADDR DATA_DIR=$data LOG_LEVEL=warn "$BIN" serve >"$OUT/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do
	curl -sf "http://$ADDR/readyz" >/dev/null && break
	kill -0 $pid 2>/dev/null || { echo "lighthouse.sh: the server exited (see $OUT/server.log)" >&2; exit 1; }
	sleep 0.1 # a child process's readiness can only be polled
done

started=$(date -u +%Y-%m-%dT%H:%MZ)
load=$(cut -d' ' -f1-3 /proc/loadavg)
for page in "${PAGES[@]}"; do
	name=$(echo "$page" | sed 's#^/$#overview#; s#^/##; s#/#-#g')
	for run in $(seq 1 "$RUNS"); do
		echo "lighthouse: $page, run $run of $RUNS" >&2
		"$LH" "http://$ADDR$page" --only-categories=performance --output=json \
			--output-path="$OUT/$name-$run.json" --quiet \
			--chrome-flags="--headless=new --no-sandbox --disable-gpu"
	done
done

node - "$OUT" "$RUNS" "$started" "$load" "$(cut -d' ' -f1-3 /proc/loadavg)" "${PAGES[@]}" >"$OUT/summary.md" <<'JS'
const fs = require('fs');
const [out, runs, started, load0, load1, ...pages] = process.argv.slice(2);
const rows = [];
let pass = true;
for (const page of pages) {
  const name = page === '/' ? 'overview' : page.slice(1).replace(/\//g, '-');
  const rs = [];
  for (let i = 1; i <= Number(runs); i++) {
    const j = JSON.parse(fs.readFileSync(`${out}/${name}-${i}.json`, 'utf8'));
    const a = j.audits;
    rs.push({
      score: Math.round(j.categories.performance.score * 100),
      tbt: a['total-blocking-time'].numericValue,
      cls: a['cumulative-layout-shift'].numericValue,
      lcp: a['largest-contentful-paint'].numericValue,
      fcp: a['first-contentful-paint'].numericValue,
      bytes: a['total-byte-weight'].numericValue,
    });
  }
  rs.sort((x, y) => x.score - y.score);
  const m = rs[Math.floor(rs.length / 2)]; // the median run by score
  const ok = m.score >= 95 && m.tbt <= 200 && m.cls <= 0.05;
  pass = pass && ok;
  rows.push(`| ${page} | ${m.score} (${rs.map((r) => r.score).join(', ')}) | ${Math.round(m.tbt)} ms | ${m.cls.toFixed(3)} | ${(m.fcp / 1000).toFixed(1)} s | ${(m.lcp / 1000).toFixed(1)} s | ${Math.round(m.bytes / 1024)} KB | ${ok ? 'PASS' : 'FAIL'} |`);
}
console.log(`Lighthouse ${JSON.parse(fs.readFileSync(`${out}/overview-1.json`, 'utf8')).lighthouseVersion}, mobile preset (simulated throttling), ${runs} runs a page, the median run by score shown; ${started}; load average ${load0} before, ${load1} after.`);
console.log('');
console.log('| page | performance (runs) | total blocking time | layout shift | FCP | LCP | transferred | ≥ 95, ≤ 200 ms, ≤ 0.05 |');
console.log('|---|---|---|---|---|---|---|---|');
rows.forEach((r) => console.log(r));
JS
cat "$OUT/summary.md"
