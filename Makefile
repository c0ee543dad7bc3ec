# The two commands of the quick start are `make run` and `make test`.
GO        ?= go
BIN       ?= bin/cms
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
PG_URL    ?= $(CMS_TEST_POSTGRES_URL)

.PHONY: run build test test-sqlite test-postgres vet bench postgres clean

## run: start the server on the embedded defaults (SQLite and blobs under ./data)
run:
	@if [ -z "$$CMS_ADMIN_PASSWORD" ]; then echo "CMS_ADMIN_PASSWORD is not set: a random admin password will be printed on first start"; fi
	$(GO) run ./cmd/cms serve

## build: compile the cms binary into bin/
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/cms

## test: vet, then the whole suite on SQLite, then on PostgreSQL when one is reachable
test: vet test-sqlite
	@scripts/test-postgres.sh

# The console's browser test walks some thirty pages at two widths with
# axe-core; under -race on a busy 2-core machine its package takes close to
# go test's default 10 minutes.
test-sqlite:
	$(GO) test -race -count=1 -timeout 45m ./...
	$(GO) test -count=1 -run 'Allocation' ./...

## test-postgres: the same suite on PostgreSQL at CMS_TEST_POSTGRES_URL
test-postgres:
	CMS_TEST_DB=postgres CMS_TEST_POSTGRES_URL="$(PG_URL)" $(GO) test -race -count=1 -timeout 45m ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

## bench: workflow and event benchmarks (transitions/s and what the outbox costs them, webhook deliveries/s, suspension-to-delivery p99) on SQLite, and on PostgreSQL when CMS_TEST_POSTGRES_URL is set
bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./workflow
	$(GO) test -run '^$$' -bench WebhookDelivery -benchtime 6x ./api
	$(GO) test -run '^$$' -bench SuspensionToDelivery -benchtime 200x ./api
	@if [ -n "$(PG_URL)" ]; then CMS_TEST_DB=postgres CMS_TEST_POSTGRES_URL="$(PG_URL)" $(GO) test -run '^$$' -bench . -benchtime 2s ./workflow; \
	  CMS_TEST_DB=postgres CMS_TEST_POSTGRES_URL="$(PG_URL)" $(GO) test -run '^$$' -bench WebhookDelivery -benchtime 6x ./api; \
	  CMS_TEST_DB=postgres CMS_TEST_POSTGRES_URL="$(PG_URL)" $(GO) test -run '^$$' -bench SuspensionToDelivery -benchtime 200x ./api; fi

## bench-stats: the content API's throughput, cached and uncached, with the usage statistics on and off (and off against off, the machine's noise), and what counting one read costs
.PHONY: bench-stats
bench-stats:
	$(GO) test -run '^$$' -bench StatsOverhead -benchtime 1x ./api
	$(GO) test -run '^$$' -bench UsageRead -cpu 1,2 ./cms

## postgres: start a throwaway PostgreSQL on 127.0.0.1:55432 for the tests
postgres:
	@scripts/postgres.sh start

clean:
	rm -rf bin

## bench-content: the public content API against a bare net/http ceiling at 1,000 and 100,000 items (BIG=1: and 1,000,000): hits, misses, a mixed read/publish run, RSS, on SQLite and on PostgreSQL with PG_URL (SEED_CACHE=DIR keeps seeded databases)
.PHONY: bench-content
bench-content:
	scripts/bench-content.sh

## bench-login: attack a real cms serve (production argon2id) with 1,000 concurrent hostile logins and print peak RSS, content API p99 idle and under attack, and whether legitimate logins still work (ATTACK=30s)
.PHONY: bench-login
bench-login:
	$(GO) run ./scripts/bench/login -attack $(or $(ATTACK),30s)
