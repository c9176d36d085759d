#!/usr/bin/env bash
# bench-ocsp.sh — load `gostca serve` and, in the same run, the reference
# `openssl ocsp -multi 2` (OpenSSL's responder with the GOST engine) serving
# the same CA, with wrk on loopback: POST and GET, 1, 8 and 64 connections,
# $SECONDS_PER_RUN seconds each; then `gostca serve` alone for $LONG_RUN
# seconds at 64 connections, its resident memory sampled every second.
# Run it with `make bench-ocsp`; figures go to docs/benchmarks.md.
#
# Facts about the reference that shape this script:
#   - it has no -engine flag: OPENSSL_CONF loads the gost engine;
#   - it listens on all interfaces, on the -port given;
#   - it answers HTTP/1.0 and closes every connection, so wrk reconnects
#     for each of its requests (gostca keeps connections alive);
#   - a connection closed before any request makes it spin for ever, and
#     wrk's start-up probe (wrk.resolve) does exactly that: the lua script
#     overrides wrk.resolve, nothing here ever probes the port, and a fresh
#     reference is started for every run.
set -euo pipefail

GO=${GO:-go}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
LONG_RUN=${LONG_RUN:-60}
CERTS=${CERTS:-16}
GOSTCA_PORT=${GOSTCA_PORT:-18080}
OPENSSL_PORT=${OPENSSL_PORT:-18081}

cd "$(dirname "$0")/../../.."
root=$PWD
for tool in wrk openssl; do
	command -v $tool >/dev/null || { echo "bench-ocsp: $tool is missing (make bench-ocsp installs it)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/gostca-bench-ocsp.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do pkill -KILL -P "$p" 2>/dev/null || true; kill -KILL "$p" 2>/dev/null || true; done
	[ -n "${KEEP_WORK:-}" ] && echo "bench-ocsp: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

"$GO" build -o "$work/gostca" ./cmd/gostca
gostca() { "$work/gostca" "$@"; }
cd "$work"
export OPENSSL_CONF=$root/testdata/openssl/gost.cnf
export GOSTCA_PASSPHRASE=bench-ocsp GOSTCA_DIR=$work/ca

# The CA, $CERTS certificates: the first two revoked, the next two held.
gostca init --subject "CN=gostca OCSP bench CA,O=gostca,C=RU" \
	--ocsp-url "http://127.0.0.1:$GOSTCA_PORT/ocsp" >/dev/null 2>&1
gostca key new --out leaf.key --no-passphrase 2>/dev/null
: > index.txt
mkdir req
for i in $(seq 1 "$CERTS"); do
	gostca csr --key leaf.key --subject "CN=bench leaf $i,O=gostca,C=RU" --out leaf.csr 2>/dev/null
	serial=$(gostca issue --csr leaf.csr --profile signature --out "leaf$i.pem" 2>/dev/null)
	end=$(date -u -d "$(openssl x509 -in "leaf$i.pem" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)
	subject=$(openssl x509 -in "leaf$i.pem" -noout -subject -nameopt compat | sed 's/^subject=//')
	revoked=""
	if [ "$i" -le 2 ]; then
		gostca revoke "$serial" --reason keyCompromise >/dev/null 2>&1
		revoked="$(date -u +%y%m%d%H%M%SZ),keyCompromise"
	elif [ "$i" -le 4 ]; then
		gostca hold "$serial" >/dev/null 2>&1
		revoked="$(date -u +%y%m%d%H%M%SZ),certificateHold"
	fi
	printf '%s\t%s\t%s\t%s\tunknown\t%s\n' "$([ -n "$revoked" ] && echo R || echo V)" \
		"$end" "$revoked" "$serial" "$subject" >> index.txt
	openssl ocsp -issuer ca/ca.pem -serial "0x$serial" -no_nonce -reqout "req/$i.der" >/dev/null 2>&1
	base64 -w0 "req/$i.der" | sed 's/+/%2B/g; s/=/%3D/g' > "req/$i.get"
done

# The reference gets the CA key decrypted (this directory is removed at
# the end): OpenSSL takes seconds over the 200,000 PBKDF2 rounds at start-up.
(umask 077; openssl pkey -in ca/ca.key -passin env:GOSTCA_PASSPHRASE -out reference.key)

# The load: wrk cycles through the requests, by POST or by GET (RFC 6960
# Appendix A: the base64 of the DER, URL-encoded, after the path).
cat > load.lua <<'LUA'
-- No start-up probe: the reference spins on a connection closed unused.
function wrk.resolve(host, service)
	wrk.addrs = wrk.lookup(host, service)
end

local method = os.getenv("BENCH_METHOD")
local dir = os.getenv("BENCH_REQ_DIR")
local n = tonumber(os.getenv("BENCH_CERTS"))
local function slurp(name)
	local f = assert(io.open(dir .. "/" .. name, "rb"))
	local s = f:read("*a")
	f:close()
	return s
end

-- Formatted in init, once wrk has set the Host header.
local reqs = {}
function init(args)
	for i = 1, n do
		if method == "GET" then
			reqs[i] = wrk.format("GET", wrk.path .. slurp(i .. ".get"))
		else
			reqs[i] = wrk.format("POST", wrk.path, { ["Content-Type"] = "application/ocsp-request" }, slurp(i .. ".der"))
		end
	end
end

local i = 0
function request()
	i = i % n + 1
	return reqs[i]
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT %.0f %.0f %.0f %d %d\n",
		summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
		e.connect + e.read + e.write + e.timeout, e.status))
