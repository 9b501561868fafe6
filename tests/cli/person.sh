#!/bin/sh
# person.sh -- bcadm person add/set/del/show/list, logins with wrap-up
# times, text and JSON.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

expect_silent bcadm init --site east
expect_ok bcadm person list
expect_lines 1
expect_ok bcadm person list --format json
expect_json_eq d '[]'

person_keys="username first last employee-id agent enabled preferred-site place login"
logins='sorted([x["code"], x["wrapup"]] for x in d["login"])'

expect_silent bcadm dn add 5001 --type extension
expect_silent bcadm dn add 5002 --type extension
expect_silent bcadm place add 'Desk A' --dn 5001
expect_silent bcadm place add 'Desk B' --dn 5002
for c in 1001 1002 1003 1004 1005; do
	expect_silent bcadm login add $c
done

# ---- a non-agent with defaults ---------------------------------------------
expect_silent bcadm person add bob
expect_ok bcadm person show bob
expect_line "username: bob"
expect_line "first: "
expect_line "last: "
expect_line "employee-id: "
expect_line "preferred-site: "
expect_line "place: "
expect_stdout_matches '^agent: '
expect_stdout_matches '^enabled: '
expect_no_line_matching '^login:'
grep '^enabled: ' "$T/stdout" >"$T/enabled-on"
grep '^agent: ' "$T/stdout" >"$T/agent-no"
expect_ok bcadm person show bob --format json
expect_json_keys d $person_keys
expect_json_eq 'd["username"]' '"bob"'
expect_json_eq 'd["first"]' null
expect_json_eq 'd["last"]' null
expect_json_eq 'd["employee-id"]' null
expect_json_eq 'd["agent"]' false
expect_json_eq 'd["enabled"]' true
expect_json_eq 'd["preferred-site"]' null
expect_json_eq 'd["place"]' null
expect_json_eq 'd["login"]' '[]'

# a non-agent may have a default place and every other field
expect_silent bcadm person set bob --first Bob --last Builder \
    --employee-id 42 --preferred-site east --place 'Desk B'
expect_ok bcadm person show bob --format json
expect_json_eq 'd["first"]' '"Bob"'
expect_json_eq 'd["last"]' '"Builder"'
expect_json_eq 'd["employee-id"]' '"42"'
expect_json_eq 'd["preferred-site"]' '"east"'
expect_json_eq 'd["place"]' '"Desk B"'
expect_json_eq 'd["agent"]' false

# ---- an agent with every option ----------------------------------------------
expect_silent bcadm person add alice --first Alice --last "O'Hara" \
    --employee-id E-17 --agent --preferred-site west --place 'Desk A' \
    --login 1001:30 --login=1002 --disabled
expect_ok bcadm person show alice
expect_line "username: alice"
expect_line "first: Alice"
expect_line "last: O'Hara"
expect_line "employee-id: E-17"
expect_line "preferred-site: west"
expect_line "place: Desk A"
expect_line "login: 1001:30"
expect_line "login: 1002:0"
grep '^enabled: ' "$T/stdout" >"$T/enabled-off"
grep '^agent: ' "$T/stdout" >"$T/agent-yes"
check "text 'enabled:' differs between enabled and disabled" \
    sh -c '! cmp -s "$1" "$2"' - "$T/enabled-on" "$T/enabled-off"
check "text 'agent:' differs between agent and non-agent" \
    sh -c '! cmp -s "$1" "$2"' - "$T/agent-yes" "$T/agent-no"
expect_ok bcadm person show alice --format json
expect_json_keys d $person_keys
expect_json_eq 'd["username"]' '"alice"'
expect_json_eq 'd["first"]' '"Alice"'
expect_json_eq 'd["last"]' "\"O'Hara\""
expect_json_eq 'd["employee-id"]' '"E-17"'
expect_json_eq 'd["agent"]' true
expect_json_eq 'd["enabled"]' false
expect_json_eq 'd["preferred-site"]' '"west"'
expect_json_eq 'd["place"]' '"Desk A"'
expect_json_eq "$logins" '[["1001", 30], ["1002", 0]]'
expect_json 'all(set(x) == {"code", "wrapup"} for x in d["login"])'
expect_ok bcadm login show 1001 --format json
expect_json_eq 'd["person"]' '"alice"'
expect_ok bcadm login show 1003 --format json
expect_json_eq 'd["person"]' null

