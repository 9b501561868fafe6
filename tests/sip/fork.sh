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

. "$(dirname "$0")/lib-sip.sh"
need_sipp
sip_tmp fork

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

start_bcsipd "$tmp/bc.conf" "$tmp/bcsipd.log" "$tmp/bcsipd.pid"
to=127.0.0.1:$port

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
	udp_bound "$pport"
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