end
LUA
export BENCH_REQ_DIR=$work/req BENCH_CERTS=$CERTS

# start_gostca [PROCS]: GOMAXPROCS=PROCS when given.
start_gostca() {
	GOMAXPROCS=${1:-$(nproc)} "$work/gostca" serve --listen "127.0.0.1:$GOSTCA_PORT" --log-level warn 2> serve.log &
	server=$!
	pids+=("$server")
	for _ in $(seq 100); do
		grep -q . serve.log 2>/dev/null && break # only warnings: none expected
		curl -fsS -o /dev/null "http://127.0.0.1:$GOSTCA_PORT/healthz" 2>/dev/null && return
		sleep 0.1
	done
	echo "bench-ocsp: gostca serve did not start:" >&2; cat serve.log >&2; exit 1
}

start_openssl() {
	openssl ocsp -index index.txt -CA ca/ca.pem -rsigner ca/ca.pem -rkey reference.key \
		-port "$OPENSSL_PORT" -multi 2 -nmin 60 > openssl.log 2>&1 &
	server=$!
	pids+=("$server")
	# Never probe its port (see above): wait for the two children that
	# serve.
	for _ in $(seq 300); do
		[ "$(pgrep -c -P "$server")" -ge 2 ] && { sleep 0.2; return; }
		sleep 0.1
	done
	echo "bench-ocsp: openssl ocsp did not start:" >&2; cat openssl.log >&2; exit 1
}

# stop_server stops gostca with SIGTERM (a graceful shutdown), the reference
# with SIGKILL: wrk closes its connections at the end of a run, and a child
# left spinning on one (see above) would never exit and would eat a core.
stop_server() {
	if [ "${1:-}" = reference ]; then
		pkill -KILL -P "$server" 2>/dev/null || true
		kill -KILL "$server" 2>/dev/null || true
	else
		kill "$server" 2>/dev/null || true
	fi
	wait "$server" 2>/dev/null || true
}

# load URL METHOD CONNECTIONS SECONDS: prints "req/s p50_us p99_us errors
# non2xx". One wrk thread drives every run: it makes over 50,000 requests a
# second here, and a second one would take a core from the server.
load() {
	BENCH_METHOD=$2 wrk -t1 -c"$3" -d"$4s" -s load.lua "$1" | awk '/^RESULT/ { print $2, $3, $4, $5, $6 }'
}

