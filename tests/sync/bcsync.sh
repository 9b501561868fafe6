#!/bin/sh
# bcsync.sh -- two bcsync(8) on 127.0.0.1 replicate two site stores:
# a change at either site appears at the other, also one written with the
# sqlite3 shell; concurrent edits converge and the conflict is recorded;
# the feed API (status, digest, metrics, changes, snapshot) answers with
# the token only (401 and nothing served otherwise), does not send a
# field no XML can carry (500, logged, until corrected), refuses another
# protocol version and a malformed or oversized push whole; SIGHUP
# reloads the tokens; SIGTERM exits 0.  Configuration checks (-n, token
# file mode) are in bcsync-conf.sh, outages in bcsync-outage.sh, HTTPS in
# bcsync-tls.sh.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"
. "$BC_SRCDIR/tests/sync/lib-bcsync.sh"

# dn_alias FILE NUMBER: the alias of extension NUMBER ('-' when none)
dn_alias() {
	sq "$1" "SELECT coalesce(alias, '-') FROM dn WHERE type = 'extension' \
	    AND number = '$2'"
}

has_alias() {
	[ "$(dn_alias "$1" "$2")" = "$3" ]
}

has_dn() {
	[ -n "$(dn_alias "$1" "$2")" ]
}

no_dn() {
	[ -z "$(dn_alias "$1" "$2")" ]
}

bcsync_sites
start_site east || finish
start_site west || finish

# ---- a change at each side appears at the other ---------------------------
expect_silent east dn add 5001 --type extension --alias "from east"
wait_until "east's new DN reaches west" 10 has_alias "$W" 5001 "from east"
expect_silent west login add 1001 --password secret
expect_silent west place add "Desk 1" --dn 5001
expect_silent west person add jdoe --first Jane --last Doe --agent \
    --place "Desk 1" --login 1001:30
check_person() {
	"$BCADM" -s "$E" person show jdoe >/dev/null 2>&1
}
wait_until "west's new person reaches east" 10 check_person
expect_converged "after a change at each side"
expect_silent east check
expect_silent west check

# an update and a deletion
expect_silent west dn set 5001 --type extension --alias "renamed at west"
wait_until "west's update reaches east" 10 has_alias "$E" 5001 \
    "renamed at west"
expect_silent east dn add 5099 --type extension
wait_until "5099 reaches west" 10 has_dn "$W" 5099
expect_silent east dn del 5099 --type extension
wait_until "east's deletion reaches west" 10 no_dn "$W" 5099
expect_converged "after updates and a deletion"

# ---- a change written with the sqlite3 shell replicates ---------------------
sq "$E" "UPDATE dn SET alias = 'x' WHERE number = '5001'" ||
    fail "sqlite3 update"
wait_until "a sqlite3 shell UPDATE at east reaches west" 10 \
    has_alias "$W" 5001 x
# bcsync's own commits leave the WAL alone; its checkpointer copies it
# into the store file within a second or two (the file alone has it)
file_has_alias() {
	cp "$W" "$T/west-file.db" && rm -f "$T/west-file.db-wal" \
	    "$T/west-file.db-shm" && has_alias "$T/west-file.db" 5001 x
}
wait_until "west's store file, without its WAL, has the change" 10 \
    file_has_alias
sq "$W" "INSERT INTO dn (type, number, alias) VALUES ('acd-queue', '7001', \
    'queue by sqlite3')" || fail "sqlite3 insert"
has_queue() {
	[ "$(sq "$E" "SELECT alias FROM dn WHERE type = 'acd-queue' AND \
	    number = '7001'")" = "queue by sqlite3" ]
}
wait_until "a sqlite3 shell INSERT at west reaches east" 10 has_queue
# a site-local field stays at its site
sq "$E" "UPDATE dn SET contact = 'sip:5001@10.0.0.1' WHERE number = '5001'"
expect_silent east dn add 5002 --type extension
wait_until "a later change reaches west" 10 has_dn "$W" 5002
expect_equal "contact is site-local" \
    "$(sq "$W" "SELECT coalesce(contact, '-') FROM dn WHERE number = '5001'")" -
expect_converged "after sqlite3 shell changes"

