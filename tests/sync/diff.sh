#!/bin/sh
# diff.sh -- bcadm diff STORE_A STORE_B: identical stores, each kind of
# difference for each kind of object, references, site-local DN types and
# site-specific fields ignored, text / JSON / --summary, exit statuses, and
# that diff changes neither store.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"

# ---- two empty stores --------------------------------------------------
two_sites
expect_in_sync "empty stores"
expect_ok bc --format json diff "$E" "$W"
expect_json_eq d '[]'
expect_ok bc diff "$E" "$W" --summary
expect_lines 4
for k in dn login person place; do
	expect_stdout_matches "^$k +0 only in A, 0 only in B, 0 different\$"
done
expect_ok bc --format json diff "$E" "$W" --summary
expect_json_eq 'd["identical"]' true
expect_json_keys d identical dn login person place
expect_json_eq 'd["person"]' '{"only-a": 0, "only-b": 0, "changed": 0}'

# ---- the same world made independently at both sites: identical ---------
# site-specific fields (association, contact) and site-local DN types
# (routing-point, trunk, voip-service) differ freely.
world() {
	_s=$1
	"$BCADM" -s "$2" login add 1001 --password "pw1" --option Annex/a=1
	"$BCADM" -s "$2" login add 1002
	"$BCADM" -s "$2" dn add 5001 --type extension --association "port-$_s" \
	    --contact "sip:5001@$_s.example" --alias 'Desk 1' \
	    --option TServer/dr-forward=no-agent
	"$BCADM" -s "$2" dn add 5002 --type extension --register on-demand
	"$BCADM" -s "$2" dn add 6001 --type call-processing-port \
	    --contact "sip:ivr@$_s.example"
	"$BCADM" -s "$2" dn add 7001 --type acd-queue --alias Sales
	"$BCADM" -s "$2" place add P1 --dn 5001 --dn call-processing-port:6001
	"$BCADM" -s "$2" place add P2 --dn 5002 --option Annex/b=2
	"$BCADM" -s "$2" person add ann --agent --first Ann --last Lee \
	    --employee-id E1 --preferred-site east --place P1 \
	    --login 1001:30
	"$BCADM" -s "$2" person add boss --first Big --place P2
}
world east "$E" >/dev/null 2>&1
world west "$W" >/dev/null 2>&1
expect_ok east dn show 6001	# the world really was made
expect_ok west person show ann
# site-local objects, only at one side or different at each
expect_silent east dn add 8001 --type routing-point --alias east-rp
expect_silent east dn add 8002 --type trunk --contact sip:west.example
expect_silent west dn add 8002 --type trunk --contact sip:east.example \
    --alias other
expect_silent west dn add 8003 --type voip-service
expect_silent west dn add 8004 --type routing-point
expect_in_sync "same world, different site-specific fields and local DNs"
expect_ok bc --format json diff "$E" "$W" --summary
expect_json_eq 'd["identical"]' true
# a site-specific field changed at one side only
expect_silent west dn set 5001 --association "port-99" --contact sip:x@y
expect_in_sync "association and contact are site-specific"

# diff never writes: both stores byte for byte the same after every mode
snapshot "$E" >"$T/e0"
snapshot "$W" >"$T/w0"

# ---- each difference, made at west, then repaired with sync --from ------
# changed KIND KEY FIELD A B CMD...: after CMD at west, diff shows exactly
# one item, KIND KEY changed, with FIELD going from A to B (JSON; "null"
# for none), and the text form says it.
changed() {
	_k=$1 _key=$2 _f=$3 _a=$4 _b=$5
	shift 5
	expect_silent west "$@"
	run bc --format json diff "$E" "$W"
	check_status 1
	json_run true '(lambda J: len(d) == 1 and d[0]["kind"] == a[0] and d[0]["key"] == a[1] and d[0]["what"] == "changed" and find(d[0]["fields"], "field", a[2]) == {"field": a[2], "a": J(a[3]), "b": J(a[4])})(__import__("json").loads)' \
	    "$_k" "$_key" "$_f" "$_a" "$_b"
	run bc diff "$E" "$W"
	check_status 1
	expect_line "$_k '$_key': differs"
	expect_stdout_contains "$_f: "
	run bc diff "$E" "$W" --summary
	check_status 1
	expect_stdout_matches "^$_k +0 only in A, 0 only in B, 1 different\$"
	expect_status 0 bc sync --from "$E" --to "$W"
	expect_in_sync "after repairing $_k $_key $_f"
}
# J: a JSON text (the expected value) decoded

