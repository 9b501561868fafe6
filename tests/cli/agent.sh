#!/bin/sh
# agent.sh -- bcadm agent login/logout/ready/not-ready/list: agent state
# at this site, its refusals and exit statuses, text and JSON, and that it
# is runtime state (never in an export or a diff).
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

expect_silent bcadm init --site east
expect_ok bcadm agent list
expect_lines 1
expect_stdout_matches '^CODE +PERSON +DN +STATE'
expect_ok bcadm agent list --format json
expect_json_eq d '[]'

for n in 5001 5002 5003; do
	expect_silent bcadm dn add $n --type extension
done
expect_silent bcadm dn add 5004 --type extension --disabled
expect_silent bcadm dn add 7001 --type acd-queue
expect_silent bcadm dn add 8001 --type trunk
for c in 1001 1002 1003 1004 1005 1006; do
	expect_silent bcadm login add $c
done
expect_silent bcadm login add 1009 --disabled
expect_silent bcadm person add ann --agent --login 1001 --login 1002
expect_silent bcadm person add bob --agent --login 1003
expect_silent bcadm person add cat --agent --login 1005 --disabled
expect_silent bcadm person add dan --agent --login 1009
expect_silent bcadm person add eve --agent --login 1004

# ---- login, ready, not-ready, list ----------------------------------------
expect_silent bcadm agent login 1001 --dn 5001
expect_ok bcadm agent list
expect_lines 2
expect_row 1001 ann 5001 not-ready 0
expect_ok bcadm agent list --format json
expect_json_keys 'd[0]' code person dn state ready calls logout-pending \
    since login-at idle-since
expect_json_eq 'd[0]["code"]' '"1001"'
expect_json_eq 'd[0]["person"]' '"ann"'
expect_json_eq 'd[0]["dn"]' '"5001"'
expect_json_eq 'd[0]["state"]' '"not-ready"'
expect_json_eq 'd[0]["ready"]' false
expect_json_eq 'd[0]["calls"]' 0
expect_json 'd[0]["since"].endswith("Z")'

expect_silent bcadm agent ready 1001
expect_ok bcadm agent list --format json
expect_json_eq 'd[0]["state"]' '"ready"'
expect_json_eq 'd[0]["ready"]' true
expect_silent bcadm agent not-ready 1001
expect_ok bcadm agent list
expect_row 1001 ann 5001 not-ready
expect_silent bcadm agent ready 1001

expect_silent bcadm agent login 1003 --dn 5002
expect_ok bcadm agent list --format json
expect_json_eq '[x["code"] for x in d]' '["1001", "1003"]'
expect_json_eq 'find(d, "code", "1003")["dn"]' '"5002"'

# busy is bcsipd's: one call in progress shows as busy
sql "UPDATE agent_state SET calls = 1 WHERE code = '1003'"
expect_ok bcadm agent list
expect_row 1003 bob 5002 busy 1

# ---- refusals: one line, exit status 65, nothing written --------------------
expect_error 65 "^bcadm: person 'ann' of agent login '1002' is logged in already with login '1001' on dn '5001'$" \
    bcadm agent login 1002 --dn 5003
expect_error 65 "agent login '1001' is logged in already" \
    bcadm agent login 1001 --dn 5003
expect_error 65 "^bcadm: dn '5001' has agent login '1001' \(person 'ann'\) logged in already$" \
    bcadm agent login 1004 --dn 5001
expect_error 65 "^bcadm: dn '7001' is of type acd-queue, not an extension" \
    bcadm agent login 1004 --dn 7001
expect_error 65 "dn '8001' is of type trunk, not an extension" \
    bcadm agent login 1004 --dn 8001
expect_error 65 "^bcadm: dn '5999' .*does not exist$" \
    bcadm agent login 1004 --dn 5999
expect_error 65 "^bcadm: extension '5004' is disabled$" \
    bcadm agent login 1004 --dn 5004
expect_error 65 "^bcadm: agent login '1006' is held by no person$" \
    bcadm agent login 1006 --dn 5003
expect_error 65 "^bcadm: agent login '1999' does not exist$" \
    bcadm agent login 1999 --dn 5003
expect_error 65 "^bcadm: agent login '1009' is disabled$" \
    bcadm agent login 1009 --dn 5003
