#!/bin/sh
# init.sh -- bcadm init, and how bcadm finds its store and configuration.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

nschema=$(ls "$BC_SRCDIR"/schema/*.sql | wc -l)

# ---- init -----------------------------------------------------------------
expect_silent bcadm init --site east
check "init creates the store" test -f "$STORE"
check "site row is east/east" \
    test "$(sql 'SELECT name || "/" || switch FROM site')" = east/east
check "store is in WAL mode" \
    test "$(sql 'PRAGMA journal_mode')" = wal
check "a new store has 16 KiB pages" \
    test "$(sql 'PRAGMA page_size')" = 16384
check "store is at the latest schema version ($nschema)" \
    test "$(sql 'PRAGMA user_version')" = "$nschema"
expect_ok bcadm dn list
expect_lines 1				# the header only

# init again: the store exists
expect_error 73 "store.db" bcadm init --site east
expect_error 73 "store.db" bcadm init --site west --switch w1

# --switch, and --opt=VALUE
STORE=$T/sw.db
expect_silent bcadm init --site=west --switch=sw-west-1
check "--switch sets the switch name" \
    test "$(sql 'SELECT name || "/" || switch FROM site')" = west/sw-west-1

# init with bad arguments creates nothing
STORE=$T/bad.db
expect_error 64 "site" bcadm init
expect_error 64 "." bcadm init --site
expect_error 64 "extra" bcadm init --site east extra
expect_error 64 "bogus" bcadm init --site east --bogus
expect_error 65 "site" bcadm init --site ''
expect_error 65 "site.*longer than 255" bcadm init --site "$(repeat 256 s)"
expect_error 65 "switch" bcadm init --site east --switch "$(repeat 256 w)"
check "failed inits left no file" test ! -e "$STORE"
expect_silent bcadm init --site "$(repeat 255 s)"
check "a 255-character site name is stored" \
    test "$(sql 'SELECT length(name) FROM site')" = 255

# a directory that does not exist
STORE=$T/nodir/store.db
expect_error 73 "nodir/store.db" bcadm init --site east
check "no directory was created" test ! -e "$T/nodir"

# ---- store resolution ---------------------------------------------------
A=$T/a.db
B=$T/b.db
C=$T/c.db

# -s
expect_silent "$BCADM" -s "$A" init --site a
expect_silent "$BCADM" -s "$A" dn add 1001 --type extension

# BC_STORE
run env BC_STORE="$B" "$BCADM" init --site b
check_status 0
check "BC_STORE names the store init creates" test -f "$B"
run env BC_STORE="$B" "$BCADM" dn add 2002 --type extension
check_status 0
run env BC_STORE="$B" "$BCADM" dn list
check_status 0
expect_row 2002
expect_stdout_lacks 1001

# -s wins over BC_STORE
run env BC_STORE="$B" "$BCADM" -s "$A" dn list
check_status 0
expect_row 1001
expect_stdout_lacks 2002

# [site] store of a configuration file
cat >"$T/c.conf" <<EOF
# a comment
[site]
name = c
store = $C
busy_timeout = 1000
EOF
expect_silent "$BCADM" -c "$T/c.conf" init --site c
check "[site] store names the store init creates" test -f "$C"
expect_silent "$BCADM" -c "$T/c.conf" dn add 3003 --type extension
check "the DN went into the config's store" \
    test "$(sqlite3 "$C" 'SELECT number FROM dn')" = 3003
run "$BCADM" -c "$T/c.conf" dn list
check_status 0
expect_row 3003

# BC_STORE wins over the config, -s over both
run env BC_STORE="$B" "$BCADM" -c "$T/c.conf" dn list
check_status 0
expect_row 2002
expect_stdout_lacks 3003
run env BC_STORE="$B" "$BCADM" -c "$T/c.conf" -s "$A" dn list
check_status 0
expect_row 1001
expect_stdout_lacks 3003
expect_stdout_lacks 2002

# ---- configuration errors ------------------------------------------------
STORE=$A
expect_error 78 "nope.conf" "$BCADM" -c "$T/nope.conf" -s "$A" dn list
expect_error 78 "nope.conf" "$BCADM" -c "$T/nope.conf" dn list
STORE=$T/none.db
expect_error 78 "nope.conf" "$BCADM" -c "$T/nope.conf" init --site x

# no store anywhere
if [ -e /etc/sipbc/bc.conf ]; then
	note "/etc/sipbc/bc.conf exists: default-config 'no store' case skipped"
else
	expect_error 78 "^bcadm: no store: use -s STORE, BC_STORE or \[site\] store in " \
	    "$BCADM" dn list
	expect_error 78 "^bcadm: no store" "$BCADM" init --site x
fi
printf '[site]\nname = lonely\n' >"$T/nostore.conf"
expect_error 78 "^bcadm: no store" "$BCADM" -c "$T/nostore.conf" dn list

# unknown key, unknown section, unparsable line
STORE=$A
printf '[site]\nname = a\ncolour = blue\n' >bad-key.conf
expect_error 78 "^bcadm: bad-key\.conf:3: unknown key 'colour' in section \[site\]$" \
    "$BCADM" -c bad-key.conf -s "$A" dn list
expect_error 78 "^bcadm: bad-key\.conf:3: unknown key 'colour'" \
    "$BCADM" -c bad-key.conf dn list
printf '[site]\nstore = %s\n[sight]\nname = a\n' "$A" >bad-section.conf
expect_error 78 "bad-section\.conf:[34]:.*sight" \
    "$BCADM" -c bad-section.conf dn list
printf '[site]\nstore = %s\nthis line is not ini\n' "$A" >bad-syntax.conf
expect_error 78 "bad-syntax\.conf" "$BCADM" -c bad-syntax.conf dn list
printf '[site]\nstore = %s\nbusy_timeout = soon\n' "$A" >bad-value.conf
expect_error 78 "bad-value\.conf.*busy_timeout" \
    "$BCADM" -c bad-value.conf dn list

# a good configuration together with -s
printf '[site]\nname = a\nbusy_timeout = 100\n' >good.conf
run "$BCADM" -c good.conf -s "$A" dn list
check_status 0
expect_row 1001

# init through the config into a missing directory
printf '[site]\nstore = %s/nodir/x.db\n' "$T" >nodir.conf
STORE=$T/nodir/x.db
expect_error 73 "nodir/x\.db" "$BCADM" -c nodir.conf init --site x

finish
