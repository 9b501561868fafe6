#!/bin/bash
# sync-bench.sh -- diff and two-way sync of two site stores with 1% of
# their synchronized objects differing, beside sqldiff on the same files.
#
#	bench/sync-bench.sh BUILDDIR [N...]
#
# For each N (default 100000): fills store A with N agents (bcbench-gen),
# times the first synchronization into an empty store of site west (up to
# 100k agents), makes store B as a copy of A at site west, changes 1% of
# the objects of B (persons,
# extensions, places, logins) with the sqlite3 shell, and times, best of
# RUNS (default 3): 'bcadm diff A B' and sqldiff A B, then one
# 'bcadm sync --two-way' on copies.  Peak RSS from GNU time.  Prints a
# markdown table and the machine.
set -eu

prog=${0##*/}
[ $# -ge 1 ] || { echo "usage: $prog BUILDDIR [N...]" >&2; exit 64; }
builddir=$1
shift
[ $# -gt 0 ] || set -- 100000
runs=${RUNS:-3}
gen=$builddir/bench/bcbench-gen
bcadm=$builddir/cli/bcadm
for tool in "$gen" "$bcadm" /usr/bin/time sqldiff sqlite3; do
	command -v "$tool" >/dev/null ||
	    { echo "$prog: $tool not found" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# timed CMD... -- runs CMD, sets $secs and $rss (MiB); output discarded
timed() {
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
	    [ $? -eq 1 ] || { cat "$tmp/err" >&2; exit 1; }
	read -r secs kib < <(tail -n 1 "$tmp/time")
	rss=$((kib / 1024))
}

# best CMD... -- best of $runs: $best (s), $best_rss (MiB)
best() {
	best=
	for _ in $(seq "$runs"); do
		timed "$@"
		if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then
			best=$secs
			best_rss=$rss
		fi
	done
}

echo "| agents | objects | first sync | diff | diff RSS | sqldiff | diff/sqldiff | two-way sync | sync RSS |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n; do
	a=$tmp/a.db
	b=$tmp/b.db
	rm -f "$a"* "$b"*
	"$gen" "$a" "$n" >/dev/null
	# the first synchronization of a whole site, up to 100k agents
	first=-
	if [ "$n" -le 100000 ]; then
		"$bcadm" -s "$tmp/c.db" init --site west
		timed "$bcadm" sync --from "$a" --to "$tmp/c.db"
		first="$secs s"
		rm -f "$tmp"/c.db*
	fi
	# B: the same objects at site west (a copy is what a finished
	# first synchronization leaves, metadata included)
	cp "$a" "$b"
	sqlite3 "$b" "UPDATE site SET name = 'west'"
	objects=$(sqlite3 "$a" "SELECT count(*) FROM sync_meta WHERE deleted = 0")
	# 1% of each kind changes at B, written around sipbc like an
	# operator's shell session; the triggers mark them
	sqlite3 "$b" "
	    UPDATE person SET first_name = 'changed' WHERE id % 100 = 0;
	    UPDATE dn SET alias = 'changed' WHERE id % 100 = 0
		AND type = 'extension';
	    UPDATE place SET enabled = 0 WHERE id % 100 = 0;
	    UPDATE agent_login SET override = 'changed' WHERE id % 100 = 0;"
	# the first diff records those marks; time the ones after
	"$bcadm" diff "$a" "$b" --summary >/dev/null || true
	differ=$("$bcadm" --format json diff "$a" "$b" | grep -c '"kind"' || true)
	best "$bcadm" diff "$a" "$b"
	diff_s=$best
	diff_rss=$best_rss
	best sqldiff "$a" "$b"
	sqldiff_s=$best
	ratio=$(awk "BEGIN{printf \"%.2f\", $diff_s / $sqldiff_s}")
	cp "$a" "$tmp/a2.db"
	cp "$b" "$tmp/b2.db"
	timed "$bcadm" sync --two-way "$tmp/a2.db" "$tmp/b2.db"
	sync_s=$secs
	sync_rss=$rss
	"$bcadm" diff "$tmp/a2.db" "$tmp/b2.db" >/dev/null ||
	    { echo "$prog: stores differ after the two-way sync" >&2; exit 1; }
	rm -f "$tmp"/a2.db* "$tmp"/b2.db*
	printf '| %d | %d (%d differ) | %s | %.2f s | %d MiB | %.2f s | %s | %.2f s | %d MiB |\n' \
	    "$n" "$objects" "$differ" "$first" "$diff_s" "$diff_rss" \
	    "$sqldiff_s" "$ratio" "$sync_s" "$sync_rss"
done
echo
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)," \
    "Linux $(uname -r), SQLite $(sqlite3 --version | cut -d' ' -f1); best of $runs."
