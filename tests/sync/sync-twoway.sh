#!/bin/sh
# sync-twoway.sh -- bcadm sync --two-way A B and bcadm conflicts: the newer
# change wins, deletions propagate, the same change on both sides is no
# conflict, real conflicts (update/update both orders, delete/update) are
# decided by --prefer and recorded in both stores, clock skew, dry run,
# idempotency, the mass-delete stop.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"

# data FILE: the store's content without the record of the runs (sync_peer)
data() {
	sqlite3 "$1" .dump | grep -v '^INSERT INTO sync_peer'
}

twoway() {
	run bc sync --two-way "$E" "$W" "$@"
}

# conflicts_open FILE: the number of open conflicts recorded in FILE
conflicts_open() {
	sqlite3 "$1" 'SELECT count(*) FROM conflict WHERE resolved_at IS NULL'
}

two_sites

# ---- first run: each side's objects go to the other ---------------------
expect_silent east login add 1001
expect_silent east login add 1002
expect_silent east dn add 5001 --type extension --association e1
expect_silent east dn add 6001 --type call-processing-port
expect_silent east place add P1 --dn 5001 --dn call-processing-port:6001
expect_silent east person add ann --agent --place P1 --login 1001:30
expect_silent east dn add 8001 --type trunk
expect_silent west login add 2001
expect_silent west dn add 5002 --type extension --association w2
expect_silent west dn add 7001 --type acd-queue
expect_silent west place add P2 --dn 5002
expect_silent west person add bob --agent --place P2 --login 2001:10
expect_silent west dn add 8001 --type routing-point
# both made the same extension 5001 and person sam, differently; west later
expect_silent west dn add 5001 --type extension --association w1 --alias west-made
expect_silent east person add sam --first East
expect_silent west person add sam --first West

snapshot "$E" >"$T/e0"
snapshot "$W" >"$T/w0"
twoway --dry-run
check_status 1
expect_line "create login '2001' at A"
expect_line "create login '1001' at B"
expect_line "create place 'P1' at B"
expect_line "create place 'P2' at A"
expect_line "update person 'sam' at A"
expect_no_line_matching 'conflict'
expect_no_line_matching 'routing-point|trunk'
expect_same_store "$T/e0"
STORE=$W
expect_same_store "$T/w0"
STORE=$E
run bc --format json sync --two-way "$E" "$W" --dry-run
check_status 1
expect_json 'find(d, "key", "2001")["at"] == "A" and find(d, "key", "1001")["at"] == "B"'
expect_json 'not any(x["conflict"] for x in d)'

twoway
check_status 0
expect_stdout_matches '; 0 conflicts$'
expect_in_sync "after the first two-way run"
expect_integrity "$E"
expect_integrity "$W"
expect_ok east person show sam --format json
expect_json_eq 'd["first"]' '"West"'
# 5001 at each site keeps its own association, both in P1
expect_ok east dn show 5001 --format json
expect_json_eq 'd["association"]' '"e1"'
expect_json_eq 'd["alias"]' '"west-made"'
expect_json_eq 'd["place"]' '"P1"'
expect_ok west dn show 5001 --format json
expect_json_eq 'd["association"]' '"w1"'
expect_json_eq 'd["place"]' '"P1"'
expect_ok west dn show 8001 --format json
expect_json_eq 'd["type"]' '"routing-point"'
expect_ok east dn show 8001 --format json
expect_json_eq 'd["type"]' '"trunk"'
check "no conflicts at east" test "$(conflicts_open "$E")" -eq 0
check "no conflicts at west" test "$(conflicts_open "$W")" -eq 0
check "sync_peer at east records west" test "$(sqlite3 "$E" \
    "SELECT count(*) FROM sync_peer WHERE peer = 'west'")" -eq 1

