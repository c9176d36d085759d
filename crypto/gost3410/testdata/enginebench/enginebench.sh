#!/usr/bin/env bash
# enginebench.sh — GOST R 34.10-2012 signing and verification on every
# parameter set, and Streebog on 8 KiB and 1 MiB inputs: ours (the Go
# benchmarks of crypto/gost3410 and crypto/streebog) and, in the same run,
# OpenSSL's GOST engine through the EVP API (enginebench.c, built here from
# Debian's libssl-dev), then the ratio per operation and parameter set.
# Run by `make bench` (issue 16); figures go to docs/benchmarks.md.
#
#   ROUNDS=2 BENCHTIME=1s ENGINETIME=1 bash crypto/gost3410/testdata/enginebench/enginebench.sh
#
# Each round runs ours, then the engine, and prints its own table: compare
# ratios within a round, never figures across rounds (the machines are
# shared and noisy).
set -euo pipefail

GO=${GO:-go}
ROUNDS=${ROUNDS:-1}
BENCHTIME=${BENCHTIME:-1s}
ENGINETIME=${ENGINETIME:-1}

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../../../.."
export OPENSSL_CONF=$PWD/testdata/openssl/gost.cnf

# The harness needs OpenSSL's headers and the engine.
need=""
for p in libssl-dev libengine-gost-openssl gcc; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
	echo "enginebench: installing:$need"
	if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
	$SUDO apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $need >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gostca-enginebench.XXXXXX")
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -o "$work/enginebench" "$here/enginebench.c" -lcrypto

"$GO" test -c -o "$work/gost3410.test" ./crypto/gost3410
"$GO" test -c -o "$work/streebog.test" ./crypto/streebog
sets="cryptopro-a cryptopro-b cryptopro-c cryptopro-xcha cryptopro-xchb tc26-256-a tc26-256-b tc26-256-c tc26-256-d tc26-512-a tc26-512-b tc26-512-c"

for round in $(seq "$ROUNDS"); do
	# Each figure of ours runs right beside the engine's, so that a change
	# of the machine's load hits both sides of a ratio alike.
	: >"$work/ours.txt"
	: >"$work/engine.txt"
	for set in $sets; do
		(cd crypto/gost3410 && "$work/gost3410.test" -test.run '^$' -test.bench "^Benchmark(Sign|Verify)\$/^$set\$" -test.benchtime "$BENCHTIME") >>"$work/ours.txt"
		"$work/enginebench" "$ENGINETIME" "$set" >>"$work/engine.txt"
	done
	(cd crypto/streebog && "$work/streebog.test" -test.run '^$' -test.bench '^BenchmarkHash(256|512)$/^(8192|1048576)$' -test.benchtime "$BENCHTIME") >>"$work/ours.txt"
	"$work/enginebench" "$ENGINETIME" hash >>"$work/engine.txt"
	echo "== round $round of $ROUNDS ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
	awk '
		FNR == NR && /^Benchmark(Sign|Verify)\// {
			split($1, a, "/"); op = tolower(substr(a[1], 10)); set = a[2]; sub(/-[0-9]+$/, "", set)
			for (i = 2; i < NF; i++) if ($(i + 1) == "ns/op") ours[op " " set] = $i / 1000
			next
		}
		FNR == NR && /^BenchmarkHash/ {
			split($1, a, "/"); md = (a[1] == "BenchmarkHash256") ? "md_gost12_256" : "md_gost12_512"; n = a[2]; sub(/-[0-9]+$/, "", n)
			for (i = 2; i < NF; i++) if ($(i + 1) == "MB/s") hash[md " " n] = $i
			next
		}
		FNR == NR { next }
		$1 == "sign" || $1 == "verify" { eng[$1 " " $2] = $3; order[++k] = $1 " " $2 }
		$1 == "hash" { ehash[$2 " " $3] = $4; horder[++h] = $2 " " $3 }
		END {
			printf "| operation | parameter set | gostca µs | engine µs | engine / gostca |\n| --- | --- | --- | --- | --- |\n"
			for (i = 1; i <= k; i++) {
				key = order[i]; split(key, b, " ")
				if (!(key in ours)) { printf "| %s | %s | (not benchmarked) | %.1f | |\n", b[1], b[2], eng[key]; continue }
				printf "| %s | %s | %.1f | %.1f | %.2f |\n", b[1], b[2], ours[key], eng[key], eng[key] / ours[key]
			}
			printf "\n| hash | input bytes | gostca MB/s | engine MB/s | gostca / engine |\n| --- | --- | --- | --- | --- |\n"
			for (i = 1; i <= h; i++) {
				key = horder[i]; split(key, b, " ")
				printf "| %s | %s | %.1f | %.1f | %.2f |\n", b[1], b[2], hash[key], ehash[key], hash[key] / ehash[key]
			}
		}' "$work/ours.txt" "$work/engine.txt"
	echo
done