# ---- concurrent edits converge; the conflict is recorded --------------------
# Both daemons frozen (SIGSTOP): each site changes the same DN before it
# has seen the other's change, a true conflict; then both run on.
# A daemon stopped inside a transaction (an empty document that moves
# its position, a moment after convergence) would hold its store locked:
# let both run on and stop them again until neither store is locked.
freeze_both() {
	_i=0
	while [ $_i -lt 50 ]; do
		kill -STOP "$PID_east" "$PID_west"
		if sqlite3 "$E" "BEGIN IMMEDIATE; ROLLBACK" 2>/dev/null &&
		    sqlite3 "$W" "BEGIN IMMEDIATE; ROLLBACK" 2>/dev/null; then
			return 0
		fi
		kill -CONT "$PID_east" "$PID_west"
		sleep 0.1
		_i=$((_i + 1))
	done
	fail "a daemon holds its store locked whenever it is stopped"
	kill -STOP "$PID_east" "$PID_west"
}
freeze_both
expect_silent east dn set 5002 --type extension --alias "east wins?"
expect_silent west dn set 5002 --type extension --alias "west wins?"
kill -CONT "$PID_east" "$PID_west"
expect_converged "after a conflicting edit of DN 5002 at both sites"
n_conf=$(( $(sq "$E" "SELECT count(*) FROM conflict WHERE key = \
    'extension:5002'") + $(sq "$W" "SELECT count(*) FROM conflict WHERE \
    key = 'extension:5002'") ))
if [ "$n_conf" -ge 1 ]; then pass; else fail "no conflict recorded"; fi
run "$BCADM" -s "$E" --format json conflicts list
e_json=$(cat "$T/stdout")
run "$BCADM" -s "$W" --format json conflicts list
w_json=$(cat "$T/stdout")
if printf '%s\n%s\n' "$e_json" "$w_json" | grep -q '5002'; then
	pass
else
	fail "bcadm conflicts lists DN 5002 at neither site"
fi
# the alias both sites kept is one of the two
a_e=$(dn_alias "$E" 5002)
case $a_e in
"east wins?"|"west wins?")	pass ;;
*)	fail "DN 5002 has alias '$a_e'" ;;
esac
if log_has east 'conflicts with west recorded' ||
    log_has west 'conflicts with east recorded'; then
	pass
else
	fail "no daemon logged the conflict"
fi

# Edits racing at both sites with the daemons running: 40 updates of the
# same 5 DNs from each side at once.
for n in 5101 5102 5103 5104 5105; do
	echo "dn add $n --type extension"
done >"$T/add.bcadm"
expect_silent east -f "$T/add.bcadm"
wait_until "the racing DNs reach west" 10 has_dn "$W" 5105
race() {
	_i=0
	while [ $_i -lt 8 ]; do
		for _n in 5101 5102 5103 5104 5105; do
			echo "dn set $_n --type extension --alias $1-$_i"
		done
		_i=$((_i + 1))
	done >"$T/race-$1.bcadm"
	"$BCADM" -s "$2" -f "$T/race-$1.bcadm" >/dev/null 2>"$T/race-$1.err"
}
race east "$E" &
r1=$!
race west "$W" &
r2=$!
wait "$r1" || fail "racing updates at east: $(head -n 2 "$T/race-east.err")"
wait "$r2" || fail "racing updates at west: $(head -n 2 "$T/race-west.err")"
expect_converged "after racing edits at both sites"
expect_silent east check
expect_silent west check

# ---- the feed API ----------------------------------------------------------
api east /v1/status
expect_equal "GET /v1/status with the token" "$code" 200
expect_json 'd["site"] == "east" and d["peer"] == "west" and d["protocol"] == 1'
expect_json 'd["peer_up"] is True and d["pending"] == 0 and d["seq"] > 0'
# the server only notes what a request acknowledges; the watcher stores
# it within a few seconds (the status shows it at once)
stored_ack() {
	[ "$(sqlite3 "$E" "SELECT acked FROM sync_feed WHERE peer = 'west'")" \
	    -ge "$(status_field east acked)" ] 2>/dev/null
}
wait_until "east stores the acknowledgement it took" 20 stored_ack
api east /v1/digest
expect_equal "GET /v1/digest" "$code" 200
cp "$T/stdout" "$T/digest.east"
api west /v1/digest
python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))["kinds"]
b = json.load(open(sys.argv[2]))["kinds"]
sys.exit(0 if a == b and a["dn"]["count"] > 0 else 1)' \
    "$T/digest.east" "$T/stdout" && pass ||
    fail "the digests of two converged sites differ"
