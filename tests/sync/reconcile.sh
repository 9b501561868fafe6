#!/bin/sh
# reconcile.sh -- bcadm [-c CONFIG] reconcile: configuration, the two-way
# run, exit statuses (0 in sync, 1 conflicts open, sysexits), the JSON
# report, --dry-run, the terminal summary, and the lock (a second run
# exits 75 at once).
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"

two_sites
CONF=$T/bc.conf
# store paths relative to the configuration file
cat >"$CONF" <<EOC
[site]
name = east
store = east.db

[peer]
name = west
store = west.db
EOC
mkdir "$T/elsewhere"
rec() {
	(cd "$T/elsewhere" && "$BCADM" -c "$CONF" reconcile "$@")
}

# ---- configuration -------------------------------------------------------
printf '[site]\nname = east\nstore = %s\n' "$E" >"$T/nopeer.conf"
snapshot "$E" >"$T/e0"
run "$BCADM" -c "$T/nopeer.conf" reconcile
check_status 78
expect_stderr_matches 'peer'
expect_same_store "$T/e0"
printf '[site]\nstore = %s\n[peer]\nname = west\nstore = %s\n' "$E" "$W" \
    >"$T/noname.conf"
expect_status 78 "$BCADM" -c "$T/noname.conf" reconcile
printf '[site]\nname = east\nstore = %s\n[peer]\nname = west\nstore = %s\n' \
    "$E" "$T/missing.db" >"$T/missing.conf"
run "$BCADM" -c "$T/missing.conf" reconcile
check_status 66
expect_stderr_matches 'missing.db'
check "reconcile creates no peer store" test ! -e "$T/missing.db"
expect_error 64 "" rec extra-arg
expect_error 64 "" rec --prefer A

# ---- in sync: exit 0, nothing on stderr (not a terminal) -------------------
run rec
check_status 0
expect_stderr_empty
expect_stdout_empty
check "lock file next to the site store" test -e "$E.reconcile.lock"

# ---- changes at both sites: carried, exit 0 ---------------------------------
expect_silent east login add 1001
expect_silent east dn add 5001 --type extension
expect_silent east place add P1 --dn 5001
expect_silent east person add ann --agent --place P1 --login 1001:30
expect_silent west dn add 7001 --type acd-queue
expect_silent west dn add 8001 --type trunk
snapshot "$E" >"$T/e0"
run rec --dry-run
check_status 1
expect_stdout_contains "create person 'ann' at west"
expect_stdout_contains "create dn 'acd-queue:7001' at east"
expect_same_store "$T/e0"
run rec --report "$T/r1.json"
check_status 0
expect_stderr_empty
expect_in_sync "after reconcile"
expect_error 65 "8001" east dn show 8001
cp "$T/r1.json" "$T/stdout"
expect_json_eq 'd["in_sync"]' true
expect_json_eq 'd["exit"]' 0
expect_json_eq 'd["dry_run"]' false
expect_json_eq 'd["conflicts"]' 0
expect_json_eq 'd["conflicts_open"]' 0
expect_json_eq 'd["differences_left"]' 0
expect_json_eq 'd["site"]["name"]' '"east"'
expect_json_eq 'd["peer"]["name"]' '"west"'
expect_json_eq 'd["site"]["created"]' 1
expect_json_eq 'd["peer"]["created"]' 4
expect_json 'd["site"]["hlc"] > 0 and d["site"]["last_sync_hlc"] > 0'
expect_json 'd["peer"]["last_sync_hlc"] == d["site"]["last_sync_hlc"]'
expect_json 'isinstance(d["duration_ms"], int) and d["duration_ms"] >= 0'
expect_json 'd["site"]["store"].endswith("east.db") and d["peer"]["store"].endswith("west.db")'
check "no temporary report left" test ! -e "$T/r1.json.tmp"

# healthy: the next run finds nothing
snapshot "$E" >"$T/e1"
run rec --report "$T/r2.json"
check_status 0
cp "$T/r2.json" "$T/stdout"
expect_json 'd["site"]["created"] + d["site"]["updated"] + d["site"]["deleted"] + d["peer"]["created"] + d["peer"]["updated"] + d["peer"]["deleted"] == 0'

