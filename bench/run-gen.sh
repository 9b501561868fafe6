#!/bin/bash
# run-gen.sh -- time bench/bcbench-gen and print a markdown table.
#
#	bench/run-gen.sh BUILDDIR [N...]
#
# For each N (default: 10000 100000) runs BUILDDIR/bench/bcbench-gen into
# a fresh store in a temporary directory RUNS times (default 3; set RUNS
# in the environment to change it), then prints one table row per N: the
# objects created, the best and median wall time and the peak RSS.  The
# machine is described below the table.  GENFLAGS in the environment is
# passed to bcbench-gen (e.g. GENFLAGS=-a).  As a sanity check, bcadm check
# is run on the largest store and its exit status and time reported.
#
# Exit status: 0 when every run and the check succeeded, 1 otherwise,
# 64 on a usage error.
set -u

prog=${0##*/}
usage() {
	echo "usage: $prog BUILDDIR [N...]" >&2
	exit 64
}
[ $# -ge 1 ] || usage
case $1 in -h|--help) usage ;; esac
builddir=$1
shift
[ $# -gt 0 ] || set -- 10000 100000
runs=${RUNS:-3}
case $runs in ''|*[!0-9]*|0) echo "$prog: RUNS must be a positive integer" >&2; exit 64 ;; esac
for n; do
	case $n in ''|*[!0-9]*) echo "$prog: N '$n' is not a number" >&2; exit 64 ;; esac
done

gen=$builddir/bench/bcbench-gen
bcadm=$builddir/cli/bcadm
if [ ! -x "$gen" ]; then
	echo "$prog: $gen not found; run 'make bench/bcbench-gen' in $builddir" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bcbench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

status=0
largest=-1
largest_store=
rows=

# field NAME FILE: the value of a "NAME: value" line of the generator.
field() {
	sed -n "s/^$1: *//p" "$2" | head -n 1
}

for n; do
	times=
	objects='?'
	rss=0
	ok=1
	for r in $(seq 1 "$runs"); do
		store=$tmp/gen-$n-$r.db
		rm -f "$store" "$store-wal" "$store-shm"
		echo "$prog: N=$n run $r/$runs" >&2
		# shellcheck disable=SC2086 # GENFLAGS is a list of options
		if ! "$gen" ${GENFLAGS:-} "$store" "$n" >"$tmp/out" 2>"$tmp/err"; then
			echo "$prog: N=$n run $r failed:" >&2
			cat "$tmp/err" >&2
			ok=0
			status=1
			break
		fi
		objects=$(field objects "$tmp/out")
		times="$times $(field seconds "$tmp/out")"
		kib=$(field peak-rss-kib "$tmp/out")
		[ "${kib:-0}" -gt "$rss" ] && rss=$kib
		# Keep only the last store of the largest N for the check.
		if [ "$n" -ge "$largest" ]; then
			[ -n "$largest_store" ] && [ "$largest_store" != "$store" ] &&
			    rm -f "$largest_store" "$largest_store-wal" "$largest_store-shm"
			largest=$n
			largest_store=$store
		else
			rm -f "$store" "$store-wal" "$store-shm"
		fi
	done
	if [ $ok -eq 1 ]; then
		# shellcheck disable=SC2086 # split the list of times
		stats=$(printf '%s\n' $times | sort -g | awk '
			{ v[NR] = $1 }
			END {
				med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "%.3f | %.3f", v[1], med
			}')
		mib=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
		rows="$rows| $n | $objects | $stats | $mib |
"
	else
		rows="$rows| $n | failed | - | - | - |
"
	fi
done

echo "| N agents | objects | best s | median s | peak RSS MiB |"
echo "|---:|---:|---:|---:|---:|"
printf '%s' "$rows"
echo
echo "Runs per N: $runs; bcbench-gen ${GENFLAGS:+$GENFLAGS }STORE N (one transaction; wall time from open to close)"
echo

# ---- the machine ---------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu" ] || cpu=$(uname -m)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
sqlite=
if command -v pkg-config >/dev/null 2>&1; then
	sqlite=$(pkg-config --modversion sqlite3 2>/dev/null)
	[ -n "$sqlite" ] && sqlite="$sqlite (pkg-config)"
fi
if [ -z "$sqlite" ] && command -v sqlite3 >/dev/null 2>&1; then
	sqlite="$(sqlite3 --version | cut -d' ' -f1) (sqlite3 shell)"
fi
fs=$(df -PT "$tmp" 2>/dev/null | awk 'NR == 2 { print $2 }')
echo "Machine:"
echo "- CPUs: $(nproc 2>/dev/null || echo ?) x ${cpu:-?}"
echo "- memory: ${mem:-?}"
echo "- kernel: $(uname -srm)"
echo "- sqlite: ${sqlite:-unknown}"
echo "- temp dir: $tmp (${fs:-?})"
echo

# ---- sanity check: bcadm check on the largest store ---------------------
if [ -z "$largest_store" ]; then
	echo "Check: skipped (no store was generated)"
	exit 1
fi
if [ ! -x "$bcadm" ]; then
	echo "Check: skipped ($bcadm not found)"
	exit 1
fi
t0=$(date +%s.%N)
"$bcadm" -s "$largest_store" check >"$tmp/check.out" 2>"$tmp/check.err"
rc=$?
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
nviol=$(wc -l <"$tmp/check.out")
echo "Check: bcadm check on the N=$largest store: exit $rc in $secs s ($nviol lines of output)"
if [ $rc -ne 0 ]; then
	head -n 20 "$tmp/check.out" "$tmp/check.err" | sed 's/^/    /'
	status=1
fi
exit $status