# ---- idempotent -------------------------------------------------------
data "$E" >"$T/e1"
data "$W" >"$T/w1"
twoway
check_status 0
expect_line "B: 0 created, 0 updated, 0 deleted; A: 0 created, 0 updated, 0 deleted; 0 conflicts"
data "$E" >"$T/e2"
data "$W" >"$T/w2"
check "second run left east as it was" cmp -s "$T/e1" "$T/e2"
check "second run left west as it was" cmp -s "$T/w1" "$T/w2"
twoway --dry-run
check_status 0
expect_stdout_empty

# ---- changes to different objects on both sides: no conflict -------------
expect_silent east person set ann --first Ann
expect_silent west person set bob --first Bob
expect_silent east dn add 7002 --type acd-queue
expect_silent west login del 1002
twoway --max-delete 1
check_status 0
expect_line "B: 1 created, 1 updated, 0 deleted; A: 0 created, 1 updated, 1 deleted; 0 conflicts"
expect_in_sync "different objects changed"
expect_error 65 "1002" east login show 1002

# ---- a deletion is not brought back by the other side's older copy -------
expect_silent east dn del 7002
expect_silent west person set sam --last Later	# west changes something else
twoway --max-delete 1
check_status 0
expect_error 65 "7002" west dn show 7002
expect_error 65 "7002" east dn show 7002
expect_in_sync "deletion propagated"
check "tombstone of 7002 at west" test "$(sqlite3 "$W" \
    "SELECT deleted FROM sync_meta WHERE key = 'acd-queue:7002'")" = 1
# runs after that purge the tombstones both have, and bring nothing back
twoway
twoway
check_status 0
expect_error 65 "7002" west dn show 7002
expect_error 65 "7002" east dn show 7002
check "tombstone purged at east" test "$(sqlite3 "$E" \
    "SELECT count(*) FROM sync_meta WHERE key = 'acd-queue:7002'")" = 0
check "tombstone purged at west" test "$(sqlite3 "$W" \
    "SELECT count(*) FROM sync_meta WHERE key = 'acd-queue:7002'")" = 0
# a login deleted while its holder gets another one
expect_silent west login add 2002
twoway
expect_silent east person set bob --login 2002:10
expect_silent east login del 2001
twoway --max-delete 1
check_status 0
expect_in_sync "login 2001 deleted"
expect_error 65 "2001" west login show 2001

# ---- the same change on both sides: no conflict ---------------------------
expect_silent east person set ann --last Same --employee-id 42
expect_silent west person set ann --last Same --employee-id 42
twoway
check_status 0
expect_stdout_matches '; 0 conflicts$'
expect_in_sync "same change"
check "no conflict at east" test "$(conflicts_open "$E")" -eq 0
check "no conflict at west" test "$(conflicts_open "$W")" -eq 0
check "metadata the same" test "$(meta "$E" person ann)" = "$(meta "$W" person ann)"

# ---- update/update: east first, west later: west wins ---------------------
expect_silent east person set ann --first East1
sleep 0.01
expect_silent west person set ann --first West1
twoway --dry-run
check_status 1
expect_line "update person 'ann' at A (conflict)"
twoway
check_status 0
expect_stdout_matches '; 1 conflicts$'
expect_in_sync "update/update, west later"
expect_ok east person show ann --format json
expect_json_eq 'd["first"]' '"West1"'
check "one open conflict at east" test "$(conflicts_open "$E")" -eq 1
check "one open conflict at west" test "$(conflicts_open "$W")" -eq 1
expect_ok east conflicts list
expect_row 1 person ann peer open
expect_ok west conflicts list
expect_row 1 person ann local open
expect_ok east --format json conflicts show 1
expect_json_eq 'd["kind"]' '"person"'
expect_json_eq 'd["key"]' '"ann"'
expect_json_eq 'd["kept"]' '"peer"'
expect_json_eq 'd["state"]' '"open"'
expect_json_eq 'd["local"]["site"]' '"east"'
expect_json_eq 'd["peer"]["site"]' '"west"'
expect_json_eq 'd["local"]["document"]["first"]' '"East1"'
expect_json_eq 'd["peer"]["document"]["first"]' '"West1"'
expect_json 'd["peer"]["hlc"] > d["local"]["hlc"]'
expect_json 'd["local"]["time"] is not None and d["detected"] is not None'
expect_ok west --format json conflicts show 1
expect_json_eq 'd["local"]["site"]' '"west"'
expect_json_eq 'd["local"]["document"]["first"]' '"West1"'
expect_json_eq 'd["peer"]["document"]["first"]' '"East1"'
expect_json_eq 'd["kept"]' '"local"'