# ---- conflicts remain open: exit 1 -------------------------------------
expect_silent east person set ann --first E
sleep 0.01
expect_silent west person set ann --first W
run rec --report "$T/r3.json"
check_status 1
expect_in_sync "the conflict was decided"
cp "$T/r3.json" "$T/stdout"
expect_json_eq 'd["in_sync"]' false
expect_json_eq 'd["exit"]' 1
expect_json_eq 'd["conflicts"]' 1
expect_json_eq 'd["conflicts_open"]' 1
expect_json_eq 'd["differences_left"]' 0
run rec
check_status 1
# resolved at the site: in sync again
id=$(sqlite3 "$E" 'SELECT id FROM conflict WHERE resolved_at IS NULL')
expect_ok east conflicts resolve "$id" --keep peer
run rec
check_status 0

# ---- the summary on a terminal ------------------------------------------
if script -qec true /dev/null >/dev/null 2>&1; then
	expect_silent west person set ann --last Z
	run script -qec "cd '$T/elsewhere' && '$BCADM' -c '$CONF' reconcile" \
	    "$T/typescript"
	check_status 0
	check "one summary line on the terminal" \
	    grep -Eq 'reconcile east<->west: 1 changes here, 0 at the peer, 0 conflicts \(0 open\), in sync' "$T/typescript"
	check "summary is one line" test "$(grep -c 'reconcile east<->west' "$T/typescript")" -eq 1
else
	note "script(1) cannot make a terminal: summary line not checked"
fi

# ---- the lock: a second run exits 75 at once ---------------------------
expect_silent west person set ann --last Locked
# -F: flock is the sleeping process, so killing it releases the lock
flock -F "$E.reconcile.lock" sleep 5 &
holder=$!
bg_pids="$bg_pids $holder"
sleep 0.3
snapshot "$E" >"$T/e4"
snapshot "$W" >"$T/w4"
t0=$(date +%s)
run rec --report "$T/r4.json"
t1=$(date +%s)
check_status 75
expect_stderr_matches 'reconcile.lock'
check "exit 75 at once (took $((t1 - t0)) s)" test $((t1 - t0)) -le 1
expect_same_store "$T/e4"
STORE=$W
expect_same_store "$T/w4"
STORE=$E
check "no report written by the refused run" test ! -e "$T/r4.json"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
run rec
check_status 0
expect_ok east person show ann --format json
expect_json_eq 'd["last"]' '"Locked"'

# a lock left by a dead process does not block
(flock "$E.reconcile.lock" true)
run rec
check_status 0
# two at the same time: one runs, the other exits 75 or 0 (it came after)
for i in 1 2 3 4 5 6; do
	expect_silent east dn add "930$i" --type acd-queue
done
rec >"$T/c1.out" 2>&1 &
p1=$!
rec >"$T/c2.out" 2>&1 &
p2=$!
wait $p1
s1=$?
wait $p2
s2=$?
case "$s1 $s2" in
"0 0"|"0 75"|"75 0")	pass ;;
*)	fail "concurrent reconciles exited $s1 and $s2" ;;
esac
expect_in_sync "after concurrent reconciles"

# ---- the mass-delete stop -----------------------------------------------
for i in 1 2 3 4 5 6; do
	expect_silent east dn del "930$i"
done
snapshot "$W" >"$T/w5"
run rec --report "$T/r5.json"
check_status 65
expect_stderr_matches 'max-delete'
STORE=$W
expect_same_store "$T/w5"
STORE=$E
run rec --max-delete 6
check_status 0
expect_in_sync "after the allowed deletes"

# ---- a report that cannot be written -----------------------------------
run rec --report "$T/no/such/dir/r.json"
case $status in
0|1)	fail "unwritable report: exit $status" ;;
*)	pass ;;
esac
expect_stderr_matches 'r.json'

expect_integrity "$E"
expect_integrity "$W"
finish
