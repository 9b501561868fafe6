#!/bin/sh
# store-errors.sh -- stores that are missing, not databases, not sipbc
# stores, too new, read-only or busy.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"

# ---- not a SQLite database -------------------------------------------------
STORE=$T/junk.db
awk 'BEGIN { for (i = 0; i < 100; i++) print "this is not a SQLite database, line " i }' \
    >"$STORE"
cp "$STORE" "$T/junk.orig"
expect_error 66 "^bcadm: cannot open store '$STORE': file is not a database$" \
    bcadm dn list
expect_error 66 "'$STORE'" bcadm dn add 5001 --type extension
expect_error 66 "'$STORE'" bcadm check
expect_error 66 "'$STORE'" bcadm place show x
check "the file is unchanged" cmp -s "$STORE" "$T/junk.orig"
check "no -wal/-shm files are left" \
    test ! -e "$STORE-wal" -a ! -e "$STORE-shm" -a ! -e "$STORE-journal"

# ---- an empty file and a database that is not a sipbc store ---------------------
STORE=$T/empty.db
: >"$STORE"
expect_error 66 "'$STORE'" bcadm dn list
expect_error 66 "'$STORE'" bcadm dn add 5001 --type extension
check "the empty file stays empty" test ! -s "$STORE"

STORE=$T/other.db
sqlite3 "$STORE" 'CREATE TABLE t (x); INSERT INTO t VALUES (1);'
expect_error 66 "'$STORE'" bcadm dn list
expect_error 66 "'$STORE'" bcadm login add 1001

# ---- missing --------------------------------------------------------------------
STORE=$T/missing.db
expect_error 66 "'$STORE'" bcadm dn list
expect_error 66 "'$STORE'" bcadm dn add 5001 --type extension
expect_error 66 "'$STORE'" bcadm check
expect_error 66 "'$STORE'" bcadm person show x
check "no store file was created" test ! -e "$STORE"
check "no -wal/-shm files were created" \
    test ! -e "$STORE-wal" -a ! -e "$STORE-shm" -a ! -e "$STORE-journal"
STORE=$T/nodir/missing.db
expect_error 66 "'$STORE'" bcadm dn list
check "no directory was created" test ! -e "$T/nodir"
# a directory is not a store
mkdir "$T/adir"
STORE=$T/adir
expect_error 66 "'$STORE'" bcadm dn list

# ---- written by a newer schema -------------------------------------------------
STORE=$T/new.db
expect_silent bcadm init --site east
expect_silent bcadm dn add 5001 --type extension
sql 'PRAGMA user_version = 99'
expect_error 66 "'$STORE'" bcadm dn list
expect_error 66 "'$STORE'" bcadm dn add 5002 --type extension
expect_error 66 "'$STORE'" bcadm check
check "user_version stays 99" test "$(sql 'PRAGMA user_version')" = 99
# an existing store (73) written by a newer schema (66): either will do
expect_error "66|73" "'$STORE'" bcadm init --site east

# ---- read-only (run as nobody; root ignores file permissions) -----------------
if ! have_setpriv; then
	note "not root or no setpriv: read-only store cases skipped"
elif ! setpriv --reuid=nobody --regid=nogroup --clear-groups true \
    2>/dev/null; then
	note "setpriv cannot switch to nobody: read-only store cases skipped"
