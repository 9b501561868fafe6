# lib-sip.sh -- what the SIP scripts (sipp.sh, fork.sh, dr.sh, reload.sh)
# share: paths, the skip rules, a temporary folder whose processes are
# stopped on exit, free ports, TAP-style results and bounded sipp runs.
# Sets srcdir, builddir, bcadm, bcsipd and scen.  Exit statuses: 77
# skipped, 99 hard error.

srcdir=${BC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${BC_BUILDDIR:-$(pwd)}
bcadm=${BCADM:-$builddir/cli/bcadm}
bcsipd=$builddir/sipd/bcsipd
scen=$srcdir/tests/sip/scenarios

# need_sipp -- skips the script without sipp (Debian package sip-tester)
need_sipp() {
	if ! command -v sipp >/dev/null 2>&1; then
		echo "SKIP: sipp not found (Debian package sip-tester)"
		exit 77
	fi
}
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }

# sip_tmp NAME -- $tmp, removed on exit after the processes in $pids
sip_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/bcsip-$1.XXXXXX") || exit 99
	pids=""
	trap sip_cleanup EXIT
	trap 'exit 99' HUP INT TERM
}
sip_cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}

# freeport [6] -- a port free for UDP and TCP on 127.0.0.1 (and ::1 with 6)
freeport() {
	python3 - "${1:-4}" <<'EOF'
import socket, sys
six = sys.argv[1] == "6"
for _ in range(200):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    ok = True
    socks = [s]
    more = [(socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1")]
    if six:
        more += [(socket.AF_INET6, socket.SOCK_DGRAM, "::1"),
                 (socket.AF_INET6, socket.SOCK_STREAM, "::1")]
    for fam, typ, host in more:
        t = socket.socket(fam, typ)
        try:
            t.bind((host, p))
        except OSError:
            ok = False
        socks.append(t)
    for t in socks:
        t.close()
    if ok:
        print(p); break
EOF
}

failed=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# start_bcsipd CONF LOG PIDFILE -- bcsipd in the background until its pid
# file is written (5 s at most, else the log and exit 99); its pid in $sipd
start_bcsipd() {
	"$bcsipd" -c "$1" -p "$3" 2>"$2" &
	sipd=$!
	pids="$pids $sipd"
	i=0
	while [ ! -s "$3" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$3" ] || { cat "$2"; exit 99; }
}

# udp_bound PORT -- waits (10 s at most) until a socket is bound to UDP
# PORT on 127.0.0.1: a sipp UAS started in the background is listening
# before it registers (on a loaded machine sipp takes a while to start,
# and a call to a port nobody holds fails that branch with a 503)
udp_bound() {
	_hex=$(printf '0100007F:%04X' "$1")
	_i=0
	while ! awk -v a="$_hex" '$2 == a { f = 1 } END { exit !f }' \
	    /proc/net/udp && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# sip NAME SIPP-ARGS... -- one bounded sipp run (${SIP_TIMEOUT:-15} s);
# its exit status
sip() {
	name=$1
	shift
	sipp -nostdin -m 1 -timeout "${SIP_TIMEOUT:-15}" -timeout_error \
	    -trace_err -error_file "$tmp/$name.err" "$@" >"$tmp/$name.out" 2>&1
}
# check NAME DESCRIPTION SIPP-ARGS... -- a sipp run that must pass
check() {
	name=$1
	what=$2
	shift 2
	if sip "$name" "$@"; then
		ok "$what"
	else
		fail "$what"
		tail -n 20 "$tmp/$name.err" 2>/dev/null | sed 's/^/#   /'
	fi
}
