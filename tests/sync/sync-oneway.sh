#!/bin/sh
# sync-oneway.sh -- bcadm sync --from A --to B: creates, updates, removes
# only with --delete, --dry-run, idempotency, references, site-local DNs
# and site-specific fields kept, the mass-delete stop, usage errors.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"

two_sites

# ---- identical empty stores: nothing to do ------------------------------
expect_status 0 bc sync --from "$E" --to "$W" --dry-run
expect_stdout_empty
expect_ok bc sync --from "$E" --to "$W"
expect_line "B: 0 created, 0 updated, 0 deleted"

# ---- east's world ---------------------------------------------------------
expect_silent east login add 1001 --password pw1 --option Annex/a=1
expect_silent east login add 1002 --override 42 --use-override
expect_silent east login add 1003
expect_silent east dn add 5001 --type extension --alias 'Desk 1' \
    --association east-port-1 --contact sip:5001@east \
    --option TServer/dr-forward=no-agent
expect_silent east dn add 5002 --type extension --register on-demand
expect_silent east dn add 5003 --type extension
expect_silent east dn add 6001 --type call-processing-port --contact sip:ivr@east
expect_silent east dn add 6002 --type call-processing-port
expect_silent east dn add 7001 --type acd-queue --alias Sales
expect_silent east dn add 8001 --type routing-point
expect_silent east dn add 8002 --type trunk --contact sip:west-sbc
expect_silent east dn add 8003 --type voip-service
expect_silent east place add P1 --dn 5001 --dn call-processing-port:6001
expect_silent east place add P2 --dn 5002 --option Annex/b=2
expect_silent east place add P3 --dn 5003 --dn call-processing-port:6002
expect_silent east person add ann --agent --first Ann --place P1 \
    --login 1001:30 --preferred-site east
expect_silent east person add bob --agent --first Bob --place P2 \
    --login 1002:10 --login 1003:20
expect_silent east person add boss --first Big --place P3
# west has its own extension 5001 (association, contact its own) and its
# own site-local DNs, some with numbers east uses for other types
expect_silent west dn add 5001 --type extension --association west-port-1 \
    --contact sip:5001@west
expect_silent west dn add 8002 --type trunk --contact sip:east-sbc
expect_silent west dn add 8009 --type routing-point

n_e=$(count_synced "$E")
check "east has 15 synchronized objects ($n_e)" test "$n_e" -eq 15

# ---- dry run: the plan, nothing changed, exit 1 ---------------------------
snapshot "$W" >"$T/w0"
run bc sync --from "$E" --to "$W" --dry-run
check_status 1
expect_lines 15
expect_line "create login '1001' at B"
expect_line "create dn 'acd-queue:7001' at B"
expect_line "create dn 'call-processing-port:6001' at B"
expect_line "create place 'P1' at B"
expect_line "create person 'ann' at B"
# west's 5001 lacks east's alias and option
expect_line "update dn 'extension:5001' at B"
expect_stdout_lacks "routing-point"
expect_stdout_lacks "trunk"
expect_stdout_lacks "voip-service"
STORE=$W
expect_same_store "$T/w0"
run bc --format json sync --from "$E" --to "$W" --dry-run
check_status 1
expect_json 'len(d) == 15'
expect_json 'all(set(x) >= {"action", "kind", "key"} for x in d)'
expect_json 'find(d, "key", "ann")["action"] == "create" and find(d, "key", "ann")["kind"] == "person"'
expect_same_store "$T/w0"
STORE=$E

