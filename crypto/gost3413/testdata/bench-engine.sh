#!/usr/bin/env bash
# bench-engine.sh: our block cipher modes beside OpenSSL's GOST engine in
# the same run (part of "make bench"; figures in docs/benchmarks.md).
#
# For each pair it runs the Go benchmark (16 KiB buffers, ITER iterations)
# and "openssl speed -evp CIPHER -bytes 16384 -seconds 1" one after the
# other, ROUNDS times (default 3), and prints both throughputs and their
# ratio: on a shared machine only ratios within a round compare.
#
# openssl speed divides by the user CPU time it was given (times(2); its
# -elapsed flag would use the wall clock), so ours is measured the same
# way: bytes processed over the benchmark process's user CPU time. Go's
# own wall-clock figure is printed beside it; on a busy machine it falls
# when the process waits for a core, which the engine's figure hides.
#
# Run from the repository root: GO=go bash crypto/gost3413/testdata/bench-engine.sh
set -euo pipefail

GO=${GO:-go}
ROUNDS=${ROUNDS:-3}
ITER=${ITER:-8000}
export OPENSSL_CONF=${OPENSSL_CONF:-testdata/openssl/gost.cnf}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Compile the benchmarks once, so that compiling does not share the run.
"$GO" test -c -o "$tmp/gost3413.test" ./crypto/gost3413
"$GO" test -c -o "$tmp/gost28147.test" ./crypto/gost28147

# openssl cipher | test binary | benchmark
pairs=(
	"kuznyechik-ctr|gost3413|^BenchmarkCTR$/^kuznyechik$"
	"magma-ctr|gost3413|^BenchmarkCTR$/^magma$"
	"gost89|gost28147|^BenchmarkCFB$"
)

printf '%-16s %5s %14s %14s %14s %7s\n' cipher round "ours MB/s" "(wall MB/s)" "engine MB/s" ratio
for round in $(seq 1 "$ROUNDS"); do
	for pair in "${pairs[@]}"; do
		IFS='|' read -r cipher bin bench <<<"$pair"
		TIMEFORMAT=%U
		{ time "$tmp/$bin.test" -test.run '^$' -test.bench "$bench" -test.benchtime "${ITER}x" >"$tmp/out"; } 2>"$tmp/user"
		wall=$(awk '/MB\/s/ { for (i = 1; i < NF; i++) if ($(i+1) == "MB/s") print $i }' "$tmp/out")
		# b.Loop runs the body ITER times after one calibration run.
		ours=$(awk -v n="$ITER" -v u="$(cat "$tmp/user")" 'BEGIN { printf "%.2f", (n + 1) * 16384 / u / 1e6 }')
		# openssl speed prints thousands of bytes per second, as "119406.59k".
		engine=$(openssl speed -seconds 1 -bytes 16384 -evp "$cipher" 2>/dev/null |
			awk -v c="$cipher" '$1 == c { sub(/k$/, "", $2); printf "%.2f", $2 / 1000 }')
		ratio=$(awk -v a="$ours" -v b="$engine" 'BEGIN { printf "%.2f", a / b }')
		printf '%-16s %5d %14s %14s %14s %7s\n' "$cipher" "$round" "$ours" "($wall)" "$engine" "$ratio"
	done
done