# DNs: every shared field, every synchronized type
changed dn extension:5001 alias '"Desk 1"' '"Desk 9"' dn set 5001 --alias 'Desk 9'
changed dn extension:5002 register '"on-demand"' '"false"' dn set 5002 --register false
changed dn extension:5001 enabled '"1"' '"0"' dn set 5001 --disabled
changed dn extension:5001 option.TServer/dr-forward '"no-agent"' '"oos"' \
    dn set 5001 --option TServer/dr-forward=oos
changed dn extension:5001 option.TServer/oos-check null '"5"' \
    dn set 5001 --option TServer/oos-check=5
changed dn call-processing-port:6001 alias null '"IVR"' dn set 6001 --alias IVR
changed dn acd-queue:7001 alias '"Sales"' '"Support"' dn set 7001 --alias Support
# a password is compared but never shown
changed dn extension:5002 password null '"********"' dn set 5002 --password 'pw-secret'
expect_silent west dn set 5002 --password 'pw-secret2'
run bc diff "$E" "$W"
expect_stdout_lacks pw-secret
run bc --format json diff "$E" "$W"
expect_stdout_lacks pw-secret
expect_status 0 bc sync --from "$E" --to "$W"

# agent logins
changed login 1001 password '"********"' '"********"' login set 1001 --password other
changed login 1002 override null '"77"' login set 1002 --override 77
changed login 1002 use-override '"0"' '"1"' login set 1002 --use-override
changed login 1001 enabled '"1"' '"0"' login set 1001 --disabled
changed login 1001 option.Annex/a '"1"' '"2"' login set 1001 --option Annex/a=2

# places: fields and references (their DNs)
changed place P1 enabled '"1"' '"0"' place set P1 --disabled
changed place P2 option.Annex/b '"2"' null place set P2 --option Annex/b=
changed place P2 dn.extension:5002 '"listed"' null place set P2 --dn ''
expect_silent east dn add 6005 --type call-processing-port
expect_silent west dn add 6005 --type call-processing-port
# lists compare as sets: only the DN added shows
changed place P2 dn.call-processing-port:6005 null '"listed"' place set P2 --dn 5002 --dn call-processing-port:6005

# persons: fields and references (default place, logins with wrap-up)
changed person ann first '"Ann"' '"Anne"' person set ann --first Anne
changed person ann last '"Lee"' '"Li"' person set ann --last Li
changed person ann employee-id '"E1"' '"E2"' person set ann --employee-id E2
changed person ann preferred-site '"east"' '"west"' person set ann --preferred-site west
changed person ann enabled '"1"' '"0"' person set ann --disabled
changed person ann place '"P1"' '"P2"' person set ann --place P2
changed person ann login.1001 '"30"' '"45"' person set ann --login 1001:45
changed person ann login.1002 null '"10"' person set ann --login 1001:30 --login 1002:10

# the agent flag is fixed at creation: a different one is seen as a change
expect_silent west person del boss
expect_silent west person add boss --first Big --place P2 --agent
run bc --format json diff "$E" "$W"
check_status 1
expect_json 'len(d) == 1 and d[0]["key"] == "boss" and find(d[0]["fields"], "field", "agent") == {"field": "agent", "a": "0", "b": "1"}'
expect_status 0 bc sync --from "$E" --to "$W"
expect_in_sync "boss is not an agent again"
expect_ok west person show boss --format json
expect_json_eq 'd["agent"]' false

# ---- only in A, only in B, for each kind -------------------------------
expect_silent east login add 1009
expect_silent east dn add 5009 --type extension
expect_silent east dn add 7009 --type acd-queue
expect_silent east dn add 6009 --type call-processing-port
expect_silent east place add P9
expect_silent east person add zed
expect_silent west login add 1008
expect_silent west dn add 5008 --type extension
expect_silent west dn add 7008 --type acd-queue
expect_silent west dn add 6008 --type call-processing-port
expect_silent west place add P8
expect_silent west person add yan
# and site-local ones, which never count
expect_silent east dn add 8009 --type voip-service
expect_silent west dn add 8008 --type trunk
run bc diff "$E" "$W"
check_status 1
expect_lines 12
for it in "dn 'acd-queue:7009'" "dn 'call-processing-port:6009'" \
    "dn 'extension:5009'" "login '1009'" "place 'P9'" "person 'zed'"; do
	expect_line "$it: only in A"
done
for it in "dn 'acd-queue:7008'" "dn 'call-processing-port:6008'" \
    "dn 'extension:5008'" "login '1008'" "place 'P8'" "person 'yan'"; do
	expect_line "$it: only in B"
