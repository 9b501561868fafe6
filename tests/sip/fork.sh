#!/bin/sh
# fork.sh -- parallel forking with sipp (Debian package sip-tester): two
# phones (sipp UAS) registered under the same extension DN ring at once.
#
#  1. one answers: the caller gets its 200 (INVITE/180/200/ACK/BYE
#     through bcsipd) and the other phone is CANCELled (200, 487, ACK);
#  2. neither answers: one refuses with 486, the other with 503; both
#     failures are ACKed by bcsipd and the caller gets the best, 486
#     (RFC 3261 16.7: the lowest class), which it ACKs.
#
# Ports are picked free at run time on 127.0.0.1; bcsipd runs on a
# temporary store; every sipp run is bounded (-m, -timeout); every
# process started here is stopped on exit.  Exit 0 all passed, 1 a
# failure, 77 skipped (no sipp), 99 hard error.

srcdir=${BC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${BC_BUILDDIR:-$(pwd)}
bcadm=${BCADM:-$builddir/cli/bcadm}
bcsipd=$builddir/sipd/bcsipd
scen=$srcdir/tests/sip/scenarios

if ! command -v sipp >/dev/null 2>&1; then
	echo "SKIP: sipp not found (Debian package sip-tester)"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bcsip-fork.XXXXXX") || exit 99
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

# freeport -- a port free for UDP and TCP on 127.0.0.1
freeport() {
	python3 - <<'EOF'
import socket
for _ in range(200):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0)); p = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", p))
    except OSError:
        u.close(); t.close(); continue
    u.close(); t.close(); print(p); break
EOF
}

failed=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

port=$(freeport)
[ -n "$port" ] || { echo "fork.sh: no free port" >&2; exit 99; }
store=$tmp/east.db
cat >"$tmp/bc.conf" <<EOF
[site]
name = east
store = east.db
[sip]
listen = udp:127.0.0.1:$port
flush_interval = 50
EOF
"$bcadm" -s "$store" init --site east >/dev/null || exit 99
"$bcadm" -s "$store" dn add 5001 --type extension >/dev/null || exit 99
"$bcadm" -s "$store" dn add 5002 --type extension >/dev/null || exit 99

"$bcsipd" -c "$tmp/bc.conf" -p "$tmp/bcsipd.pid" 2>"$tmp/bcsipd.log" &
pids="$pids $!"
i=0
while [ ! -s "$tmp/bcsipd.pid" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$tmp/bcsipd.pid" ] || { cat "$tmp/bcsipd.log"; exit 99; }
to=127.0.0.1:$port

# sip NAME SIPP-ARGS... -- one bounded sipp run; its exit status
sip() {
	name=$1
	shift
	sipp -nostdin -m 1 -timeout 15 -timeout_error -trace_err \
	    -error_file "$tmp/$name.err" "$@" >"$tmp/$name.out" 2>&1
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
# scen STATUS NAME -- scenario NAME expecting or sending STATUS
scen() {
	sed "s/\[status\]/$1/" "$scen/$2.xml" >"$tmp/$2-$1.xml" &&
	    echo "$tmp/$2-$1.xml"
}
# phone NAME NUMBER SCENARIO -- a sipp UAS in the background, registered
# under NUMBER; its pid in $phone_pid
phone() {
	pport=$(freeport)
	sip "$1" -sf "$3" -i 127.0.0.1 -p "$pport" &
	phone_pid=$!
	pids="$pids $phone_pid"
	check "reg-$1" "phone $1 registers under $2" \
	    -sf "$(scen 200 register)" -s "$2" -key expires 60 \
	    -key cport "$pport" -i 127.0.0.1 -p "$(freeport)" "$to"
}
# waitphone PID WHAT NAME
waitphone() {
	if wait "$1"; then ok "$2"; else
		fail "$2"
		tail -n 20 "$tmp/$3.err" 2>/dev/null | sed 's/^/#   /'
	fi
}

# 1. one answers, the other is CANCELled
phone answer 5001 "$scen/uas.xml"
answer=$phone_pid
phone ring 5001 "$scen/uas-cancel.xml"
ring=$phone_pid
check call "the caller gets the answering phone's 200 (INVITE/180/200/ACK/BYE)" \
    -sf "$scen/uac.xml" -s 5001 -i 127.0.0.1 -p "$(freeport)" "$to"
waitphone "$answer" "the answering phone saw the whole call" answer
waitphone "$ring" "the other phone was CANCELled (200, 487, ACK)" ring

# 2. neither answers: the best final response goes to the caller
phone busy 5002 "$(scen 486 uas-reject)"
busy=$phone_pid
phone down 5002 "$(scen 503 uas-reject)"
down=$phone_pid
# uac-fail, with the phones' 180 allowed before the final response
sed 's|<recv response="100" optional="true"/>|&\
  <recv response="180" optional="true"/>|' "$(scen 486 uac-fail)" \
    >"$tmp/uac-fail-ring.xml" || exit 99
check fail "the caller gets the best failure, 486 over 503, and ACKs it" \
    -sf "$tmp/uac-fail-ring.xml" -s 5002 -i 127.0.0.1 -p "$(freeport)" "$to"
waitphone "$busy" "the phone refusing with 486 got its ACK" busy
waitphone "$down" "the phone refusing with 503 got its ACK" down

echo "1..$n"
if [ "$failed" -ne 0 ]; then
	echo "# $failed of $n failed; bcsipd log:"
	sed 's/^/#   /' "$tmp/bcsipd.log" | tail -n 30
	exit 1
fi
exit 0
