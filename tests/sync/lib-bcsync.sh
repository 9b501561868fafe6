# lib-bcsync.sh -- helpers for the bcsync(8) integration tests (POSIX sh,
# sourced after tests/cli/lib.sh and tests/sync/lib-sync.sh).
#
# Two sites, east and west, each with its store ($E, $W from
# lib-sync.sh), a token file, a bc.conf and a bcsync on 127.0.0.1 at a
# port chosen free at run time.  Every bcsync started here is stopped on
# exit (the EXIT trap of lib.sh is replaced by one that also stops them).
#
#	BCSYNC			the daemon ($BC_BUILDDIR/sync/bcsync unless set)
#	PORT_east, PORT_west	the ports; URL_east, URL_west the base URLs
#	TOK_east, TOK_west	the token files (what each site's server wants)
#	bcsync_sites [KEY=VALUE...]
#				(re)creates both stores (empty), tokens, ports
#				and confs; KEY=VALUE lines go to both [sync]
#	write_conf SITE [KEY=VALUE...]
#				writes $T/SITE.conf ([sync] extra keys; the
#				variables SCHEME (http) and PEER_TLS_CA, SYNC_TLS
#				(lines) shape it)
#	start_site SITE [ARGS...]	starts bcsync -c $T/SITE.conf -v (logs
#				appended to $T/SITE.log) and waits until its
#				server answers; PID_SITE is its pid
#	stop_site SITE		SIGTERM, waits (deadline); $stop_status gets the
#				exit status
#	kill_site SITE		SIGKILL, waits
#	api SITE PATH [CURL ARGS...]
#				curl with SITE's token; body to $T/stdout, the
#				HTTP code to $code (000: no answer)
#	status_field SITE FIELD	one field of SITE's /v1/status
#	wait_until DESC SECONDS CMD...
#				runs CMD every 50 ms until it succeeds: pass, or
#				fail DESC at the deadline (the assertion is the
#				condition, never the sleep)
#	converged		bcadm diff E W exits 0 (quiet, for wait_until)
#	expect_converged DESC	wait_until converged, then expect_in_sync
#	sq FILE SQL...		sqlite3 with a busy timeout (the daemons write)

BCSYNC=${BCSYNC:-${BC_BUILDDIR:-}/sync/bcsync}
[ -x "$BCSYNC" ] || skip_all "bcsync not built ($BCSYNC)"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 not installed"

# The sanitizer build is several times slower: deadlines scale with it.
BC_SLOW=${BC_SLOW:-1}
if nm "$BCSYNC" 2>/dev/null | grep -q __asan_init; then
	BC_SLOW=3
fi

SCHEME=http
SYNC_TLS=
PEER_TLS_east=
PEER_TLS_west=
site_pids=

