#!/bin/bash
# bcsync-bench.sh -- replication latency, throughput and catch-up of two
# bcsync(8) on 127.0.0.1 (plain HTTP, default [sync] settings, no -v).
#
#	bench/bcsync-bench.sh BUILDDIR [AGENTS]
#
# 1. Latency: SAMPLES (default 1000) single commits at A, one after the
#    other, each an UPDATE of one extension's alias through Python's
#    sqlite3 module (the operator's-shell path: triggers mark it, A's
#    watcher records it in the feed, wakes B's long poll, B applies it);
#    the clock starts before the UPDATE and stops when a second
#    connection polling B's file (every 0.2 ms) reads the new alias.
# 2. Throughput: BURST (default 100000) new extensions at A, in
#    transactions of 1000 written back to back with the sqlite3 module;
#    from the first write to the last change visible at B.
# 3. Catch-up of 1M queued changes: A filled by bcbench-gen with AGENTS
#    (default 250000, about 1M synchronized objects); (a) B, empty, starts
#    and takes them all; (b) B stops, every synchronized object changes
#    at A (UPDATEs with the sqlite3 shell, recorded by A's watcher), B
#    starts again.  Timed until B's position reaches A's and then until
#    'bcadm diff A B' exits 0 (the diff's own time is shown apart).
# Prints markdown tables and the machine.
set -eu