# ---- the sync -----------------------------------------------------------
run bc sync --from "$E" --to "$W"
check_status 0
expect_line "B: 14 created, 1 updated, 0 deleted"
expect_in_sync "after the first one-way sync"
expect_integrity "$W"
# place P1 at west holds west's own extension 5001, association kept
expect_ok west dn show 5001 --format json
expect_json_eq 'd["place"]' '"P1"'
expect_json_eq 'd["association"]' '"west-port-1"'
expect_json_eq 'd["contact"]' '"sip:5001@west"'
expect_json_eq 'd["alias"]' '"Desk 1"'
expect_json_eq 'd["option"]' '{"TServer": {"dr-forward": "no-agent"}}'
expect_ok west place show P1 --format json
expect_json 'sorted((x["type"], x["number"]) for x in d["dn"]) == [("call-processing-port", "6001"), ("extension", "5001")]'
# site-specific: east's contact of 6001 not copied
expect_ok west dn show 6001 --format json
expect_json_eq 'd["contact"]' null
expect_json_eq 'd["place"]' '"P1"'
# site-local DNs never copied, west's own kept
expect_ok west dn list --format json
expect_json '[x["number"] for x in d if x["type"] == "routing-point"] == ["8009"]'
expect_json 'find(d, "number", "8002")["contact"] == "sip:east-sbc"'
expect_json 'not [x for x in d if x["type"] == "voip-service"]'
expect_ok west person show bob --format json
expect_json_eq 'd["place"]' '"P2"'
expect_json_eq 'd["agent"]' true
# the copies carry east's metadata
for k in "login 1001" "dn extension:5001" "dn acd-queue:7001" "place P1" \
    "person ann"; do
	# shellcheck disable=SC2086
	check "metadata of $k copied" test "$(meta "$E" $k)" = "$(meta "$W" $k)"
done
check "origin of west's copy of ann is east" \
    sh -c "sqlite3 '$W' \"SELECT origin FROM sync_meta WHERE key = 'ann'\" | grep -qx east"

# ---- idempotent: the second run changes nothing at all --------------------
snapshot "$W" >"$T/w1"
run bc sync --from "$E" --to "$W"
check_status 0
expect_line "B: 0 created, 0 updated, 0 deleted"
STORE=$W
expect_same_store "$T/w1"
STORE=$E
expect_status 0 bc sync --from "$E" --to "$W" --dry-run
expect_stdout_empty

# ---- updates, references changed -----------------------------------------
expect_silent east dn set 5002 --alias 'Desk 2' --register false
expect_silent east login set 1001 --password pw2 --disabled
expect_silent east person set ann --first Anne --last Lee
# a DN moves between places, a login between persons, a wrap-up changes,
# a default place changes
expect_silent east place set P1 --dn 5001
expect_silent east place set P3 --dn 5003 --dn call-processing-port:6002 \
    --dn call-processing-port:6001
expect_silent east person set bob --login 1002:15
expect_silent east person set ann --login 1001:30 --login 1003:5 --place P3
expect_silent east person set boss --place P1
# west's own changes to site-specific fields survive
expect_silent west dn set 5002 --association west-port-2
run bc sync --from "$E" --to "$W" --dry-run
check_status 1
expect_line "update dn 'extension:5002' at B"
expect_line "update person 'ann' at B"
expect_line "update place 'P3' at B"
expect_no_line_matching '^(create|delete) '
run bc sync --from "$E" --to "$W"
check_status 0
expect_stdout_matches '^B: 0 created, [1-9][0-9]* updated, 0 deleted$'
expect_in_sync "after updates and moved references"
expect_ok west dn show 6001 --format json
expect_json_eq 'd["place"]' '"P3"'
expect_ok west dn show 5002 --format json
expect_json_eq 'd["association"]' '"west-port-2"'
expect_json_eq 'd["alias"]' '"Desk 2"'
expect_json_eq 'd["register"]' '"false"'
expect_ok west person show ann --format json
expect_json_eq 'd["place"]' '"P3"'
expect_json_eq 'd["first"]' '"Anne"'
expect_ok west person show ann
expect_line "login: 1001:30"
expect_line "login: 1003:5"
expect_ok west person show bob
expect_line "login: 1002:15"
expect_no_line_matching "1003"
expect_ok west login show 1001 --format json
expect_json_eq 'd["enabled"]' false
expect_status 0 west check

