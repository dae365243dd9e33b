# newsroom: the two commands of the README are `make run` and `make test`.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

.PHONY: run build test test-short vet deps fuzz bench clean

run:
	$(GO) run ./cmd/newsroom serve

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/newsroom ./cmd/newsroom

deps:
	.ci/deps

vet:
	$(GO) vet ./...

# The whole suite, on SQLite and on a real PostgreSQL (a throwaway cluster
# unless NEWSROOM_TEST_POSTGRES_URL is set), with SeaweedFS as the S3
# server (built by .ci/deps; NEWSROOM_TEST_WEED names another binary).
test: deps vet
	NEWSROOM_REQUIRE_BROWSER=1 NEWSROOM_REQUIRE_S3=1 NEWSROOM_REQUIRE_NODE=1 .ci/with-postgres $(GO) test -count=1 -timeout 20m ./...

# SQLite only, no browser: quick feedback while editing.
test-short:
	$(GO) test -short ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseSignatureHeader -fuzztime 30s ./federation/transport/
	$(GO) test -run '^$$' -fuzz FuzzParseMessageSignatures -fuzztime 30s ./federation/transport/

bench:
	.ci/with-postgres $(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