else
	chmod 755 "$T"
	# A: the store and its directory belong to root (mode 644 / 755)
	mkdir "$T/ro"
	chmod 755 "$T/ro"
	STORE=$T/ro/store.db
	expect_silent bcadm init --site east
	expect_silent bcadm dn add 5001 --type extension --alias ro
	run bcadm_as_nobody dn list
	check_status 0
	expect_row 5001
	run bcadm_as_nobody dn show 5001 --format json
	check_status 0
	expect_json_eq 'd["alias"]' '"ro"'
	run bcadm_as_nobody check
	check_status 0
	expect_error 73 "'$STORE'.*read-only|read-only.*'$STORE'" \
	    bcadm_as_nobody dn add 5002 --type extension
	expect_error 73 "'$STORE'" bcadm_as_nobody dn set 5001 --alias x
	expect_error 73 "'$STORE'" bcadm_as_nobody dn del 5001
	expect_error 73 "'$STORE'" bcadm_as_nobody place add P
	expect_error 73 "'$STORE'" bcadm_as_nobody init --site east
	check "nobody left no -wal/-shm files" \
	    test ! -e "$STORE-wal" -a ! -e "$STORE-shm"

	# B: a directory nobody may write, a store file it may not
	mkdir "$T/rw"
	STORE=$T/rw/store.db
	expect_silent bcadm init --site east
	expect_silent bcadm dn add 5001 --type extension
	chown nobody "$T/rw"
	run bcadm_as_nobody dn list
	check_status 0
	expect_row 5001
	expect_error 73 "'$STORE'" bcadm_as_nobody dn add 5002 --type extension
	expect_error 73 "'$STORE'" bcadm_as_nobody login add 1001

	# C: unreadable store file -> 66
	STORE=$T/ro/secret.db
	expect_silent bcadm init --site east
	chmod 600 "$STORE"
	expect_error 66 "'$STORE'" bcadm_as_nobody dn list
	expect_error 66 "'$STORE'" bcadm_as_nobody dn add 5002 --type extension

	# D: nobody may write the store (and its -wal and -shm, kept) but
	# not its directory: an import into it, empty, cannot take a
	# rollback journal there and goes through the WAL
	expect_silent bcadm dn add 7001 --type extension
	expect_silent bcadm place add 'Place D' --dn 7001
	expect_silent bcadm export -o "$T/d.xml"
	chmod 644 "$T/d.xml"
	mkdir "$T/d"
	chmod 755 "$T/d"
	STORE=$T/d/store.db
	expect_silent bcadm init --site east
	chown nobody "$STORE" "$STORE-wal" "$STORE-shm"
	expect_silent bcadm_as_nobody import "$T/d.xml"
	run bcadm_as_nobody place show 'Place D'
	check_status 0
	expect_line 'dn: extension:7001'
	check "no journal left" test ! -e "$STORE-journal"
	check "still in WAL mode" test "$(sql 'PRAGMA journal_mode')" = wal
	chmod 700 "$T"
fi

# ---- busy: another process holds the write lock ---------------------------------
STORE=$T/busy.db
expect_silent bcadm init --site east
expect_silent bcadm dn add 5001 --type extension
printf '[site]\nstore = %s\nbusy_timeout = 200\n' "$STORE" >"$T/busy.conf"
mkfifo "$T/fifo"
sqlite3 "$STORE" <"$T/fifo" >"$T/lock.out" 2>&1 &
lockpid=$!
bg_pids="$bg_pids $lockpid"
exec 3>"$T/fifo"
# the holder waits for the lock rather than failing at once when the
# probe below happens to hold it at that moment
echo '.timeout 10000' >&3
echo 'BEGIN IMMEDIATE;' >&3
echo "INSERT INTO place (name) VALUES ('uncommitted');" >&3
locked=no
i=0
while [ $i -lt 100 ]; do
	if ! sqlite3 "$STORE" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1; then
		locked=yes
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
check "the sqlite3 shell holds the write lock" test $locked = yes

t0=$(date +%s)
expect_error 75 "'$STORE'" "$BCADM" -c "$T/busy.conf" dn add 5002 --type extension
t1=$(date +%s)
check "busy_timeout 200 ms: gave up within 3 s (took $((t1 - t0)) s)" \
    test $((t1 - t0)) -le 3
expect_stderr_matches "busy|locked"
expect_error 75 "'$STORE'" "$BCADM" -c "$T/busy.conf" place add P
expect_error 75 "'$STORE'" "$BCADM" -c "$T/busy.conf" -s "$STORE" dn del 5001
# readers are not blocked (WAL)
run "$BCADM" -c "$T/busy.conf" dn list
check_status 0
expect_row 5001
run bcadm check
check_status 0
run bcadm place list --format json
check_status 0
expect_json_eq d '[]'
# the default busy_timeout (5000 ms) waits for the lock to go away
( sleep 2; echo 'COMMIT;' >&3 ) &
releaser=$!
bg_pids="$bg_pids $releaser"
t0=$(date +%s)
expect_silent bcadm dn add 5003 --type extension
t1=$(date +%s)
check "the write waited for the lock (took $((t1 - t0)) s)" test $((t1 - t0)) -ge 1
wait "$releaser"
exec 3>&-
wait "$lockpid"
check "the lock holder committed" test "$(sql "SELECT count(*) FROM place WHERE name = 'uncommitted'")" = 1
run bcadm dn list --format json
expect_json 'sorted(x["number"] for x in d) == ["5001", "5003"]'

finish
