#!/bin/sh
# xml-bench.sh [N ...] -- times bcadm export and import of a store of N
# synthetic agents (default: 100000 and 1000000), with peak RSS, and
# xmllint --noout --schema on the same file as a reference.
#
# Run from a build directory (or set BC_BUILDDIR); needs bench/bcbench-gen
# and cli/bcadm built, GNU /usr/bin/time and xmllint.  Work files go to
# $BENCH_DIR (default a new temporary directory), removed at the end
# unless BENCH_KEEP=1.  Prints one table row per step.
set -eu

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

# measure LABEL CMD...: runs CMD, prints "LABEL  seconds  peak RSS".
measure() {
	label=$1
	shift
	if ! "$timer" -f '%e %M' -o "$work/time" "$@" >/dev/null \
	    2>"$work/err"; then
		echo "xml-bench: $label failed:" >&2
		cat "$work/err" >&2
		exit 1
	fi
	set -- $(tail -n 1 "$work/time")
	printf '%-36s %8s s %8d MiB\n' "$label" "$1" $(($2 / 1024))
}

printf '%-36s %10s %12s\n' "step" "time" "peak RSS"
for n in ${@:-100000 1000000}; do
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
	"$bcadm" -s "$work/dst.db" init --site other
	measure "import $n agents (new store)" "$bcadm" -s "$work/dst.db" \
	    import "$work/site.xml"
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