# row LABEL RPS P50 P99 ERRORS NON2XX: one server's columns.
cols() { printf '%9s %6s %6s %4d' "$1" "$(us_to_ms "$2")" "$(us_to_ms "$3")" $(($4 + $5)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }'; }

us_to_ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

echo "# make bench-ocsp — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk $(wrk -v 2>&1 | awk 'NR==1{print $2}') -t1, $(openssl version | cut -d' ' -f1-2)"
echo "# $CERTS certificates (2 revoked, 2 held), $SECONDS_PER_RUN s a run, each server started afresh"
echo "# gostca: gostca serve with GOMAXPROCS=$(nproc) (the default) and =1; openssl: openssl ocsp -multi 2"
printf '%-6s %5s | %-28s | %-28s | %-28s | %s\n' "" "" "gostca, GOMAXPROCS=$(nproc)" "gostca, GOMAXPROCS=1" "openssl ocsp -multi 2" "ratio to openssl"
printf '%-6s %5s | %9s %6s %6s %4s | %9s %6s %6s %4s | %9s %6s %6s %4s | %s\n' method conns \
	req/s p50ms p99ms err req/s p50ms p99ms err req/s p50ms p99ms err "procs=$(nproc) procs=1"
for method in POST GET; do
	for conns in 1 8 64; do
		start_gostca
		read -r a_rps a_p50 a_p99 a_err a_st < <(load "http://127.0.0.1:$GOSTCA_PORT/ocsp/" "$method" "$conns" "$SECONDS_PER_RUN")
		stop_server
		start_gostca 1
		read -r b_rps b_p50 b_p99 b_err b_st < <(load "http://127.0.0.1:$GOSTCA_PORT/ocsp/" "$method" "$conns" "$SECONDS_PER_RUN")
		stop_server
		start_openssl
		read -r o_rps o_p50 o_p99 o_err o_st < <(load "http://127.0.0.1:$OPENSSL_PORT/" "$method" "$conns" "$SECONDS_PER_RUN")
		stop_server reference
		printf '%-6s %5d | %s | %s | %s | %s %s\n' "$method" "$conns" \
			"$(cols "$a_rps" "$a_p50" "$a_p99" "$a_err" "$a_st")" \
			"$(cols "$b_rps" "$b_p50" "$b_p99" "$b_err" "$b_st")" \
			"$(cols "$o_rps" "$o_p50" "$o_p99" "$o_err" "$o_st")" \
			"$(ratio "$a_rps" "$o_rps")" "$(ratio "$b_rps" "$o_rps")"
	done
done

# The long run: 64 connections, POST, the server's RSS every second.
LONG_PROCS=${LONG_PROCS:-1}
start_gostca "$LONG_PROCS"
: > rss.txt
( while kill -0 "$server" 2>/dev/null; do
	awk '/^VmRSS/ { print $2 }' "/proc/$server/status" >> rss.txt 2>/dev/null || true
	sleep 1
done ) &
sampler=$!
read -r l_rps l_p50 l_p99 l_err l_status < <(load "http://127.0.0.1:$GOSTCA_PORT/ocsp/" POST 64 "$LONG_RUN")
stop_server
wait "$sampler" 2>/dev/null || true
echo
echo "# gostca serve (GOMAXPROCS=$LONG_PROCS), POST, 64 connections, ${LONG_RUN} s"
echo "requests/s $l_rps, p50 $(us_to_ms "$l_p50") ms, p99 $(us_to_ms "$l_p99") ms, socket errors $l_err, non-2xx $l_status"
awk 'NR == 1 { first = $1; ten = $1 } NR == 11 { ten = $1 } { if ($1 > max) max = $1; last = $1; n++ }
	END { printf "RSS (MiB): at start %.1f, after 10 s %.1f, at the end %.1f, max %.1f (%d samples, one a second)\n", first/1024, ten/1024, last/1024, max/1024, n }' rss.txt
if [ -s serve.log ]; then
	echo "# gostca serve logged:"; cat serve.log
fi
