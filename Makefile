# hwfdash — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
ADDR    ?= :8080
FUZZTIME ?= 20000x

.PHONY: run test test-short cross assets build bench-build lint bench lighthouse screenshots soak soak-short fuzz fuzz-short services clean

# Front-end packages (ECharts, the map, axe-core) come from the npm registry,
# pinned by package-lock.json, and are built into public/dist for embedding.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

public/dist/manifest.json: node_modules/.package-lock.json scripts/build-assets.mjs $(wildcard public/static/* public/static/js/*)
	npm run build --silent

assets: public/dist/manifest.json

# Runs the dashboard on http://localhost:8080 with the embedded store and an
# in-process cache: no Redis and no database server needed.
run: assets
	ADDR=$(ADDR) $(GO) run .

build: assets
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/hwfdash .

# The load generator is bench tooling, a binary of its own: the server's
# binary carries none of it.
bench-build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/hwfdash-bench ./cmd/hwfdash-bench

# The whole test suite, against a real Redis, a real PostgreSQL and headless
# Chromium (started here when installed but not running). Everything but the
# browser tests runs under the race detector; the browser tests (whose time is
# Chromium's) run without it, so CI stays within its 30 minutes on 2 cores.
test: assets services
	$(GO) vet ./...
	$(MAKE) --no-print-directory cross
	$(GO) test -race -count=1 -timeout 20m -skip 'Browser' ./...
	$(GO) test -count=1 -timeout 20m -run 'Browser' ./server/
	$(MAKE) --no-print-directory fuzz-short soak-short

# The quick loop while changing code: vet and every test under -short, which
# skips the browser, fault-injection and soak tests. Under 3 minutes on 2
# cores; Redis and PostgreSQL are used when running (tests skip otherwise).
test-short: assets
	$(GO) vet ./...
	$(GO) test -short -count=1 -timeout 10m ./...

# The server builds for every platform an analyst may run it on, and every
# package compiles there (Linux-only bench code has portable stubs).
CROSS ?= linux/amd64 darwin/amd64 darwin/arm64 windows/amd64
cross:
	@set -e; for p in $(CROSS); do \
		os=$${p%/*}; arch=$${p#*/}; echo "cross: $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 $(GO) build -o /dev/null . ; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 $(GO) build ./... ; \
	done

services:
	@bash scripts/services.sh

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.7.0 ./...

# The Go micro-benchmarks, then the load benchmarks: bin/hwfdash-bench runs
# bin/hwfdash and its baselines as child processes on loopback, drives them
# from its own process and prints one table of every target with its goal
# and PASS/FAIL (BENCHMARKS.md keeps a run). About 5 minutes on 2 cores.
# BENCH_FLAGS passes flags, e.g. BENCH_FLAGS='-only reads,pages -duration 3s'.
# The Go benchmarks' output is kept in bench-go.txt: the table's hub fan-out
# row reads BenchmarkHubBroadcast from it (and says so if they failed).
# Lighthouse (below) runs last, so its report is kept with the benchmarks:
# bench-lighthouse/summary.md, and make fails if a page misses a target.
BENCHTIME   ?= 200ms
BENCH_FLAGS ?=
bench: build bench-build services
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./... | tee bench-go.txt
	ulimit -n $$(ulimit -Hn) && bin/hwfdash-bench -server bin/hwfdash -out bench-results.md -go-bench bench-go.txt $(BENCH_FLAGS)
	bash scripts/lighthouse.sh

# Lighthouse's mobile preset on /, /countries/DEU, /indicators/HWF_0001 and
# /present against bin/hwfdash started here (npm's lighthouse, a
# devDependency, drives /usr/bin/chromium or CHROME_PATH), in performance,
# accessibility, best practices and SEO; the reports and
# bench-lighthouse/summary.md (PASS/FAIL per target) are kept next to the
# load benchmarks'. Exits non-zero when a page misses a target.
lighthouse: build
	bash scripts/lighthouse.sh

# Retakes the README's screenshots (docs/*.jpg) in headless Chromium from
# bin/hwfdash on a fresh embedded store, once every chart has drawn.
screenshots: build
	@set -e; data=$$(mktemp -d); \
	ADDR=127.0.0.1:18735 DATA_DIR=$$data LOG_LEVEL=warn bin/hwfdash serve & pid=$$!; \
	trap 'kill $$pid; rm -rf $$data' EXIT; \
	until curl -sf http://127.0.0.1:18735/readyz >/dev/null; do kill -0 $$pid; sleep 0.1; done; \
	$(GO) run ./scripts/screenshots -url http://127.0.0.1:18735 -out docs

# Short fuzzing of every parser a stranger can reach; the seed corpora live in
# testdata/fuzz and any crash found is kept there as a regression case.
fuzz-short:
	@bash scripts/fuzz.sh $(FUZZTIME)

fuzz:
	@bash scripts/fuzz.sh 5m

soak-short: assets
	HWFDASH_SOAK=20s $(GO) test -count=1 -run '^TestSoak$$' -timeout 5m ./server/

soak: assets
	HWFDASH_SOAK=5m $(GO) test -count=1 -run '^TestSoak$$' -timeout 15m -v ./server/

clean:
	rm -rf bin bench-results.md bench-go.txt public/dist/*.js public/dist/*.json public/dist/*.css public/dist/*.txt public/dist/*.br public/dist/*.gz
