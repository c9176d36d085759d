#!/usr/bin/env bash
# ctcheck.sh — checks that signing executes the same instructions whatever
# the private key and the nonce: for every parameter set it runs one
# signature (signWithNonce, behind the ctcheck build tag in
# ctcheck_test.go) under valgrind's callgrind for three very different
# (d, k) pairs — d = 1, k = 2; d = q − 1, k = q − 2; d = 0x1555…55, k = 2 — and
# compares the per-instruction execution counts of the measured call. Any
# branch or loop bound that depends on d or k changes them. (Equal counts
# do not prove that memory addresses are independent of the secrets; the
# code has no secret-indexed load by construction: table lookups scan every
# entry with masks.) Under valgrind, whose CPUID hides ADX, the pure-Go
# field arithmetic runs; the MULX/ADX assembly is branch-free straight-line
# code, which gostec's tests check.
#
#   bash crypto/gost3410/testdata/ctcheck.sh          # every parameter set
#   SETS="cryptopro-a tc26-512-c" bash crypto/gost3410/testdata/ctcheck.sh
set -euo pipefail

GO=${GO:-go}
SETS=${SETS:-"test-256 cryptopro-a cryptopro-b cryptopro-c tc26-256-a test-512 tc26-512-a tc26-512-b tc26-512-c"}

cd "$(dirname "$0")/../../.."
command -v valgrind >/dev/null || {
	echo "ctcheck: valgrind is missing (Debian: apt-get install valgrind)" >&2
	exit 1
}
work=$(mktemp -d "${TMPDIR:-/tmp}/gostca-ctcheck.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT; [ -n "${KEEP:-}" ] && echo "ctcheck: keeping $work"
"$GO" test -c -tags ctcheck -o "$work/ct.test" ./crypto/gost3410

# profile FILE prints the self cost of every instruction of gostca's code
# ("function address count", sorted: callgrind writes its records in no
# fixed order), leaving out the Go runtime and each function's first four
# instructions: the scheduler's cooperative preemption of a long call (the
# runtime's sysmon asks for it after 10 ms, which a valgrind run exceeds)
# runs morestack and the interrupted function's prologue once more, at a
# moment that depends on the clock, not on the data.
profile() {
	awk '
		/^fn=/ { fn = substr($0, 4); sub(/\047[0-9]+$/, "", fn); next } # fold recursion levels (f\0472)
		/^calls=/ { skip = 1; next }        # the next cost line is a call inclusive cost
		/^0x/ {
			if (skip) { skip = 0; next }
			if (fn ~ /^runtime\./ || fn !~ /gostca/) next
			cost[fn " " $1] += $3
		}
		END { for (k in cost) print k, cost[k] }' "$1" | sort -k1,1 -k2,2 | awk '
		$1 != last { last = $1; n = 0 }
		++n > 4' | sort
}

status=0
for set in $SETS; do
	for c in small large mixed; do
		# Three runs of each case, keeping the median: the scheduler's
		# cooperative preemption of a long call (sysmon asks for it after
		# 10 ms, which a run under valgrind exceeds) adds the runtime's
		# instructions and a second pass through the interrupted function's
		# prologue, at a moment set by the clock, not by the data. A trace
		# that depends on d or k differs in every run.
		: >"$work/$set.$c.runs"
		for run in 1 2 3; do
			out=$work/$set.$c.$run.out
			# asyncpreemptoff: callgrind mishandles Go's preemption signals.
			GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 GOGC=off GOSTCA_CT_PARAMS=$set GOSTCA_CT_CASE=$c \
				valgrind --tool=callgrind --dump-instr=yes --compress-strings=no --compress-pos=no \
				--toggle-collect='*gost3410.ctSignOnce' --callgrind-out-file="$out" \
				"$work/ct.test" -test.run '^TestCTTrace$' >"$work/$set.$c.log" 2>&1 || {
				echo "ctcheck: $set/$c: the run failed:" >&2
				tail -5 "$work/$set.$c.log" >&2
				exit 1
			}
			echo "$(awk '/^summary:/ {print $2}' "$out") $out" >>"$work/$set.$c.runs"
		done
		# The median of the three: a run the scheduler interrupted counts
		# more, one callgrind cut short (a signal inside the toggled call)
		# fewer; either is one run of three.
		cp "$(sort -n "$work/$set.$c.runs" | sed -n 2p | cut -d' ' -f2)" "$work/$set.$c.out"
		profile "$work/$set.$c.out" >"$work/$set.$c.prof"
	done
	total=$(awk '/^summary:/ {print $2}' "$work/$set.small.out")
	if cmp -s "$work/$set.small.prof" "$work/$set.large.prof" && cmp -s "$work/$set.small.prof" "$work/$set.mixed.prof"; then
		echo "ctcheck: $set: same instruction trace for the three (d, k) pairs ($total instructions)"
	else
		echo "ctcheck: $set: the instruction traces DIFFER:"
		for c in small large mixed; do echo "  $c: $(awk '/^summary:/ {print $2}' "$work/$set.$c.out") instructions"; done
		status=1
	fi
done
exit $status
