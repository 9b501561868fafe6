# lib-sync.sh -- helpers for the two-site tests of tests/sync (POSIX sh,
# sourced after tests/cli/lib.sh).
#
#	E, W			the stores of sites east and west ($T/east.db,
#				$T/west.db); STORE is E
#	east ARGS... / west ARGS...	bcadm -s E / -s W
#	bc ARGS...		bcadm without a store
#	two_sites		(re)creates both stores, empty
#	expect_in_sync		bcadm diff E W exits 0, prints nothing
#	expect_diff_items N	bcadm --format json diff E W exits 1 and
#				lists N items (stdout stays for JSON checks)
#	meta STORE KIND KEY	"hlc|origin|hash|deleted" of a sync_meta row
#	expect_integrity FILE	PRAGMA integrity_check says ok
#	count_synced FILE	live synchronized objects (sync_meta rows)

E=$T/east.db
W=$T/west.db
STORE=$E

east() {
	"$BCADM" -s "$E" "$@"
}

west() {
	"$BCADM" -s "$W" "$@"
}

bc() {
	"$BCADM" "$@"
}

two_sites() {
	rm -f "$E" "$W" "$E"-* "$W"-*
	expect_silent east init --site east
	expect_silent west init --site west
}

expect_in_sync() {
	run "$BCADM" diff "$E" "$W"
	if [ "$status" -eq 0 ] && [ ! -s "$T/stdout" ] && [ ! -s "$T/stderr" ]
	then
		pass
	else
		fail "${1:-stores differ}: diff east west should exit 0 silently"
	fi
}

expect_diff_items() {
	run "$BCADM" --format json diff "$E" "$W"
	check_status "${2:-1}"
	json_run true 'len(d) == int(a[0])' "$1"
}

meta() {
	sqlite3 "$1" "SELECT hlc || '|' || origin || '|' || coalesce(hash, '') \
	    || '|' || deleted FROM sync_meta WHERE kind = '$2' AND key = '$3'"
}

expect_integrity() {
	_ic=$(sqlite3 "$1" 'PRAGMA integrity_check' 2>&1)
	if [ "$_ic" = ok ]; then
		pass
	else
		fail "integrity_check of $1: $_ic"
	fi
}

count_synced() {
	sqlite3 "$1" 'SELECT count(*) FROM sync_meta WHERE deleted = 0'
}