prog=${0##*/}
[ $# -ge 1 ] || { echo "usage: $prog BUILDDIR [AGENTS]" >&2; exit 64; }
builddir=$(cd "$1" && pwd)
agents=${2:-250000}
samples=${SAMPLES:-1000}
burst=${BURST:-100000}
bcadm=$builddir/cli/bcadm
bcsync=$builddir/sync/bcsync
gen=$builddir/bench/bcbench-gen
for tool in "$bcadm" "$bcsync" "$gen" sqlite3 python3 curl; do
	command -v "$tool" >/dev/null ||
	    { echo "$prog: $tool not found" >&2; exit 1; }
done
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

read -r port_a port_b < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
for s in east west; do
	head -c 32 /dev/urandom | base64 >"tok.$s"
	chmod 600 "tok.$s"
done
conf() {	# SITE PEER PORT PEERPORT
	printf '[site]\nname = %s\nstore = %s.db\n\n' "$1" "$1"
	printf '[peer]\nname = %s\nurl = http://127.0.0.1:%s\n' "$2" "$4"
	printf 'token_file = %s/tok.%s\n\n' "$tmp" "$2"
	printf '[sync]\nlisten = 127.0.0.1:%s\ntoken_file = %s/tok.%s\n' \
	    "$3" "$tmp" "$1"
}
conf east west "$port_a" "$port_b" >east.conf
conf west east "$port_b" "$port_a" >west.conf

declare -A pid
start() {
	"$bcsync" -c "$tmp/$1.conf" 2>>"$tmp/$1.log" &
	pid[$1]=$!
	pids="$pids $!"
	local port=$port_a
	[ "$1" = west ] && port=$port_b
	until curl -s -o /dev/null -H "Authorization: Bearer $(cat "tok.$1")" \
	    "http://127.0.0.1:$port/v1/status"; do
		sleep 0.05
	done
}
stop() {
	kill "${pid[$1]}"
	wait "${pid[$1]}" || true
}
field() {	# SITE FIELD: from /v1/status
	local port=$port_a
	[ "$1" = west ] && port=$port_b
	curl -s -H "Authorization: Bearer $(cat "tok.$1")" \
	    "http://127.0.0.1:$port/v1/status" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}
# caught_up: B applied A's feed up to A's position
caught_up() {
	[ "$(field west applied)" -ge "$(field east seq)" ] 2>/dev/null
}
wait_caught_up() {
	until caught_up; do
		sleep 0.1
	done
}

# start_west_timed: starts west; west_pos and west_diff are the seconds
# until it applied east's position and until bcadm diff finds them equal
start_west_timed() {
	_t0=$(now)
	start west
	wait_caught_up
	_t1=$(now)
	until "$bcadm" diff east.db west.db >/dev/null; do sleep 0.2; done
	west_pos=$(elapsed "$_t0" "$_t1")
	west_diff=$(elapsed "$_t0" "$(now)")
}

# ---- 1 and 2: latency and throughput ----------------------------------------
"$bcadm" -s east.db init --site east
"$bcadm" -s west.db init --site west
"$bcadm" -s east.db dn add 9000001 --type extension --alias start
start east
start west
until [ "$(sqlite3 west.db "SELECT alias FROM dn WHERE number = '9000001'" \
    2>/dev/null)" = start ]; do
	sleep 0.05
done

python3 - "$tmp/east.db" "$tmp/west.db" "$samples" "$burst" \
    >"$tmp/lat.txt" <<'EOF'
import sqlite3, sys, time
a_path, b_path, n, burst = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
a = sqlite3.connect(a_path, timeout=30, isolation_level=None)
b = sqlite3.connect(b_path, timeout=30, isolation_level=None)
lat = []
for i in range(n):
    want = "lat-%d" % i
    t0 = time.perf_counter()
    a.execute("UPDATE dn SET alias = ? WHERE type = 'extension' AND number = '9000001'", (want,))
    while True:
        r = b.execute("SELECT alias FROM dn WHERE type = 'extension' AND number = '9000001'").fetchone()
        if r is not None and r[0] == want:
            break
        if time.perf_counter() - t0 > 30:
            sys.exit("sample %d not replicated in 30 s" % i)
        time.sleep(0.0002)
    lat.append((time.perf_counter() - t0) * 1000)
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print("latency %d %.1f %.1f %.1f %.1f" % (n, q(0.5), q(0.99), lat[-1], sum(lat) / n))
# throughput: burst new extensions in transactions of 1000
t0 = time.perf_counter()
step = 1000
for i in range(0, burst, step):
    a.execute("BEGIN")
    a.executemany("INSERT INTO dn (type, number, alias) VALUES ('extension', ?, 'burst')",
                  [(str(10000000 + j),) for j in range(i, min(burst, i + step))])
    a.execute("COMMIT")
t_written = time.perf_counter() - t0
while True:
    c = b.execute("SELECT count(*) FROM dn WHERE alias = 'burst'").fetchone()[0]
    if c >= burst:
        break
    time.sleep(0.02)
t_all = time.perf_counter() - t0
print("burst %d %.2f %.2f %.0f" % (burst, t_written, t_all, burst / t_all))
EOF
read -r _ n p50 p99 pmax pmean < <(grep '^latency' lat.txt)
read -r _ nb t_written t_all rate < <(grep '^burst' lat.txt)
until "$bcadm" diff east.db west.db >/dev/null; do sleep 0.2; done
stop west
stop east

# ---- 3: catch-up of 1M queued changes ---------------------------------------
rm -f east.db* west.db*
"$gen" east.db "$agents" >/dev/null
sqlite3 -cmd ".timeout 30000" east.db "UPDATE site SET name = 'east'; UPDATE sync_meta SET origin = 'east'"
objects=$(sqlite3 east.db "SELECT count(*) FROM sync_meta WHERE deleted = 0")
"$bcadm" -s west.db init --site west
start east
start_west_timed
first_pos=$west_pos
first_diff=$west_diff
rss_b=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/${pid[west]}/status")
stop west

# every synchronized object changes at A while B is down
seq0=$(field east seq)
t0=$(now)
sqlite3 -cmd ".timeout 30000" east.db "
	UPDATE dn SET alias = 'queued' WHERE type IN ('extension',
	    'acd-queue', 'call-processing-port');
	UPDATE place SET enabled = 0;
	UPDATE person SET first_name = 'queued';
	UPDATE agent_login SET override = 'queued';"
t1=$(now)
until [ "$(field east seq)" -ge $((seq0 + objects)) ]; do sleep 0.2; done
t2=$(now)
queued=$(( $(field east seq) - seq0 ))
upd_write=$(elapsed "$t0" "$t1")
upd_record=$(elapsed "$t1" "$t2")
start_west_timed
catch_pos=$west_pos
catch_diff=$west_diff
t3=$(now)
"$bcadm" diff east.db west.db >/dev/null
diff_alone=$(elapsed "$t3" "$(now)")
stop west
stop east

echo
echo "| measure | result |"
echo "|---|---:|"
echo "| latency, $n single commits: p50 | $p50 ms |"
echo "| latency p99 | $p99 ms |"
echo "| latency max / mean | $pmax / $pmean ms |"
echo "| throughput: $nb changes (written at A in $t_written s) visible at B in $t_all s | $rate changes/s |"
echo "| first synchronization: $objects objects to an empty B: position / diff exits 0 | $first_pos s / $first_diff s |"
echo "| catch-up: $queued queued changes (A wrote them in $upd_write s, its watcher recorded them in $upd_record s): position / diff exits 0 | $catch_pos s / $catch_diff s |"
echo "| bcadm diff of the two stores alone | $diff_alone s |"
echo "| peak RSS of B's bcsync (first synchronization) | $rss_b MiB |"
echo
echo "machine: $(nproc) CPU, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "$(uname -sr), SQLite $(sqlite3 --version | cut -d' ' -f1)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