# ---- set: --login replaces the list ---------------------------------------
expect_silent bcadm person set alice --login 1003:120 --login 1004:86400
expect_ok bcadm person show alice --format json
expect_json_eq "$logins" '[["1003", 120], ["1004", 86400]]'
expect_json_eq 'd["first"]' '"Alice"'
expect_json_eq 'd["place"]' '"Desk A"'
expect_ok bcadm person show alice
expect_line "login: 1003:120"
expect_line "login: 1004:86400"
expect_stdout_lacks "login: 1001"
expect_ok bcadm login show 1001 --format json
expect_json_eq 'd["person"]' null
expect_ok bcadm login show 1004 --format json
expect_json_eq 'd["person"]' '"alice"'
# change only a wrap-up time
expect_silent bcadm person set alice --login 1003:0 --login 1004:15
expect_ok bcadm person show alice --format json
expect_json_eq "$logins" '[["1003", 0], ["1004", 15]]'
# set without --login keeps the list
expect_silent bcadm person set alice --enabled --preferred-site east
expect_ok bcadm person show alice --format json
expect_json_eq "$logins" '[["1003", 0], ["1004", 15]]'
expect_json_eq 'd["enabled"]' true
expect_json_eq 'd["preferred-site"]' '"east"'
expect_json_eq 'd["agent"]' true
# --agent again on an agent is no change
expect_silent bcadm person set alice --agent
# --login '' empties the list
expect_silent bcadm person set alice --login ''
expect_ok bcadm person show alice --format json
expect_json_eq 'd["login"]' '[]'
expect_ok bcadm login show 1003 --format json
expect_json_eq 'd["person"]' null
expect_silent bcadm person set alice --login 1001:30
# '' clears the other fields
expect_silent bcadm person set alice --first '' --last '' --employee-id '' \
    --preferred-site '' --place '' --disabled
expect_ok bcadm person show alice --format json
expect_json_eq 'd["first"]' null
expect_json_eq 'd["last"]' null
expect_json_eq 'd["employee-id"]' null
expect_json_eq 'd["preferred-site"]' null
expect_json_eq 'd["place"]' null
expect_json_eq 'd["enabled"]' false
expect_json_eq "$logins" '[["1001", 30]]'
expect_ok bcadm person show alice
expect_line "first: "
expect_line "place: "
snapshot >"$T/s1"
expect_silent bcadm person set alice
expect_same_store "$T/s1"

# ---- list -----------------------------------------------------------------
expect_silent bcadm person add carol --agent --login 1002:5 --place 'Desk B'
expect_ok bcadm person list
expect_lines 4
expect_row alice
expect_row bob
expect_row carol
expect_ok bcadm person list --format json
expect_json 'len(d) == 3'
expect_json 'all(set(x) == set(a) for x in d)' $person_keys
expect_json_eq 'find(d, "username", "carol")["login"]' '[{"code": "1002", "wrapup": 5}]'
expect_json_eq 'find(d, "username", "carol")["agent"]' true
expect_json_eq 'find(d, "username", "bob")["agent"]' false
expect_json_eq 'find(d, "username", "bob")["place"]' '"Desk B"'

# ---- del releases the logins -------------------------------------------
expect_silent bcadm person del carol
expect_error 65 "^bcadm: person 'carol' does not exist$" bcadm person show carol
expect_ok bcadm login show 1002 --format json
expect_json_eq 'd["person"]' null
expect_silent bcadm login del 1002
expect_error 65 "'carol'" bcadm person del carol
expect_error 65 "'carol'" bcadm person set carol --first C
expect_error 65 "'alice'" bcadm person add alice
expect_error 65 "user ?name|empty" bcadm person add ''
expect_error 64 "." bcadm person add
expect_error 64 "extra" bcadm person show alice extra
expect_ok bcadm person list --format json
expect_json 'sorted(x["username"] for x in d) == ["alice", "bob"]'

finish
