#!/usr/bin/env bash
# bench-check.sh — load the public check page of `gostca serve` on loopback:
# GET /check/{serial}, cycling through $CERTS certificates (two revoked, two
# held), from 64 connections, $SECONDS_PER_RUN seconds, $ROUNDS rounds, each
# on a fresh server: first open-loop at $RATE requests a second (loadgen,
# latency counted from when each request was due: the issue's target),
# then closed-loop with wrk (as fast as it goes), and beside it, in the same
# run, wrk on the OCSP GET of the same certificates (the responder the page
# sits beside), for scale.
# Run it with `make bench-check`; figures go to docs/benchmarks.md (issue 14:
# 2,000 requests a second with p99 under 20 ms).
set -euo pipefail

GO=${GO:-go}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
ROUNDS=${ROUNDS:-3}
CERTS=${CERTS:-16}
CONNS=${CONNS:-64}
PORT=${PORT:-18090}
RATE=${RATE:-2000}

cd "$(dirname "$0")/../../.."
root=$PWD
for tool in wrk curl openssl; do
	command -v $tool >/dev/null || { echo "bench-check: $tool is missing (make bench-check installs it)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/gostca-bench-check.XXXXXX")
server=""
cleanup() { [ -n "$server" ] && kill -KILL "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$GO" build -o "$work/gostca" ./cmd/gostca
"$GO" build -o "$work/loadgen" ./ca/portal/testdata/loadgen
gostca() { "$work/gostca" "$@"; }
cd "$work"
export OPENSSL_CONF=$root/testdata/openssl/gost.cnf GOSTCA_PASSPHRASE=bench-check GOSTCA_DIR=$work/ca GOSTCA_KDF_ITERATIONS=1000
gostca init --subject "CN=gostca check bench CA,O=gostca,C=RU" >/dev/null 2>&1
gostca key new --out leaf.key --no-passphrase 2>/dev/null
: > serials
mkdir req
for i in $(seq 1 "$CERTS"); do
	gostca csr --key leaf.key --subject "CN=Сертификат $i,O=gostca,C=RU" --out leaf.csr 2>/dev/null
	serial=$(gostca issue --csr leaf.csr --profile signature --out "leaf$i.pem" 2>/dev/null)
	[ "$i" -le 2 ] && gostca revoke "$serial" --reason keyCompromise >/dev/null 2>&1
	[ "$i" -gt 2 ] && [ "$i" -le 4 ] && gostca hold "$serial" >/dev/null 2>&1
	echo "$serial" >> serials
	echo "/check/$serial" >> paths
	openssl ocsp -issuer ca/ca.pem -serial "0x$serial" -no_nonce -reqout "req/$i.der" >/dev/null 2>&1
	base64 -w0 "req/$i.der" | sed 's/+/%2B/g; s/=/%3D/g' > "req/$i.get"
done

cat > load.lua <<'LUA'
local kind = os.getenv("BENCH_KIND")
local paths = {}
local i = 0
function init(args)
	if kind == "check" then
		for s in io.lines(os.getenv("BENCH_SERIALS")) do
			paths[#paths + 1] = wrk.format("GET", "/check/" .. s, { ["Accept-Language"] = "ru" })
		end
	else
		local dir = os.getenv("BENCH_REQ_DIR")
		for n = 1, tonumber(os.getenv("BENCH_CERTS")) do
			local f = assert(io.open(dir .. "/" .. n .. ".get", "rb"))
			paths[#paths + 1] = wrk.format("GET", "/ocsp/" .. f:read("*a"))
			f:close()
		end
	end
end
function request()
	i = i % #paths + 1
	return paths[i]
end
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT %.0f %.0f %.0f %d %d\n", summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
LUA
export BENCH_SERIALS=$work/serials BENCH_REQ_DIR=$work/req BENCH_CERTS=$CERTS

start() {
	"$work/gostca" serve --listen "127.0.0.1:$PORT" --log-level warn 2> serve.log &
	server=$!
	for _ in $(seq 100); do
		curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && return
		sleep 0.1
	done
	echo "bench-check: gostca serve did not start:" >&2; cat serve.log >&2; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

echo "# make bench-check — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), wrk -t1 -c$CONNS, $SECONDS_PER_RUN s a run"
printf '%-5s | %-32s | %-30s | %-30s\n' round "/check at $RATE/s (open loop)" "/check, wrk (closed loop)" "/ocsp GET, wrk (same run)"
printf '%-5s | %9s %6s %6s %7s | %9s %6s %6s %5s | %9s %6s %6s %5s\n' "" req/s p50ms p99ms maxms req/s p50ms p99ms err req/s p50ms p99ms err
for r in $(seq 1 "$ROUNDS"); do
	start
	read -r g_rps g_p50 g_p99 g_max g_err < <("$work/loadgen" -rate "$RATE" -conns "$CONNS" -duration "${SECONDS_PER_RUN}s" -paths paths "http://127.0.0.1:$PORT" | awk '/^RESULT/ { print $2, $3, $4, $5, $6 }')
	read -r c_rps c_p50 c_p99 c_err c_st < <(BENCH_KIND=check wrk -t1 -c"$CONNS" -d"${SECONDS_PER_RUN}s" -s load.lua "http://127.0.0.1:$PORT" | awk '/^RESULT/ { print $2, $3, $4, $5, $6 }')
	read -r o_rps o_p50 o_p99 o_err o_st < <(BENCH_KIND=ocsp wrk -t1 -c"$CONNS" -d"${SECONDS_PER_RUN}s" -s load.lua "http://127.0.0.1:$PORT" | awk '/^RESULT/ { print $2, $3, $4, $5, $6 }')
	stop
	printf '%-5s | %9s %6s %6s %7s | %9s %6s %6s %5d | %9s %6s %6s %5d\n' "$r" "$g_rps" "$g_p50" "$g_p99" "$g_max" "$c_rps" "$(ms "$c_p50")" "$(ms "$c_p99")" $((c_err + c_st)) \
		"$o_rps" "$(ms "$o_p50")" "$(ms "$o_p99")" $((o_err + o_st))
done
