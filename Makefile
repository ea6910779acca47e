# photosync's build. `make test` is what CI runs and what README.md gives a
# new user: it installs the test servers it needs (rclone, Apache, Chromium) when
# they are missing, checks that generated code is current, builds the core
# for WebAssembly and runs every test.

GO      ?= go
BIN     ?= bin/photosync
PKGS    ?= ./...
# The race detector needs cgo; use it where a C compiler exists.
RACE    ?= $(shell command -v gcc >/dev/null 2>&1 && [ "$$($(GO) env CGO_ENABLED)" = 1 ] && echo -race)
TESTFLAGS ?= -count=1 -timeout 20m

.PHONY: all build run test test-go bench soak lint vet generate check-generate wasm deps clean help

all: build

help:
	@echo "make run       run photosync serve on the embedded defaults (127.0.0.1:2343, ./data, ./photos)"
	@echo "make test      install test servers if missing, then run every check and test"
	@echo "make build     build $(BIN)"
	@echo "make bench     time photosync against rclone v1.76 and plain PUTs on Apache, rclone serve and the Nextcloud test server (bench/results/<date>.md)"
	@echo "make soak      the reliability and security tests at full scale, and the fuzzers (bench/results/soak-<date>.md)"
	@echo "make lint      go vet, gofmt and staticcheck"
	@echo "make generate  regenerate Wire's infra/wire_gen.go and infra/lambdafn/wire_gen.go"

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/photosync

run:
	$(GO) run ./cmd/photosync serve

test: deps check-generate vet wasm test-go

test-go:
	$(GO) test $(RACE) $(TESTFLAGS) $(PKGS)

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "not gofmt'ed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

# Benchmarks, not timed tests: photosync, rclone v1.76 (built once into the
# user cache on first use) and a minimal parallel-PUT client against Apache
# mod_dav, rclone serve webdav and the Nextcloud test server on 127.0.0.1,
# printed as a Markdown table and written to bench/results/<YYYY-MM-DD>.md.
# `make test` runs the same harness on tiny data. BENCHFLAGS passes more, e.g.
# BENCHFLAGS='-photos 2000 -videos 10 -folders 100 -everywhere' (the issue's
# full size) or BENCHFLAGS='-rclone /usr/bin/rclone'.
BENCHFLAGS ?=
bench:
	@bash .ci/deps bench
	$(GO) test -v -count=1 -timeout 40m -run '^TestBench$$' ./cmd/photosync-bench \
		-args -size default -out $(CURDIR)/bench/results $(BENCHFLAGS)

# The reliability and security tests at full scale (PHOTOSYNC_SOAK=1:
# 5,000 files through the fault proxy, 20 SIGKILLs, a 100 MB listing,
# 50 connections for 30 s on a 100,000-photo library), then each fuzz
# target for FUZZTIME. Every test appends its figures to SOAK_REPORT as a
# Markdown table row. `make test` runs the short versions.
SOAK_REPORT ?= $(CURDIR)/bench/results/soak-$(shell date +%F).md
FUZZTIME    ?= 60s
SOAK_TESTS  := NoRunEverDestroys|Faults|HostileServers|EndlessListing|RandomKills|SecretsNeverShown|WrongSecretKeyReported|RouteTableNeedsSession|CrossOriginChangesRefused|BadJSONRefused|PhotoListUnderLoad|Recover
soak: deps
	@mkdir -p $(dir $(SOAK_REPORT)); printf '| test | figure |\n|---|---|\n' > $(SOAK_REPORT)
	PHOTOSYNC_SOAK=1 PHOTOSYNC_SOAK_REPORT=$(SOAK_REPORT) $(GO) test -count=1 -timeout 120m -run '$(SOAK_TESTS)' \
		./app ./adapters/webdav/... ./adapters/httpapi ./cmd/photosync ./cmd/photosync-load
	@for t in domain:FuzzNormalizeURL domain:FuzzCleanRemotePath domain:FuzzDateFromName domain:FuzzPlanSyncPaths \
		domain:FuzzDownloadPath domain:FuzzPlanInvariants adapters/webdav:FuzzParsePropfind \
		adapters/media:FuzzCheck adapters/media:FuzzMediaStructure; do \
		pkg=$${t%%:*}; f=$${t#*:}; \
		$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; \
		echo "| fuzz $$f | $(FUZZTIME), no failure |" >> $(SOAK_REPORT); \
	done
	@cat $(SOAK_REPORT)

lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

generate:
	$(GO) generate ./infra/...

# Fails when a wire_gen.go (infra's, and the Lambda function's in
# infra/lambdafn) is not what Wire generates from its wire.go.
WIREGEN = infra/wire_gen.go infra/lambdafn/wire_gen.go
check-generate:
	@tmp=$$(mktemp -d); for f in $(WIREGEN); do mkdir -p $$tmp/$$(dirname $$f); cp $$f $$tmp/$$f; done; \
	$(GO) generate ./infra/... || { rm -rf $$tmp; exit 1; }; \
	for f in $(WIREGEN); do if ! cmp -s $$tmp/$$f $$f; then \
		echo "$$f is out of date: it has been regenerated, review and commit it"; \
		diff -u $$tmp/$$f $$f | head -40; rm -rf $$tmp; exit 1; \
	fi; done; rm -rf $$tmp

# The pure core must build for WebAssembly, and its tests pass there too
# (run by wazero, a Go tool of this module, through .ci/go_wasip1_wasm_exec,
# which go test finds on PATH by its name). The planner command builds for
# wasip1, and its test checks that under wazero it prints the native plans.
wasm:
	GOOS=wasip1 GOARCH=wasm $(GO) build ./domain/... ./ports/... ./app/...
	GOOS=js GOARCH=wasm $(GO) build ./domain/... ./ports/... ./app/...
	GOOS=wasip1 GOARCH=wasm $(GO) build -o /dev/null ./cmd/photosync-plan
	PATH="$(CURDIR)/.ci:$$PATH" GOOS=wasip1 GOARCH=wasm $(GO) test -count=1 ./domain/... ./app/...
	$(GO) test -count=1 ./cmd/photosync-plan

# The real servers the tests run against, from Debian's packages.
deps:
	@bash .ci/deps

clean:
	rm -rf bin