api east /metrics
expect_equal "GET /metrics" "$code" 200
expect_stdout_matches '^bcsync_peer_up 1$'
expect_stdout_matches '^bcsync_seq [0-9]+$'
expect_stdout_matches '^bcsync_conflicts_open [0-9]+$'
api west /metrics
grep -Eq '^bcsync_applied_total [1-9]' "$T/stdout" && pass ||
    fail "west's metrics count no applied changes"
# below the floor (deletions the peer has were purged): 410
floor=$(status_field east floor)
if [ "$floor" -gt 0 ]; then pass; else fail "no tombstone purged"; fi
api east '/v1/changes?after=0'
expect_equal "GET /v1/changes below the floor" "$code" 410
expect_stdout_matches 'snapshot'
api east "/v1/changes?after=$floor&limit=2"
expect_equal "GET /v1/changes" "$code" 200
expect_stdout_contains 'c:document="changes"'
api east /v1/snapshot
expect_equal "GET /v1/snapshot" "$code" 200
expect_stdout_contains 'c:document="snapshot"'
expect_stdout_contains 'number="5001"'
api east /v1/nothing
expect_equal "an unknown path" "$code" 404
api east /v1/status -X DELETE
expect_equal "DELETE" "$code" 405

# a long poll returns the moment a change commits, not at its deadline
seq_e=$(status_field east seq)
t0=$(date +%s)
( sleep 0.5; "$BCADM" -s "$E" dn add 5003 --type extension ) &
api east "/v1/changes?after=$seq_e&wait=20"
t1=$(date +%s)
wait $!
expect_equal "a long poll answers" "$code" 200
expect_stdout_contains 'number="5003"'
if [ $((t1 - t0)) -lt $((3 * BC_SLOW)) ]; then
	pass
else
	fail "the long poll returned after $((t1 - t0)) s, not at the commit"
fi

# a field no XML can carry (a control character from the sqlite3 shell)
# is not sent: east answers 500 naming it and logs it, west applies
# nothing of that document; corrected, the change goes through
expect_silent east login add 4242 --password ok
login_pw() {	# STORE: the password of login 4242
	sq "$1" "SELECT password FROM agent_login WHERE code = '4242'"
}
has_pw() {
	[ "$(login_pw "$1")" = "$2" ]
}
wait_until "a new login reaches west" 10 has_pw "$W" ok
seq_e=$(status_field east seq)
sq "$E" "UPDATE agent_login SET password = 'bad' || char(1) \
    WHERE code = '4242'" || fail "sqlite3 update"
unsendable() {
	[ "$(status_field east seq)" -gt "$seq_e" ] &&
	    log_has east "changes: login '4242': password cannot be written as XML"
}
wait_until "east logs the field it cannot send" 10 unsendable
api east "/v1/changes?after=$seq_e"
expect_equal "GET /v1/changes with a field no XML carries" "$code" 500
expect_stdout_contains "login '4242': password cannot be written as XML"
expect_equal "west kept the last good password" "$(login_pw "$W")" ok
sq "$E" "UPDATE agent_login SET password = 'fixed' WHERE code = '4242'" ||
    fail "sqlite3 update"
wait_until "the corrected field reaches west" 10 has_pw "$W" fixed

