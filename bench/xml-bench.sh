#!/bin/sh
# xml-bench.sh [N ...] -- times bcadm export and import of a store of N
# synthetic agents (default: 100000 and 1000000), with peak RSS, and
# xmllint --noout --schema on the same file as a reference.
#
# Run from a build directory (or set BC_BUILDDIR); needs bench/bcbench-gen
# and cli/bcadm built, GNU /usr/bin/time and xmllint.  Work files go to
# $BENCH_DIR (default a new temporary directory), removed at the end
# unless BENCH_KEEP=1.  Each step runs RUNS times (default 3; the
# machine is shared, so runs vary): prints one row per step with the best
# time, the slowest, and the largest peak RSS of its runs.
set -eu
runs=${RUNS:-3}
case $runs in ''|*[!0-9]*|0) echo "xml-bench: RUNS must be a positive integer" >&2; exit 64 ;; esac

builddir=${BC_BUILDDIR:-$(pwd)}
srcdir=${BC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bcadm=$builddir/cli/bcadm
gen=$builddir/bench/bcbench-gen
xsd=$srcdir/schema/sipbc-site.xsd
timer=/usr/bin/time

for f in "$bcadm" "$gen" "$timer"; do
	if [ ! -x "$f" ]; then
		echo "xml-bench: $f not found (build first; GNU time)" >&2
		exit 1
	fi
done
xmllint=$(command -v xmllint || true)

work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/bcxml-bench.XXXXXX")}
case $work in
/tmp/*|/var/tmp/*|"${TMPDIR:-/tmp}"/*) ;;
*)	echo "xml-bench: BENCH_DIR must be under /tmp or \$TMPDIR" >&2
	exit 1 ;;
esac
mkdir -p "$work"
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

# measure LABEL CMD...: runs CMD RUNS times, each after $before (a
# command, may be empty), prints "LABEL  best  slowest  peak RSS".
before=
measure() {
	label=$1
	shift
	best=""
	worst=""
	kib=0
	for _ in $(seq 1 "$runs"); do
		[ -z "$before" ] || $before
		if ! "$timer" -f '%e %M' -o "$work/time" "$@" >/dev/null \
		    2>"$work/err"; then
			echo "xml-bench: $label failed:" >&2
			cat "$work/err" >&2
			exit 1
		fi
		t=$(tail -n 1 "$work/time" | awk '{ print $1 }')
		k=$(tail -n 1 "$work/time" | awk '{ print $2 }')
		best=$(awk -v a="${best:-$t}" -v b="$t" \
		    'BEGIN { print (b < a ? b : a) }')
		worst=$(awk -v a="${worst:-$t}" -v b="$t" \
		    'BEGIN { print (b > a ? b : a) }')
		[ "$k" -gt "$kib" ] && kib=$k
	done
	printf '%-36s %8s s %8s s %8d MiB\n' "$label" "$best" "$worst" \
	    $((kib / 1024))
}

# a new store to import into
fresh_dst() {
	rm -f "$work/dst.db" "$work/dst.db-wal" "$work/dst.db-shm"
	"$bcadm" -s "$work/dst.db" init --site other
}

printf '%-36s %10s %10s %12s\n' "step (runs: $runs)" "best" "slowest" \
    "peak RSS"
[ $# -gt 0 ] || set -- 100000 1000000
for n in "$@"; do
	rm -f "$work/src.db" "$work/src.db-wal" "$work/src.db-shm" \
	    "$work/dst.db" "$work/dst.db-wal" "$work/dst.db-shm"
	"$gen" "$work/src.db" "$n" >"$work/gen.log"
	measure "export $n agents" "$bcadm" -s "$work/src.db" export \
	    -o "$work/site.xml"
	size=$(wc -c <"$work/site.xml")
	printf '%-36s %10s MiB\n' "  file size" $((size / 1048576))
	if [ -n "$xmllint" ]; then
		measure "  xmllint --noout --schema" "$xmllint" --noout \
		    --schema "$xsd" "$work/site.xml"
		measure "  xmllint --noout --stream --schema" "$xmllint" \
		    --noout --stream --schema "$xsd" "$work/site.xml"
	fi
	before=fresh_dst
	measure "import $n agents (new store)" "$bcadm" -s "$work/dst.db" \
	    import "$work/site.xml"
	before=
	measure "import again (nothing to change)" "$bcadm" \
	    -s "$work/dst.db" import "$work/site.xml"
	"$bcadm" -s "$work/dst.db" export -o "$work/again.xml"
	if [ "$(sed 2d "$work/site.xml" | cksum)" = \
	    "$(sed 2d "$work/again.xml" | cksum)" ]; then
		printf '%-36s %10s\n' "  round trip" "identical"
	else
		printf '%-36s %10s\n' "  round trip" "DIFFERS"
	fi
	rm -f "$work/site.xml" "$work/again.xml"
done