# ---- update/update: west first, east later: east wins --------------------
expect_silent west person set ann --first West2
sleep 0.01
expect_silent east person set ann --first East2
twoway
check_status 0
expect_stdout_matches '; 1 conflicts$'
expect_in_sync "update/update, east later"
expect_ok west person show ann --format json
expect_json_eq 'd["first"]' '"East2"'
check "two open conflicts at east" test "$(conflicts_open "$E")" -eq 2
expect_ok east --format json conflicts show 2
expect_json_eq 'd["kept"]' '"local"'
expect_json_eq 'd["peer"]["document"]["first"]' '"West2"'

# ---- --prefer A / B overrides the newer change -----------------------
expect_silent west person set ann --first West3
sleep 0.01
expect_silent east person set ann --first East3	# newer
twoway --prefer B
check_status 0
expect_stdout_matches '; 1 conflicts$'
expect_ok east person show ann --format json
expect_json_eq 'd["first"]' '"West3"'
expect_in_sync "--prefer B"
expect_silent east person set ann --first East4
sleep 0.01
expect_silent west person set ann --first West4	# newer
twoway --prefer A
check_status 0
expect_ok west person show ann --format json
expect_json_eq 'd["first"]' '"East4"'
expect_in_sync "--prefer A"
# --prefer only decides conflicts: a one-sided change still wins
expect_silent west person set ann --first OnlyWest
twoway --prefer A
check_status 0
expect_stdout_matches '; 0 conflicts$'
expect_ok east person show ann --format json
expect_json_eq 'd["first"]' '"OnlyWest"'

# ---- conflicts on places and their references ------------------------
expect_silent east dn add 5003 --type extension
expect_silent west dn add 6003 --type call-processing-port
twoway
expect_silent east place set P2 --dn 5003
sleep 0.01
expect_silent west place set P2 --dn 5002 --dn call-processing-port:6003
twoway
check_status 0
expect_stdout_matches '; 1 conflicts$'
expect_in_sync "place conflict"
expect_ok east place show P2 --format json
expect_json 'sorted((x["type"], x["number"]) for x in d["dn"]) == [("call-processing-port", "6003"), ("extension", "5002")]'
expect_status 0 east check
expect_status 0 west check

# ---- delete/update: the update is newer: the object comes back --------
expect_silent east login add 3001 --override o1
twoway
expect_silent east login del 3001
sleep 0.01
expect_silent west login set 3001 --override o2
twoway --dry-run --max-delete 5
check_status 1
expect_line "create login '3001' at A (conflict)"
twoway --max-delete 5
check_status 0
expect_stdout_matches '; 1 conflicts$'
expect_in_sync "delete/update, update newer"
expect_ok east login show 3001 --format json
expect_json_eq 'd["override"]' '"o2"'
id=$(sqlite3 "$E" "SELECT max(id) FROM conflict WHERE key = '3001'")
expect_ok east --format json conflicts show "$id"
expect_json_eq 'd["local"]["document"]' null
expect_json_eq 'd["peer"]["document"]["override"]' '"o2"'

