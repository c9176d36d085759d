# gostca — build, test and benchmark.
#
#   make test    installs what the tests need (Debian, as root), then vet, staticcheck, race tests
#   make check   the inner loop: vet, staticcheck, go test -short (long and interop-heavy
#                tests cut down; about a minute)
#   make bench   benchmarks of the GOST primitives and of the CA, beside OpenSSL
#                (figures go to docs/benchmarks.md)
#   make bench-ledger the PostgreSQL ledger beside bbolt: issuance, its own writes and scans,
#                table sizes (also part of make bench)
#   make bench-ocsp  the OCSP responder under wrk, beside openssl ocsp
#   make bench-check the public check page at 2,000 requests a second, and under wrk
#   make build   compiles every package, and the gostca command into bin/gostca
#   make demo    installs OpenSSL's GOST engine if missing (as 'make deps'), then runs
#                cmd/gostca/demo.sh: a CA, a subscriber, issue, revoke, CRL, checked by OpenSSL

GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Debian packages of the independent verifiers the tests run against, the
# SMTP server (aiosmtpd) the e-mail tests send to, the PDF and QR code
# readers that check the printable copies (poppler-utils, zbar-tools) and
# the browser the portal's tests drive (chromium) and the PostgreSQL server
# the ledger's tests run store/pgstore against (postgresql).
DEB_PACKAGES := libengine-gost-openssl gnutls-bin python3-aiosmtpd poppler-utils zbar-tools chromium postgresql
BENCHTIME   ?= 1s

.PHONY: all build test check deps softhsm vet lint bench bench-ledger bench-ocsp bench-check fuzz clean demo

all: build

build:
	$(GO) build ./...
	$(GO) build -o bin/gostca ./cmd/gostca

# demo needs the openssl command too, which a minimal Debian may lack.
demo: DEB_PACKAGES += openssl
demo: deps
	GO=$(GO) bash cmd/gostca/demo.sh

# deps installs the external tools the interop tests use, once. It needs root
# (or sudo) on a Debian machine; elsewhere it says what is missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

lint: vet
	$(GO) run $(STATICCHECK) ./...

# softhsm builds SoftHSM2 2.6.1 with GOST, the token crypto/pkcs11's tests
# run against, once: cached in ~/.cache/gostca/softhsm-2.6.1-gost (as root it
# installs the build dependencies; about 2-3 minutes the first time).
softhsm:
	bash crypto/pkcs11/testdata/build-softhsm.sh

test: deps softhsm lint
	$(GO) test -race -count=1 ./...

# check is the inner loop: no installs, the short tests (interop tests still
# run when the tools are there, with fewer rounds).
check: lint
	$(GO) test -short -count=1 ./...

# bench runs the Go benchmarks, then the same-run references that
# docs/benchmarks.md compares against: the standard library's ECDSA (in the Go
# benchmarks), OpenSSL's GOST engine signing, verifying and hashing through
# EVP with the ratios per parameter set (enginebench.sh, issue 16) and its
# Streebog (openssl speed). The CA
# benchmarks (issue 4) run openssl ca beside ours inside the Go benchmarks;
# the CRL data (a million-entry ledger and index.txt) is made on the first
# run and cached under $$XDG_CACHE_HOME/gostca/bench (~/.cache/gostca/bench).
# BenchmarkCRL makes each CRL from PostgreSQL too (filled by pgstore.Import
# on every run: about 40 s for the million entries); bench-ledger adds the
# rest of issue 17's figures.
ISSUETIME   ?= 5s
CRLRUNS     ?= 3x
bench: deps bench-ledger
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./crypto/...
	$(GO) test -run '^$$' -bench '^BenchmarkIssue$$' -benchmem -benchtime $(ISSUETIME) ./ca
	$(GO) test -run '^$$' -bench '^BenchmarkCRL$$' -benchtime $(CRLRUNS) -timeout 30m ./ca
	GO=$(GO) bash crypto/cms/testdata/bench-sign.sh
	GO=$(GO) bash crypto/gost3413/testdata/bench-engine.sh
	GO=$(GO) BENCHTIME=$(BENCHTIME) bash crypto/gost3410/testdata/enginebench/enginebench.sh
	@conf=testdata/openssl/gost.cnf; \
	for md in md_gost12_256 md_gost12_512; do \
	  OPENSSL_CONF=$$conf openssl speed -seconds 1 -bytes 8192 -evp $$md 2>/dev/null | grep "^$$md"; \
	  OPENSSL_CONF=$$conf openssl speed -seconds 1 -bytes 1048576 -evp $$md 2>/dev/null | grep "^$$md"; \
	done

# bench-ledger measures the PostgreSQL ledger (issue 17) beside bbolt, on
# the test server (fsync off) and a durable one (fsync on): issuance
# through the CA from 1, 16 and 32 goroutines and from one and two CA
# processes, each round ISSUEROUND, LEDGERCOUNT rounds (about 5 minutes);
# the ledger's own Reserve+Complete and revocation scans; the tables and
# indexes of a million certificates (about a minute); the responder's
# memory per certificate.
ISSUEROUND  ?= 5s
LEDGERCOUNT ?= 3
bench-ledger: deps
	$(GO) test -run '^$$' -bench '^BenchmarkIssueLedger$$' -benchtime 1x -count $(LEDGERCOUNT) -timeout 60m ./ca -args -ca.issuefor=$(ISSUEROUND)
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 30m ./store/pgstore
	$(GO) test -run '^$$' -bench '^BenchmarkLedgerSizes$$' -benchtime 1x -timeout 30m ./ca
	$(GO) test -run '^$$' -bench '^BenchmarkCacheMemory$$' -benchtime 1x ./ca/responder

# bench-ocsp loads "gostca serve" and, in the same run, the reference
# "openssl ocsp -multi 2" serving the same CA with wrk on loopback: POST and
# GET, 1/8/64 connections, 10 s each, then gostca alone for 60 s with its
# memory sampled (ca/responder/testdata/bench-ocsp.sh; about 5 minutes).
bench-ocsp: DEB_PACKAGES += openssl wrk curl
bench-ocsp: deps
	GO=$(GO) bash ca/responder/testdata/bench-ocsp.sh

# bench-check loads the public check page of "gostca serve": 2,000 requests
# a second from 64 connections (open loop), then wrk, beside the OCSP GET of
# the same run (ca/portal/testdata/bench-check.sh; about a minute).
bench-check: DEB_PACKAGES += openssl wrk curl
bench-check: deps
	GO=$(GO) bash ca/portal/testdata/bench-check.sh

# fuzz runs every fuzz target for FUZZTIME each.
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	$(GO) clean -testcache
