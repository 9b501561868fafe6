#!/bin/sh
# bcsync-conf.sh -- bcsync(8) checks its configuration: -n says OK for a
# good bc.conf and exits 78 with one clear line for a bad one; a token
# file open to group or others (mode 0644), missing, empty or too short
# stops it before it listens, with a non-zero exit.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"
. "$BC_SRCDIR/tests/sync/lib-bcsync.sh"

bcsync_sites

# bad_conf DESC REGEX: bcsync -n and a start both refuse $T/east.conf,
# exit 78, say REGEX on stderr; nothing listens
bad_conf() {
	run "$BCSYNC" -n -c "$T/east.conf"
	if [ "$status" -eq 78 ] && grep -Eq -- "$2" "$T/stderr" &&
	    ! grep -q 'configuration OK' "$T/stderr"; then
		pass
	else
		fail "bcsync -n with $1: expected exit 78 and /$2/"
	fi
	# not -n: the daemon itself refuses to start (a deadline, not a hang)
	run timeout $((10 * BC_SLOW)) "$BCSYNC" -c "$T/east.conf"
	if [ "$status" -eq 78 ] && grep -Eq -- "$2" "$T/stderr"; then
		pass
	else
		fail "bcsync with $1: expected it to refuse to start (78)"
	fi
	answers east && fail "bcsync with $1 answers on its port"
	write_conf east
}

# ---- a good configuration ---------------------------------------------------
run "$BCSYNC" -n -c "$T/east.conf"
check_status 0
expect_stderr_matches 'configuration OK'
expect_stdout_empty
answers east && fail "bcsync -n started serving"
# -n does not need the store to exist yet
rm -f "$E"
run "$BCSYNC" -n -c "$T/west.conf"
check_status 0
expect_silent east init --site east

# ---- token files ------------------------------------------------------------
chmod 644 "$TOK_east"
bad_conf "a token file of mode 0644" \
    "token file .*tok.east.*(group or others|0644).*chmod 600"
chmod 640 "$TOK_east"
bad_conf "a token file of mode 0640" "group or others"
chmod 600 "$TOK_east"
# the peer's token file is checked the same way
chmod 604 "$TOK_west"
bad_conf "a peer token file of mode 0604" "tok.west.*group or others"
chmod 600 "$TOK_west"
mv "$TOK_east" "$T/tok.away"
bad_conf "a missing token file" "token file .*tok.east"
mv "$T/tok.away" "$TOK_east"
: >"$T/tok.empty"
chmod 600 "$T/tok.empty"
write_conf east "token_file = $T/tok.empty"
# [sync] token_file given twice: the second one wins or it is an error;
# either way an empty token must never be accepted
sed -i "/^token_file = .*tok.east\$/d" "$T/east.conf"
bad_conf "an empty token file" "empty|token"
printf 'short\n' >"$T/tok.short"
chmod 600 "$T/tok.short"
write_conf east
sed -i "s|^token_file = .*tok.east\$|token_file = $T/tok.short|" "$T/east.conf"
bad_conf "a token of 5 characters" "at least 16"

# ---- other mistakes ---------------------------------------------------------
printf '[sync]\nlisen = 127.0.0.1:1\n' >>"$T/east.conf"
bad_conf "an unknown key" "lisen"
sed -i '/^listen =/d' "$T/east.conf"
bad_conf "no [sync] listen" "listen"
sed -i 's/^name = west$/name = east/' "$T/east.conf"
bad_conf "[peer] name = the site's own" "own name"
sed -i 's|^url = http://|url = ftp://|' "$T/east.conf"
bad_conf "a peer URL of scheme ftp" "http:// or https://"
sed -i '/^\[peer\]/,/^$/{/^token_file/d}' "$T/east.conf"
bad_conf "a peer without token_file" "\\[peer\\] token_file"

# the good one still passes and starts
run "$BCSYNC" -n -c "$T/east.conf"
check_status 0
start_site east
stop_site east
expect_equal "SIGTERM after a clean start" "$stop_status" 0

# a port in use: a clear error, non-zero
start_site east
run timeout $((10 * BC_SLOW)) "$BCSYNC" -c "$T/east.conf"
if [ "$status" -ne 0 ] && [ "$status" -ne 124 ] &&
    grep -q 'cannot listen' "$T/stderr"; then
	pass
else
	fail "a second bcsync on the same port: expected 'cannot listen'"
fi
stop_site east

# -d detaches and writes the pid file; SIGTERM removes it
run "$BCSYNC" -d -p "$T/bcsync.pid" -c "$T/east.conf"
check_status 0
wait_until "the detached bcsync answers" 10 answers east
if [ -s "$T/bcsync.pid" ]; then
	dpid=$(cat "$T/bcsync.pid")
	bg_pids="$bg_pids $dpid"
	kill -TERM "$dpid"
	gone() { ! kill -0 "$dpid" 2>/dev/null; }
	wait_until "the detached bcsync stops on SIGTERM" 10 gone
	[ -e "$T/bcsync.pid" ] && fail "the pid file stays after SIGTERM"
else
	fail "no pid file from -d -p"
fi

finish