# ---- delete/update: the deletion is newer: it propagates ---------------
expect_silent west login set 3001 --override o3
sleep 0.01
expect_silent east login del 3001
twoway --max-delete 5
check_status 0
expect_stdout_matches '; 1 conflicts$'
expect_in_sync "delete/update, delete newer"
expect_error 65 "3001" west login show 3001
id=$(sqlite3 "$W" "SELECT max(id) FROM conflict WHERE key = '3001'")
expect_ok west --format json conflicts show "$id"
expect_json_eq 'd["local"]["document"]["override"]' '"o3"'
expect_json_eq 'd["peer"]["document"]' null
expect_json_eq 'd["kept"]' '"peer"'

# ---- resolving -------------------------------------------------------------
# east's conflict 1: west's West1 was kept; keep east's East1 after all
expect_ok east conflicts resolve 1 --keep local
expect_stdout_empty
expect_ok east --format json conflicts show 1
expect_json_eq 'd["state"]' '"resolved"'
expect_json 'd["resolved"] is not None'
expect_ok east person show ann --format json
expect_json_eq 'd["first"]' '"East1"'
twoway
check_status 0
expect_stdout_matches '; 0 conflicts$'
expect_ok west person show ann --format json
expect_json_eq 'd["first"]' '"East1"'
expect_in_sync "after resolving at east"
# resolving closes the local record only: west's stays open
expect_ok west --format json conflicts show 1
expect_json_eq 'd["state"]' '"open"'
# conflicts list shows open ones, --all every one
expect_ok east conflicts list --format json
expect_json 'all(x["state"] == "open" for x in d) and not find(d, "id", 1)'
expect_ok east conflicts list --all --format json
expect_json 'find(d, "id", 1)["state"] == "resolved"'
# keep the peer's version: west's conflict 1 kept west's own; take east's
expect_ok west conflicts resolve 1 --keep peer
expect_ok west person show ann --format json
expect_json_eq 'd["first"]' '"East1"'
twoway
check_status 0
expect_in_sync "after resolving at west"
expect_error 65 "99" east conflicts resolve 99 --keep local
expect_error 64 "keep" east conflicts resolve 2
expect_error 64 "keep" east conflicts resolve 2 --keep both
expect_error 64 "" east conflicts resolve x --keep local
expect_error 64 "" east conflicts show
expect_error 64 "bogus" east conflicts bogus
expect_error 65 "99" east conflicts show 99
# accept every open one as decided (keep what was kept) at both sites:
# then none is open at either site, and no new one comes
for s in "$E" "$W"; do
	for i in $(sqlite3 "$s" 'SELECT id FROM conflict WHERE resolved_at IS NULL'); do
		run bc -s "$s" conflicts resolve "$i" --keep \
		    "$(sqlite3 "$s" "SELECT kept FROM conflict WHERE id = $i")"
		check_status 0
	done
done
twoway --max-delete 5
check_status 0
twoway --max-delete 5
check_status 0
expect_stdout_matches '; 0 conflicts$'
expect_in_sync "all resolved"
check "no open conflict at east" test "$(conflicts_open "$E")" -eq 0
check "no open conflict at west" test "$(conflicts_open "$W")" -eq 0

# ---- clock skew: west's clock an hour behind ---------------------------
# faketime preloads its library; an ASan build must accept not coming
# first in the list of libraries
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
if ! command -v faketime >/dev/null 2>&1; then
	note "faketime not installed: clock skew part skipped"
elif [ "$(faketime -f '-1h' date +%s 2>/dev/null)" -ge "$(($(date +%s) - 3000))" ] 2>/dev/null; then
	note "faketime has no effect here: clock skew part skipped"
