#!/bin/sh
# crash.sh -- a synchronization killed with SIGKILL at any point leaves both
# stores valid (PRAGMA integrity_check ok, bcadm check clean, the target
# either untouched or complete: one transaction); the next run completes
# the work and diff then exits 0.  One-way and two-way runs, killed after
# random delays spread over the length of a run.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"

GEN=${BC_BUILDDIR:-}/bench/bcbench-gen
[ -x "$GEN" ] || skip_all "bench/bcbench-gen not built ($GEN)"
N=${BC_CRASH_AGENTS:-2000}
ROUNDS=${BC_CRASH_ROUNDS:-4}

A=$T/a.db
B=$T/b.db
STORE=$A
"$GEN" "$A" "$N" >/dev/null || skip_all "bcbench-gen failed"

# how long a full one-way run takes here, to aim the kills
expect_silent "$BCADM" -s "$B" init --site west
t0=$(date +%s%N)
run "$BCADM" sync --from "$A" --to "$B"
t1=$(date +%s%N)
check_status 0
run_ms=$(( (t1 - t0) / 1000000 ))
[ "$run_ms" -gt 0 ] || run_ms=1000
note "a one-way run of $N agents takes $run_ms ms"
n_a=$(count_synced "$A")

# delay I: the I-th of ROUNDS delays spread over the run, plus jitter
delay() {
	awk -v i="$1" -v n="$ROUNDS" -v ms="$run_ms" -v seed="$$$1" 'BEGIN {
		srand(seed)
		d = ms * (i - 0.5) / n + (rand() - 0.5) * ms / n
		if (d < 5) d = 5
		printf "%.3f\n", d / 1000
	}'
}

killed=0
# kill_run DELAY CMD...: runs CMD in the background, SIGKILLs it after
# DELAY seconds; $killed counts the kills that landed before it ended
kill_run() {
	_d=$1
	shift
	"$@" >/dev/null 2>&1 &
	_p=$!
	sleep "$_d"
	if kill -9 "$_p" 2>/dev/null; then
		wait "$_p" 2>/dev/null
		_s=$?
		[ "$_s" -eq 137 ] && killed=$((killed + 1))
	else
		wait "$_p" 2>/dev/null
		_s=$?
	fi
	last_kill_status=$_s
}

valid() {
	expect_integrity "$A"
	expect_integrity "$B"
	run "$BCADM" -s "$B" check
	check_status 0
	run "$BCADM" -s "$A" check
	check_status 0
}

# ---- one-way into an empty store --------------------------------------
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	i=$((i + 1))
	rm -f "$B" "$B"-wal "$B"-shm
	"$BCADM" -s "$B" init --site west
	d=$(delay "$i")
	kill_run "$d" "$BCADM" sync --from "$A" --to "$B"
	valid
	n_b=$(count_synced "$B")
	# one transaction: nothing or everything
	if [ "$n_b" -eq 0 ] || [ "$n_b" -eq "$n_a" ]; then
		pass
	else
		fail "one-way killed after ${d}s (status $last_kill_status): west holds $n_b of $n_a objects"
	fi
	run "$BCADM" sync --from "$A" --to "$B"
	check_status 0
	run "$BCADM" diff "$A" "$B"
	check_status 0
	run "$BCADM" sync --from "$A" --to "$B"
	expect_line "B: 0 created, 0 updated, 0 deleted"
done

# ---- two-way with changes on both sides ---------------------------------
# B starts equal to A (above); the first two-way run records the pair
run "$BCADM" sync --two-way "$A" "$B"
check_status 0
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	i=$((i + 1))
	# many changes at each side (through the sqlite3 shell: caught by the
	# triggers, recorded when the store is next opened for writing)
	sqlite3 "$A" "UPDATE person SET first_name = 'a$i' WHERE id % 2 = 0"
	sqlite3 "$B" "UPDATE agent_login SET override = 'b$i' WHERE id % 2 = 1"
	sqlite3 "$B" "UPDATE dn SET alias = 'b$i' WHERE type = 'acd-queue'"
	d=$(delay "$i")
	kill_run "$d" "$BCADM" sync --two-way "$A" "$B"
	valid
	run "$BCADM" sync --two-way "$A" "$B"
	check_status 0
	run "$BCADM" diff "$A" "$B"
	check_status 0
	check "round $i: A's change arrived" test "$(sqlite3 "$B" \
	    "SELECT count(*) FROM person WHERE first_name = 'a$i'")" -eq "$((N / 2))"
	check "round $i: B's change arrived" test "$(sqlite3 "$A" \
	    "SELECT count(*) FROM agent_login WHERE override = 'b$i'")" -eq "$(( (N + 1) / 2 ))"
	run "$BCADM" sync --two-way "$A" "$B"
	expect_line "B: 0 created, 0 updated, 0 deleted; A: 0 created, 0 updated, 0 deleted; 0 conflicts"
done

# ---- one-way with --delete, killed -------------------------------------
sqlite3 "$A" "PRAGMA foreign_keys = ON; DELETE FROM dn WHERE type = 'acd-queue'"
kill_run "$(delay 1)" "$BCADM" sync --from "$A" --to "$B" --delete --max-delete 100%
valid
run "$BCADM" sync --from "$A" --to "$B" --delete --max-delete 100%
check_status 0
run "$BCADM" diff "$A" "$B"
check_status 0

note "$killed of $((ROUNDS * 2 + 1)) kills landed during a run"
if [ "$killed" -eq 0 ]; then
	fail "no kill landed during a run: the test proved nothing (raise BC_CRASH_AGENTS)"
else
	pass
fi
finish
