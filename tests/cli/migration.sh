#!/bin/sh
# migration.sh -- a store of schema version 1 is brought to the latest
# version when bcadm opens it, in one transaction.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

# the latest version is the highest file number (numbers may leave gaps)
nschema=$(ls "$BC_SRCDIR"/schema/ | sed -n 's/^0*\([0-9][0-9]*\)-.*\.sql$/\1/p' |
    sort -n | tail -n 1)
[ "${nschema:-0}" -ge 2 ] || skip_all "only one schema version: nothing to migrate"

# make_v1 FILE: a version 1 store as an old bcadm left it
make_v1() {
	sqlite3 "$1" <"$BC_SRCDIR/schema/001-initial.sql" &&
	sqlite3 "$1" "PRAGMA user_version = 1;
	    INSERT INTO site (id, name, switch) VALUES (1, 'east', 'sw-east');
	    INSERT INTO place (name) VALUES ('Desk A');
	    INSERT INTO dn (type, number, alias, register, place_id)
	        VALUES ('extension', '5001', 'Old desk', 'on-demand',
	        (SELECT id FROM place WHERE name = 'Desk A'));
	    INSERT INTO dn (type, number) VALUES ('acd-queue', '6000');
	    INSERT INTO agent_login (code, override) VALUES ('1001', '77');
	    INSERT INTO person (username, agent, place_id) VALUES ('ann', 1,
	        (SELECT id FROM place WHERE name = 'Desk A'));
	    INSERT INTO person_login VALUES ((SELECT id FROM person),
	        (SELECT id FROM agent_login), 45);" ||
	fail "cannot make a version 1 store $1"
}

make_v1 "$STORE"
check "the fixture is at version 1" test "$(sql 'PRAGMA user_version')" = 1

# a read command migrates
expect_ok bcadm dn list
expect_row 5001 extension
expect_row 6000 acd-queue
expect_lines 3
check "the store is at the latest version ($nschema) after dn list" \
    test "$(sql 'PRAGMA user_version')" = "$nschema"
check "the option tables exist" \
    test "$(sql "SELECT count(*) FROM sqlite_master WHERE name IN ('dn_option', 'place_option', 'login_option')")" = 3
check "an old store keeps its page size" \
    test "$(sql 'PRAGMA page_size')" = 4096

# the old data is intact and the new features work
expect_ok bcadm dn show 5001 --format json
expect_json_eq 'd["alias"]' '"Old desk"'
expect_json_eq 'd["register"]' '"on-demand"'
expect_json_eq 'd["place"]' '"Desk A"'
expect_json_eq 'd["option"]' '{}'
expect_ok bcadm person show ann --format json
expect_json_eq 'd["login"]' '[{"code": "1001", "wrapup": 45}]'
expect_json_eq 'd["agent"]' true
expect_ok bcadm login show 1001 --format json
expect_json_eq 'd["override"]' '"77"'
expect_json_eq 'd["person"]' '"ann"'
expect_silent bcadm check
expect_silent bcadm dn set 5001 --option TServer/dr-forward=no-agent
expect_ok bcadm dn show 5001 --format json
expect_json_eq 'd["option"]' '{"TServer": {"dr-forward": "no-agent"}}'

# opening a current store changes nothing
snapshot >"$T/s1"
expect_ok bcadm dn list
expect_ok bcadm check
expect_same_store "$T/s1"

# a write command migrates too
STORE=$T/v1-write.db
make_v1 "$STORE"
expect_silent bcadm login add 1002 --option TServer/x=1
check "the store is at the latest version after login add" \
    test "$(sql 'PRAGMA user_version')" = "$nschema"
expect_ok bcadm login show 1002 --format json
expect_json_eq 'd["option"]' '{"TServer": {"x": "1"}}'

# a migration that fails leaves the store as it was (one transaction)
STORE=$T/v1-broken.db
make_v1 "$STORE"
sql 'CREATE TABLE place_option (x)'	# in the way of version 2
snapshot >"$T/s2"
run bcadm dn list
if [ "$status" -ne 0 ]; then
	pass
else
	fail "a failed migration was not reported"
fi
check "one line on stderr starting 'bcadm: '" \
    sh -c 'test "$(wc -l <"$1")" -eq 1 && grep -q "^bcadm: " "$1"' - "$T/stderr"
expect_stdout_empty
expect_same_store "$T/s2"
check "the failed store stays at version 1" test "$(sql 'PRAGMA user_version')" = 1
check "no table of version 2 was left behind" \
    test "$(sql "SELECT count(*) FROM sqlite_master WHERE name IN ('dn_option', 'login_option')")" = 0

finish