done
expect_stdout_lacks 8009
expect_stdout_lacks 8008
run bc --format json diff "$E" "$W"
check_status 1
expect_json 'len(d) == 12'
expect_json 'all(set(x) == {"kind", "key", "what", "fields"} for x in d)'
expect_json 'sorted(x["key"] for x in d if x["what"] == "only-a") == ["1009", "P9", "acd-queue:7009", "call-processing-port:6009", "extension:5009", "zed"]'
expect_json 'sorted(x["key"] for x in d if x["what"] == "only-b") == ["1008", "P8", "acd-queue:7008", "call-processing-port:6008", "extension:5008", "yan"]'
# sorted by kind, then key
expect_json '[(x["kind"], x["key"]) for x in d] == sorted((x["kind"], x["key"]) for x in d)'
run bc diff "$E" "$W" --summary
check_status 1
expect_lines 4
expect_line "dn      3 only in A, 3 only in B, 0 different"
expect_line "login   1 only in A, 1 only in B, 0 different"
expect_line "person  1 only in A, 1 only in B, 0 different"
expect_line "place   1 only in A, 1 only in B, 0 different"
run bc --format json diff "$E" "$W" --summary
check_status 1
expect_json_eq d '{"identical": false, "dn": {"only-a": 3, "only-b": 3, "changed": 0}, "login": {"only-a": 1, "only-b": 1, "changed": 0}, "person": {"only-a": 1, "only-b": 1, "changed": 0}, "place": {"only-a": 1, "only-b": 1, "changed": 0}}'
# and the other way round
run bc diff "$W" "$E" --summary
check_status 1
expect_line "dn      3 only in A, 3 only in B, 0 different"

# a deleted object is no longer listed (its tombstone is not an object)
for c in "dn del 5009" "dn del 7009" "dn del 6009" "login del 1009" \
    "place del P9" "person del zed"; do
	# shellcheck disable=SC2086
	expect_silent east $c
done
for c in "dn del 5008" "dn del 7008" "dn del 6008" "login del 1008" \
    "place del P8" "person del yan"; do
	# shellcheck disable=SC2086
	expect_silent west $c
done
check "east has tombstones" test "$(sqlite3 "$E" \
    'SELECT count(*) FROM sync_meta WHERE deleted = 1')" -ge 6
expect_in_sync "deleted on both sides"

# ---- changes made around the library (sqlite3 shell) are seen -----------
sqlite3 "$W" "UPDATE person SET first_name = 'Shell' WHERE username = 'ann'"
run bc --format json diff "$E" "$W"
check_status 1
expect_json 'len(d) == 1 and d[0]["key"] == "ann" and find(d[0]["fields"], "field", "first")["b"] == "Shell"'
expect_status 0 bc sync --from "$E" --to "$W"
expect_in_sync "shell change repaired"

# ---- diff writes nothing -------------------------------------------------
snapshot "$E" >"$T/e1"
snapshot "$W" >"$T/w1"
run bc diff "$E" "$W"
run bc diff "$E" "$W" --summary
run bc --format json diff "$W" "$E"
expect_same_store "$T/e1"
STORE=$W
expect_same_store "$T/w1"
STORE=$E
# read-only stores can be compared
chmod a-w "$E" "$W"
if [ "$(id -u)" -ne 0 ]; then
	expect_in_sync "read-only files"
fi
chmod u+w "$E" "$W"

# ---- errors: sysexits ------------------------------------------------------
expect_error 66 "nope.db" bc diff "$E" "$T/nope.db"
check "no store created by diff" test ! -e "$T/nope.db"
expect_error 64 "diff" bc diff "$E"
expect_error 64 "" bc diff "$E" "$W" "$E"
expect_error 64 "" bc diff "$E" "$W" --bogus
printf 'not a database, just text\n%.0s' 1 2 3 4 5 6 7 8 9 10 >"$T/junk.db"
run bc diff "$E" "$T/junk.db"
case $status in
0|1)	fail "diff against a non-store exited $status" ;;
*)	if [ "$status" -ge 64 ] && [ "$status" -le 78 ]; then pass; else
		fail "diff against a non-store: $status is not a sysexits code"
	fi ;;
esac
sqlite3 "$T/other.db" 'CREATE TABLE x (y)'
run bc diff "$E" "$T/other.db"
if [ "$status" -ge 64 ] && [ "$status" -le 78 ]; then pass; else
	fail "diff against a foreign SQLite file: $status"
fi

finish