# ---- authentication: no token, wrong token: 401 and nothing served ---------
for path in /v1/status /v1/snapshot '/v1/changes?after=0' /v1/digest /metrics
do
	for auth in "" "Authorization: Bearer wrong-token-0123456789" \
	    "Authorization: Bearer $(cat "$TOK_west")" \
	    "Authorization: Basic $(cat "$TOK_east")" \
	    "Authorization: Bearer $(cut -c1-20 "$TOK_east")"; do
		code=$(curl -s -D "$T/headers" -o "$T/stdout" \
		    -w '%{http_code}' --max-time 10 ${auth:+-H "$auth"} \
		    "$URL_east$path") || true
		_why=
		[ "$code" = 401 ] || _why="$_why; status $code, expected 401"
		[ -s "$T/stdout" ] && _why="$_why; a body was served"
		grep -qi '^X-Bcsync-Seq:' "$T/headers" &&
		    _why="$_why; the feed position was told (X-Bcsync-Seq)"
		if [ -z "$_why" ]; then
			pass
		else
			_a=${auth#Authorization: }
			last_cmd="curl $URL_east$path with '${_a%"${_a#??????????}"}...'"
			fail "a bad token: ${_why#; }"
		fi
	done
done
# content FILE: the store's dump without the positions of the replication
# itself (sync_feed), which the running daemons move in the background
# (an acknowledgement stored, an empty document's position)
content() {
	snapshot "$1" | grep -v '^INSERT INTO sync_feed'
}
# a push with a bad token applies nothing
before=$(content "$E")
code=$(curl -s -o "$T/stdout" -w '%{http_code}' --max-time 10 \
    -H "Authorization: Bearer $(cat "$TOK_west")" \
    --data-binary @"$T/digest.east" "$URL_east/v1/changes?force=1") || true
expect_equal "POST with the wrong token" "$code" 401
[ "$(content "$E")" = "$before" ] && pass || fail "the store changed"

# ---- protocol version: another one is refused -------------------------------
api east /v1/status -H 'X-Bcsync-Protocol: 2'
expect_equal "a request in protocol 2" "$code" 400
expect_stdout_matches 'protocol'
expect_log east 'protocol 2.*refused'
api east '/v1/changes?after=0' -H 'X-Bcsync-Protocol: 2'
expect_equal "a changes request in protocol 2" "$code" 400
expect_stdout_lacks '<site'
# a pushed document of protocol 2 is refused whole, nothing applied
api east "/v1/changes?after=$floor"
sed -e 's/c:protocol="1"/c:protocol="2"/' -e 's/name="east"/name="west"/' \
    "$T/stdout" >"$T/proto2.xml"
grep -q 'c:protocol="2"' "$T/proto2.xml" || fail "could not make the document"
before=$(content "$E")
api east /v1/changes --data-binary @"$T/proto2.xml" \
    -H 'Content-Type: application/xml'
expect_equal "a pushed document of protocol 2" "$code" 400
expect_stdout_matches 'protocol'
[ "$(content "$E")" = "$before" ] && pass ||
    fail "a document of protocol 2 changed the store"

# a malformed document (the valid one cut short) is refused whole
sed -e 's/c:protocol="2"/c:protocol="1"/' -e 's/alias="[^"]*"/alias="pushed"/g' \
    "$T/proto2.xml" >"$T/whole.xml"
grep -q 'alias="pushed"' "$T/whole.xml" || fail "no alias in the document"
head -c $(( $(wc -c <"$T/whole.xml") * 3 / 4 )) "$T/whole.xml" >"$T/cut.xml"
api east '/v1/changes?force=1' --data-binary @"$T/cut.xml"
expect_equal "a truncated document" "$code" 400
[ "$(content "$E")" = "$before" ] && pass ||
    fail "a truncated document changed the store"
# larger than [sync] max_body (64 MiB by default; 4096 set below): 413
# ---- SIGHUP reloads: a new token, a smaller max_body ------------------------
old_tok=$(cat "$TOK_east")
new_token "$T/tok.new"
cat "$T/tok.new" >"$TOK_east"	# same file, same mode
write_conf east max_body=4096
kill -HUP "$PID_east"
token_is_new() {
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	    -H "Authorization: Bearer $old_tok" "$URL_east/v1/status")
	[ "$code" = 401 ]
}
wait_until "after SIGHUP the old token gets 401" 10 token_is_new
api east /v1/status
expect_equal "after SIGHUP the new token gets 200" "$code" 200
expect_log east 'configuration reloaded'
head -c 8000 /dev/zero | tr '\0' x >"$T/big.xml"
api east /v1/changes --data-binary @"$T/big.xml"
expect_equal "a push larger than max_body" "$code" 413
# west still presents the old token until it reloads too
kill -HUP "$PID_west"
expect_silent east dn add 5004 --type extension
wait_until "replication goes on after both reloaded" 15 has_dn "$W" 5004
# a reload with a bad file keeps the running configuration
chmod 644 "$TOK_east"
kill -HUP "$PID_east"
wait_until "a bad reload is logged" 10 log_has east \
    'reload:.*keeping the running configuration'
api east /v1/status
expect_equal "the running token still works" "$code" 200
chmod 600 "$TOK_east"

# ---- SIGTERM: exit 0 ------------------------------------------------------
stop_site west
expect_equal "bcsync of west exits 0 on SIGTERM" "$stop_status" 0
expect_log west 'stopped'
# east sees its peer down, keeps serving
wait_until "east reports its peer down" 10 eval \
    '[ "$(status_field east peer_up)" = 0 ]'
stop_site east
expect_equal "bcsync of east exits 0 on SIGTERM" "$stop_status" 0
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    "$URL_east/v1/status") || true
expect_equal "nothing listens after SIGTERM" "$code" 000
expect_integrity "$E"
expect_integrity "$W"

finish