else
	expect_silent east person set ann --first EastEdit
	twoway
	check_status 0
	expect_in_sync "east's edit carried"
	expect_silent faketime -f '-1h' "$BCADM" -s "$W" person set ann --first WestEdit
	# west's change is later, whatever its clock says
	twoway
	check_status 0
	expect_stdout_matches '; 0 conflicts$'
	expect_ok east person show ann --format json
	expect_json_eq 'd["first"]' '"WestEdit"'
	expect_ok west person show ann --format json
	expect_json_eq 'd["first"]' '"WestEdit"'
	expect_in_sync "after clock skew"
	# and the sync itself run from the slow clock changes nothing
	expect_silent east person set ann --first EastAgain
	run faketime -f '-1h' "$BCADM" sync --two-way "$E" "$W"
	check_status 0
	expect_ok west person show ann --format json
	expect_json_eq 'd["first"]' '"EastAgain"'
	expect_silent faketime -f '-1h' "$BCADM" -s "$W" person set ann --first WestSlow
	run faketime -f '-1h' "$BCADM" sync --two-way "$E" "$W"
	check_status 0
	expect_ok east person show ann --format json
	expect_json_eq 'd["first"]' '"WestSlow"'
	expect_in_sync "after clock skew, slow sync"
	# a new object made at the slow site after the fast one deleted
	# another: both carried
	expect_silent east dn add 7100 --type acd-queue
	twoway
	expect_silent east dn del 7100
	twoway --max-delete 1
	expect_silent faketime -f '-1h' "$BCADM" -s "$W" dn add 7100 --type acd-queue --alias again
	twoway
	check_status 0
	expect_ok east dn show 7100 --format json
	expect_json_eq 'd["alias"]' '"again"'
	expect_in_sync "recreated at the slow site"
fi

# ---- mass-delete stop ------------------------------------------------------
n=$(count_synced "$W")
for i in 1 2 3 4 5 6 7 8 9; do
	expect_silent east dn add "990$i" --type acd-queue
done
twoway
check_status 0
for i in 1 2 3 4 5 6 7 8 9; do
	expect_silent east dn del "990$i"
done
snapshot "$E" >"$T/e5"
snapshot "$W" >"$T/w5"
twoway
check_status 65
expect_stdout_empty
expect_stderr_matches 'max-delete'
expect_stderr_matches 'west'
expect_same_store "$T/e5"
STORE=$W
expect_same_store "$T/w5"
twoway --dry-run
check_status 65
expect_same_store "$T/w5"
STORE=$E
twoway --max-delete 9
check_status 0
expect_line "B: 0 created, 0 updated, 9 deleted; A: 0 created, 0 updated, 0 deleted; 0 conflicts"
expect_in_sync "after the allowed mass delete"
# the limit is per store: west deletes, east would lose them
for i in 1 2 3 4; do
	expect_silent west dn add "980$i" --type acd-queue
done
twoway
for i in 1 2 3 4; do
	expect_silent west dn del "980$i"
done
twoway --max-delete 3
check_status 65
expect_stderr_matches 'east'
twoway --max-delete 100%
check_status 0
expect_in_sync "after 100%"

# ---- a deletion at one side, a newer reference to it at the other -------
# east deletes extension 5090 while west (later) moves it to another place;
# east deletes login 3090 (after taking it from its holder) while west
# (later) edits the holder.  Whatever wins, the run must complete and
# leave both sites equal and valid.
expect_silent east dn add 5090 --type extension
expect_silent east place add P90 --dn 5090
expect_silent east place add P91
expect_silent east login add 3090
expect_silent east login add 3091
expect_silent east person add dan --agent --login 3090 --login 3091
twoway
twoway
check_status 0
expect_silent east dn del 5090
expect_silent east person set dan --login 3091
expect_silent east login del 3090
sleep 0.01
expect_silent west place set P90 --dn ''
expect_silent west place set P91 --dn 5090
expect_silent west person set dan --first Later
twoway --max-delete 100%
check_status 0
expect_stderr_empty
expect_in_sync "deletion against a newer reference"
expect_status 0 east check
expect_status 0 west check

expect_integrity "$E"
expect_integrity "$W"
expect_status 0 east check
expect_status 0 west check

finish
