#!/bin/sh
# check.sh -- bcadm check on a clean store and on stores broken with the
# sqlite3 shell (foreign keys off, CHECK constraints ignored).
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

CLEAN=$T/clean.db
STORE=$CLEAN
expect_silent bcadm init --site east
for spec in 5001:extension 5002:extension 5901:call-processing-port \
    6000:acd-queue 7000:routing-point; do
	expect_silent bcadm dn add "${spec%%:*}" --type "${spec#*:}"
done
expect_silent bcadm place add 'Desk A' --dn 5001 --dn 5901
expect_silent bcadm place add 'Desk B' --dn 5002
expect_silent bcadm place add 'Empty'
for c in 1001 1002 1003; do
	expect_silent bcadm login add $c
done
expect_silent bcadm person add ann --agent --login 1001:30 --place 'Desk A'
expect_silent bcadm person add bob --place Empty
expect_silent bcadm person add cat --agent --login 1002 --login 1003:10

# ---- clean ------------------------------------------------------------------------
snapshot >"$T/s-clean"
expect_silent bcadm check
expect_ok bcadm check --format json
expect_json_eq d '[]'
expect_ok bcadm --format json check
expect_json_eq d '[]'
expect_same_store "$T/s-clean"

# broken NAME SQL: a copy of the clean store with SQL applied
broken() {
	STORE=$T/$1.db
	rm -f "$STORE"
	sqlite3 "$CLEAN" ".backup '$STORE'" || fail "cannot copy the store"
	if ! sqlite3 "$STORE" "PRAGMA ignore_check_constraints = ON; $2"; then
		fail "$1: the SQL failed: $2"
	fi
}

# A DN's identity is (type, number): its NAME may carry the type,
# "dn '6000 (acd-queue)'".  DN NUMBER: the regex for it.
DN() {
	printf "dn '%s%s'" "$1" '( \([a-z-]+\))?'
}
# Python: the violations whose name, less a " (type)" suffix, is a[0].
named='[x for x in d if x["name"].split(" (")[0] == a[0]]'

# check_finds REGEX: bcadm check exits 1, reports on stdout (nothing on
# stderr), every line has the form "KIND 'NAME': MESSAGE", one matches
# REGEX, and the store is not changed.  KIND is dn, place, person, login
# or store (damage found by SQLite's own integrity check).
check_finds() {
	snapshot >"$T/s-before"
	run bcadm check
	check_status 1
	expect_stderr_empty
	expect_stdout_matches "$1"
	if grep -Evq "^(dn|place|person|login|store) '[^']*': ." "$T/stdout"; then
		fail "check output line not of the form KIND 'NAME': MESSAGE"
	else
		pass
	fi
	expect_same_store "$T/s-before"
	run bcadm check --format json
	check_status 1
	expect_json 'isinstance(d, list) and len(d) >= 1'
	expect_json 'all(set(x) == {"kind", "name", "message"} for x in d)'
	expect_json 'all(x["kind"] in ("dn", "place", "person", "login", "store") for x in d)'
	expect_json 'all(isinstance(x["message"], str) and x["message"] for x in d)'
}

# an acd-queue in a place
broken queue-in-place "UPDATE dn SET place_id =
    (SELECT id FROM place WHERE name = 'Desk B') WHERE number = '6000'"
check_finds "^$(DN 6000): "
run bcadm check --format json
expect_json "len($named) == 1 and $named[0]['kind'] == 'dn'" 6000

# a routing point in a place
broken rp-in-place "UPDATE dn SET place_id =
    (SELECT id FROM place WHERE name = 'Empty') WHERE number = '7000'"
check_finds "^$(DN 7000): "

# two extensions in one place (the unique index dropped first)
broken two-extensions "DROP INDEX dn_place_extension;
    UPDATE dn SET place_id = (SELECT id FROM place WHERE name = 'Desk A')
    WHERE number = '5002'"
check_finds "^(place 'Desk A'|$(DN 5002)): "

# a DN in a place that does not exist
broken dn-dangling "UPDATE dn SET place_id = 999 WHERE number = '5901'"
check_finds "^$(DN 5901): "

# a person's default place that does not exist
broken person-dangling "UPDATE person SET place_id = 999 WHERE username = 'bob'"
check_finds "^person 'bob': "