expect_error 65 "^bcadm: person 'cat' holding agent login '1005' is disabled$" \
    bcadm agent login 1005 --dn 5003
expect_error 65 "^bcadm: agent login '1004' is not logged in$" \
    bcadm agent logout 1004
expect_error 65 "^bcadm: agent login '1004' is not logged in$" \
    bcadm agent ready 1004
expect_error 65 "^bcadm: agent login '1004' is not logged in$" \
    bcadm agent not-ready 1004
# usage errors: 64
expect_error 64 "agent login: option '--dn NUMBER' is required" \
    bcadm agent login 1004
expect_error 64 "agent login: missing CODE" bcadm agent login --dn 5003
expect_error 64 "unexpected argument" bcadm agent logout 1001 1003
expect_error 64 "unexpected argument" bcadm agent list 1001
expect_error 64 "unknown command 'agent frobnicate'" bcadm agent frobnicate
# a missing store: 66
expect_error 66 "cannot open store" "$BCADM" -s "$T/none.db" agent list

# ---- logout; the freed DN and person can log in again -----------------------
expect_silent bcadm agent logout 1001
expect_ok bcadm agent list --format json
expect_json_eq '[x["code"] for x in d]' '["1003"]'
expect_silent bcadm agent login 1002 --dn 5001
expect_ok bcadm agent list
expect_row 1002 ann 5001 not-ready

# ---- runtime state: never exported, never a difference ----------------------
expect_ok bcadm export
expect_stdout_lacks 'agent_state'
expect_stdout_lacks 'not-ready'
cp "$STORE" "$T/peer.db"
"$BCADM" -s "$T/peer.db" agent logout 1002 >/dev/null 2>&1 ||
    fail "cannot log out on the copy"
"$BCADM" -s "$T/peer.db" agent logout 1003 >/dev/null 2>&1 ||
    fail "cannot log out on the copy"
expect_ok bcadm diff "$STORE" "$T/peer.db"
expect_stdout_lacks '1002'
check "the copy has no agent logged in" \
    test "$("$BCADM" -s "$T/peer.db" --format json agent list)" = "[]"

# ---- bcadm sip status / sip shutdown, without a running bcsipd ------------------
expect_ok bcadm sip status
expect_lines 1
expect_stdout_matches '^NAME +VALUE +SINCE +DETAIL'
expect_silent bcadm sip shutdown --graceful
expect_ok bcadm sip status
expect_row shutdown requested
expect_ok bcadm sip status --format json
expect_json_keys 'd[0]' name value since since-unix detail
expect_json_eq '[x["name"] for x in d]' '["shutdown"]'
expect_json_eq 'd[0]["value"]' '"requested"'
expect_json 'd[0]["since"].endswith("Z") and d[0]["since-unix"] > 0'
expect_error 64 "sip shutdown: option '--graceful' is required" \
    bcadm sip shutdown
expect_error 64 "unexpected argument" bcadm sip status now

# ---- [TServer] in bc.conf: checked by every program ---------------------------
tserver_conf() {
	printf '[site]\nname = east\nstore = %s\n[TServer]\n%s\n' "$STORE" \
	    "$1" >"$T/bc.conf"
}
tserver_conf 'dr-peer-trunk = 9001
dr-forward = no-agent
shutdown-sip-reject-code = 302'
expect_ok "$BCADM" -c "$T/bc.conf" agent list
tserver_conf 'dr-forward = sometimes'
expect_error 78 "dr-forward: 'sometimes' is not off, no-agent or oos" \
    "$BCADM" -c "$T/bc.conf" agent list
tserver_conf 'shutdown-sip-reject-code = 200'
expect_error 78 "shutdown-sip-reject-code '200' is not a number from 300 to 603" \
    "$BCADM" -c "$T/bc.conf" agent list
tserver_conf 'oos-check = 5'
expect_error 78 "unknown key 'oos-check' in section \[TServer\]" \
    "$BCADM" -c "$T/bc.conf" agent list

# ---- the console completes and runs the commands ----------------------------
expect_ok bcadm help
expect_stdout_contains 'bcadm agent login CODE --dn NUMBER'
expect_stdout_contains 'bcadm agent not-ready CODE'
expect_ok bcadm agent login -h
expect_stdout_contains 'bcadm agent login CODE --dn NUMBER'

finish