# swaps: two places exchange their extensions, two persons their logins
expect_silent east place set P1 --dn ''
expect_silent east place set P2 --dn 5001
expect_silent east place set P1 --dn 5002
expect_silent east person set ann --login 1003:5
expect_silent east person set bob --login 1001:11
expect_silent east person set ann --login 1002:22 --login 1003:5
expect_status 0 bc sync --from "$E" --to "$W"
expect_in_sync "after swaps"
expect_ok west dn show 5001 --format json
expect_json_eq 'd["place"]' '"P2"'
expect_json_eq 'd["association"]' '"west-port-1"'
expect_ok west dn show 5002 --format json
expect_json_eq 'd["place"]' '"P1"'
expect_status 0 west check

# the agent flag differs: the person is made again
expect_silent east person del boss
expect_silent east login add 1004
expect_silent east person add boss --agent --first Big --place P1 \
    --login 1004:0
expect_status 0 bc sync --from "$E" --to "$W"
expect_in_sync "boss is an agent"
expect_ok west person show boss --format json
expect_json_eq 'd["agent"]' true

# changes made with the sqlite3 shell are carried too
sqlite3 "$E" "UPDATE agent_login SET override = 'shell' WHERE code = '1003'"
expect_status 0 bc sync --from "$E" --to "$W"
expect_in_sync "shell change carried"
expect_ok west login show 1003 --format json
expect_json_eq 'd["override"]' '"shell"'
# a DN moved between places with the shell changes both places'
# documents; an alias changes only the DN's (schema 10)
sqlite3 "$E" "UPDATE dn SET place_id = (SELECT id FROM place WHERE
    name = 'P2') WHERE type = 'call-processing-port' AND number = '6002'"
check "the move marks both places and the DN" test "$(sqlite3 "$E" \
    "SELECT count(*) FROM sync_dirty WHERE (kind = 'place' AND key IN
    ('P2', 'P3')) OR (kind = 'dn' AND key = 'call-processing-port:6002')")" = 3
expect_status 0 bc sync --from "$E" --to "$W"
expect_in_sync "shell move carried"
expect_ok west dn show 6002 --format json
expect_json_eq 'd["place"]' '"P2"'
sqlite3 "$E" "UPDATE dn SET alias = 'renamed' WHERE number = '5001'"
check "an alias marks the DN, not its place" test "$(sqlite3 "$E" \
    "SELECT group_concat(kind || ' ' || key) FROM sync_dirty WHERE
    key IN ('P1', 'extension:5001')")" = "dn extension:5001"
expect_status 0 bc sync --from "$E" --to "$W"
expect_in_sync "shell alias carried"

# ---- without --delete: west's extra objects stay ----------------------
expect_silent west login add 1099
expect_silent west dn add 5099 --type extension
expect_silent west place add P99 --dn 5099
expect_silent west person add wendy --place P99 --agent --login 1099
# east deletes one of the shared objects too
expect_silent east dn add 7002 --type acd-queue
expect_status 0 bc sync --from "$E" --to "$W"
expect_silent east dn del 7002
run bc sync --from "$E" --to "$W" --dry-run
check_status 0
expect_stdout_empty
run bc sync --from "$E" --to "$W"
check_status 0
expect_line "B: 0 created, 0 updated, 0 deleted"
run bc diff "$E" "$W" --summary
check_status 1
expect_line "dn      0 only in A, 2 only in B, 0 different"
expect_line "person  0 only in A, 1 only in B, 0 different"
expect_ok west person show wendy
expect_ok west dn show 7002