# a login assignment naming a login that does not exist
broken login-dangling "INSERT INTO person_login VALUES
    ((SELECT id FROM person WHERE username = 'ann'), 999, 0)"
check_finds "^person 'ann': "

# a login assignment of a person that does not exist
broken holder-dangling "DELETE FROM person_login WHERE login_id =
    (SELECT id FROM agent_login WHERE code = '1003');
    INSERT INTO person_login VALUES
    (999, (SELECT id FROM agent_login WHERE code = '1003'), 0)"
check_finds "^(login '1003'|person '999'): "

# a non-agent holding a login
broken non-agent-login "DELETE FROM person_login WHERE login_id =
    (SELECT id FROM agent_login WHERE code = '1003');
    INSERT INTO person_login VALUES
    ((SELECT id FROM person WHERE username = 'bob'),
     (SELECT id FROM agent_login WHERE code = '1003'), 0)"
check_finds "^person 'bob': "

# an agent without a login
broken agent-no-login "INSERT INTO person (username, agent) VALUES ('carl', 1)"
check_finds "^person 'carl': "

# an agent's default place without an extension
broken place-no-extension "UPDATE person SET place_id =
    (SELECT id FROM place WHERE name = 'Empty') WHERE username = 'ann'"
check_finds "^(place 'Empty'|person 'ann'): "

# all of them at once: each one named
broken all "
    UPDATE dn SET place_id = (SELECT id FROM place WHERE name = 'Desk B')
        WHERE number = '6000';
    UPDATE dn SET place_id = 999 WHERE number = '5901';
    UPDATE person SET place_id = 999 WHERE username = 'bob';
    INSERT INTO person (username, agent) VALUES ('carl', 1);
    INSERT INTO person (username, agent, place_id) VALUES ('dora', 1,
        (SELECT id FROM place WHERE name = 'Empty'));
    INSERT INTO person_login VALUES ((SELECT id FROM person
        WHERE username = 'dora'), 999, 0);"
check_finds "^$(DN 6000): "
run bcadm check
expect_stdout_matches "^$(DN 5901): "
expect_stdout_matches "^person 'bob': "
expect_stdout_matches "^person 'carl': "
expect_stdout_matches "^person 'dora': "
expect_stdout_matches "^(place 'Empty'|person 'dora'): .*(extension|place)"
check "at least 6 violations listed" test "$(wc -l <"$T/stdout")" -ge 6
run bcadm check --format json
expect_json 'len(d) >= 6'
expect_json 'all(any(x["name"].split(" (")[0] == n for x in d) for n in a)' \
    6000 5901 bob carl dora
expect_json_eq 'find(d, "name", "carl")["kind"]' '"person"'
expect_json "$named[0]['kind'] == 'dn'" 5901
# the text and JSON reports agree
run bcadm check
nt=$(wc -l <"$T/stdout")
run bcadm check --format json
expect_json 'len(d) == int(a[0])' "$nt"

# text no write of bcadm lets in (a control character, bad UTF-8, a BLOB):
# no XML document can carry it, so export and bcsync cannot send it
broken bad-text "UPDATE person SET last_name = 'x' || char(1)
    WHERE username = 'ann';
    UPDATE dn SET alias = CAST(x'ff' AS BLOB) WHERE number = '5002';
    UPDATE agent_login SET code = '10' || char(27) WHERE code = '1003'"
check_finds "^person 'ann': last name is not valid UTF-8 text"
run bcadm check
expect_stdout_matches "^$(DN 5002): alias is not valid UTF-8 text"
# a bad key names the object by its row id
expect_stdout_matches "^login '#[0-9]+': code is not valid UTF-8 text"
# the message shows the bad key's bytes escaped, not raw
expect_error 65 "^bcadm: login '10.x1b': code cannot be written as XML" bcadm export

broken bad-option "INSERT INTO dn_option (dn_id, section, key, value)
    SELECT id, 'TServer', 'x', 'v' || char(7) FROM dn WHERE number = '5001'"
run bcadm check
check_status 1
expect_stdout_matches "^option 'TServer/x': of dn '5001': section, key or value is not valid UTF-8 text"
expect_lines 1

# repairing with bcadm makes check clean again
STORE=$T/agent-no-login.db
expect_silent bcadm person del carl
expect_silent bcadm check

finish