bcsync_cleanup() {
	[ -n "${BC_KEEP_LOGS:-}" ] && cp "$T"/*.log "$BC_KEEP_LOGS"/ 2>/dev/null
	for _p in $site_pids $bg_pids; do
		kill -TERM "$_p" 2>/dev/null
	done
	for _p in $site_pids $bg_pids; do
		# a daemon that does not stop in 5 s is killed
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		kill -KILL "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	cd / && rm -rf "$T"
}
trap bcsync_cleanup EXIT

sq() {
	_f=$1
	shift
	sqlite3 -cmd '.timeout 10000' "$_f" "$@"
}

# free_ports N: N distinct TCP ports free on 127.0.0.1 now (all sockets
# stay bound until every port is chosen).
free_ports() {
	python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
' "$1"
}

other() {
	case $1 in
	east)	echo west ;;
	*)	echo east ;;
	esac
}

write_conf() {
	_s=$1
	shift
	_o=$(other "$_s")
	eval "_port=\$PORT_$_s _oport=\$PORT_$_o _ptls=\$PEER_TLS_$_s"
	{
		printf '[site]\nname = %s\nstore = %s.db\n\n' "$_s" "$_s"
		printf '[peer]\nname = %s\nurl = %s://127.0.0.1:%s\n' \
		    "$_o" "$SCHEME" "$_oport"
		printf 'token_file = %s\n' "$T/tok.$_o"
		[ -n "$_ptls" ] && printf '%s\n' "$_ptls"
		printf '\n[sync]\nlisten = 127.0.0.1:%s\n' "$_port"
		printf 'token_file = %s\nretry = 100\n' "$T/tok.$_s"
		[ -n "$SYNC_TLS" ] && printf '%s\n' "$SYNC_TLS" |
		    sed "s/@SITE@/$_s/g"
		for _kv; do
			printf '%s\n' "$_kv"
		done
	} >"$T/$_s.conf"
}

new_token() {
	head -c 32 /dev/urandom | base64 >"$1"
	chmod 600 "$1"
}

bcsync_sites() {
	two_sites
	new_token "$T/tok.east"
	new_token "$T/tok.west"
	TOK_east=$T/tok.east
	TOK_west=$T/tok.west
	set_ports
	write_conf east "$@"
	write_conf west "$@"
}

set_ports() {
	# shellcheck disable=SC2046
	set -- $(free_ports 2)
	PORT_east=$1
	PORT_west=$2
	URL_east=$SCHEME://127.0.0.1:$PORT_east
	URL_west=$SCHEME://127.0.0.1:$PORT_west
}

# api SITE PATH [CURL ARGS...]
api() {
	_s=$1 _path=$2
	shift 2
	eval "_tok=\$TOK_$_s _url=\$URL_$_s _ca=\$CA_$_s"
	code=$(curl -s -o "$T/stdout" -w '%{http_code}' --max-time 10 \
	    ${_ca:+--cacert "$_ca"} \
	    -H "Authorization: Bearer $(cat "$_tok" 2>/dev/null)" "$@" "$_url$_path") ||
	    true
	[ -n "$code" ] || code=000
}

status_field() {
	api "$1" /v1/status
	[ "$code" = 200 ] || return 1
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))[sys.argv[2]]
print(int(v) if isinstance(v, bool) else v)' "$T/stdout" "$2"
}

# answers SITE: its /v1/status answers 200
answers() {
	api "$1" /v1/status
	[ "$code" = 200 ]
}

# listening SITE: its server answers HTTP at all (401 too: with
# [sync] tls_client_ca the token alone is not enough)
listening() {
	api "$1" /v1/status
	[ "$code" != 000 ]
}

start_site() {
	_s=$1
	shift
	"$BCSYNC" -c "$T/$_s.conf" -v "$@" 2>>"$T/$_s.log" &
	_p=$!
	eval "PID_$_s=\$_p"
	site_pids="$site_pids $_p"
	_i=0
	while ! listening "$_s"; do
		if ! kill -0 "$_p" 2>/dev/null || [ $_i -ge $((200 * BC_SLOW)) ]
		then
			fail "bcsync of $_s did not start"
			tail -n 5 "$T/$_s.log" | sed 's/^/    /'
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	return 0
}

forget_pid() {
	_n=
	for _q in $site_pids; do
		[ "$_q" = "$1" ] || _n="$_n $_q"
	done
	site_pids=$_n
}

stop_site() {
	eval "_p=\$PID_$1"
	kill -TERM "$_p"
	_i=0
	while kill -0 "$_p" 2>/dev/null && [ $_i -lt $((100 * BC_SLOW)) ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	if kill -0 "$_p" 2>/dev/null; then
		fail "bcsync of $1 still runs $((5 * BC_SLOW)) s after SIGTERM"
		kill -KILL "$_p"
	fi
	wait "$_p"
	stop_status=$?
	forget_pid "$_p"
}

kill_site() {
	eval "_p=\$PID_$1"
	kill -KILL "$_p"
	wait "$_p" 2>/dev/null
	forget_pid "$_p"
}

wait_until() {
	_desc=$1 _secs=$2
	shift 2
	_end=$(( $(date +%s) + _secs * BC_SLOW ))
	while ! "$@" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$_end" ]; then
			fail "$_desc (not true after $((_secs * BC_SLOW)) s)"
			return 1
		fi
		sleep 0.05
	done
	pass
	return 0
}

converged() {
	"$BCADM" diff "$E" "$W" >/dev/null 2>&1
}

expect_converged() {
	wait_until "${1:-the sites converge}" "${2:-20}" converged &&
	    expect_in_sync "${1:-the sites converge}"
}

# log_has SITE REGEX: SITE's log has a line matching REGEX
log_has() {
	grep -Eq -- "$2" "$T/$1.log"
}

expect_log() {
	if log_has "$1" "$2"; then
		pass
	else
		fail "the log of $1 has no line matching /$2/"
		tail -n 8 "$T/$1.log" | sed 's/^/    /'
	fi
}

# expect_equal DESC GOT WANT
expect_equal() {
	if [ "$2" = "$3" ]; then
		pass
	else
		fail "$1: got '$2', expected '$3'"
	fi
}