# ---- with --delete: the mass-delete stop first ---------------------------
# west has about 20 synchronized objects; 5 to delete; default limit
# 10 % = 2
nw=$(count_synced "$W")
check "west has 20..24 synchronized objects ($nw)" test "$nw" -ge 20 -a "$nw" -lt 25
snapshot "$W" >"$T/w2"
run bc sync --from "$E" --to "$W" --delete
check_status 65
expect_stdout_empty
expect_stderr_matches 'max-delete'
expect_stderr_matches '5'
STORE=$W
expect_same_store "$T/w2"
expect_status 65 bc sync --from "$E" --to "$W" --delete --max-delete 4
expect_same_store "$T/w2"
expect_status 65 bc sync --from "$E" --to "$W" --delete --max-delete 20%
expect_same_store "$T/w2"
# a dry run shows the plan even when it would be refused? it must say so
run bc sync --from "$E" --to "$W" --delete --dry-run --max-delete 5
check_status 1
expect_lines 5
expect_line "delete person 'wendy' at B"
expect_line "delete place 'P99' at B"
expect_line "delete dn 'extension:5099' at B"
expect_line "delete dn 'acd-queue:7002' at B"
expect_line "delete login '1099' at B"
expect_same_store "$T/w2"
STORE=$E
run bc sync --from "$E" --to "$W" --delete --max-delete 25%
check_status 0
expect_line "B: 0 created, 0 updated, 5 deleted"
expect_in_sync "after --delete"
expect_integrity "$W"
expect_status 0 west check
expect_error 65 "wendy" west person show wendy
# tombstones at west, for the deleted objects
check "tombstone of wendy at west" test "$(sqlite3 "$W" \
    "SELECT deleted FROM sync_meta WHERE kind = 'person' AND key = 'wendy'")" = 1
# and again: nothing
snapshot "$W" >"$T/w3"
run bc sync --from "$E" --to "$W" --delete
check_status 0
expect_line "B: 0 created, 0 updated, 0 deleted"
STORE=$W
expect_same_store "$T/w3"
STORE=$E

# deletions of objects that still hold references at the target
expect_silent east person del ann
expect_silent east place del P3
expect_silent east dn del 6001
expect_silent east login del 1002
run bc sync --from "$E" --to "$W" --delete --max-delete 4
check_status 0
expect_stdout_matches '^B: 0 created, [0-9]+ updated, 4 deleted$'
expect_in_sync "after deleting referenced objects"
expect_status 0 west check
expect_integrity "$W"

# ---- the other direction ----------------------------------------------
expect_silent west person set bob --first Robert
expect_silent west dn add 7777 --type acd-queue
expect_status 0 bc sync --from "$W" --to "$E"
expect_in_sync "west to east"
expect_ok east person show bob --format json
expect_json_eq 'd["first"]' '"Robert"'

# ---- usage and errors ----------------------------------------------------
expect_error 64 "" bc sync --from "$E"
expect_error 64 "" bc sync --to "$W"
expect_error 64 "" bc sync "$E" "$W"
expect_error 64 "" bc sync --from "$E" --to "$W" --prefer A
expect_error 64 "" bc sync --two-way "$E" "$W" --delete
expect_error 64 "" bc sync --two-way "$E"
expect_error 64 "" bc sync --from "$E" --to "$W" --prefer newer
expect_error "64|65" "max-delete" bc sync --from "$E" --to "$W" --max-delete x
expect_error "64|65" "max-delete" bc sync --from "$E" --to "$W" --max-delete -1
expect_error "64|65" "max-delete" bc sync --from "$E" --to "$W" --max-delete 101%
expect_error "64|65" "" bc sync --two-way "$E" "$W" --prefer C
expect_error 66 "nope" bc sync --from "$T/nope.db" --to "$W"
check "no store created" test ! -e "$T/nope.db"
expect_error 66 "nope" bc sync --from "$E" --to "$T/nope.db"
check "no store created" test ! -e "$T/nope.db"
expect_error 65 "itself" bc sync --from "$E" --to "$E"
expect_error 65 "itself" bc sync --two-way "$E" "$E"

finish
