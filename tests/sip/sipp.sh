#!/bin/sh
# sipp.sh -- bcsipd against sipp (Debian package sip-tester): REGISTER
# without and with digest authentication, a wrong password, an unknown DN,
# expiry, unregistration, registration over TCP and IPv6, a call to a
# registered extension through the proxy (INVITE/180/200/ACK/BYE), a
# CANCEL before answer, a call to a call-processing port, refusals (404,
# 480) and a DN deleted with bcadm that stops registering.
#
# Ports are picked free at run time on 127.0.0.1 and ::1; bcsipd runs on
# a temporary store with a temporary bc.conf; every sipp run is bounded
# (-m, -timeout); every process started here is killed on exit.
# Exit 0 all passed, 1 a failure, 77 skipped (no sipp), 99 hard error.

. "$(dirname "$0")/lib-sip.sh"
need_sipp
sip_tmp test
SIP_TIMEOUT=10

port=$(freeport 6)
[ -n "$port" ] || { echo "sipp.sh: no free port" >&2; exit 99; }
store=$tmp/east.db
cat >"$tmp/bc.conf" <<EOF
[site]
name = east
store = east.db
[sip]
listen = udp:127.0.0.1:$port, tcp:127.0.0.1:$port, udp:[::1]:$port, tcp:[::1]:$port
min_expires = 30
flush_interval = 50
EOF

"$bcadm" -s "$store" init --site east >/dev/null || exit 99
"$bcadm" -s "$store" dn add 5001 --type extension >/dev/null || exit 99
"$bcadm" -s "$store" dn add 5002 --type extension --password s1p \
    >/dev/null || exit 99
"$bcadm" -s "$store" dn add 5003 --type extension >/dev/null || exit 99
"$bcadm" -s "$store" dn add 5004 --type extension --register false \
    >/dev/null || exit 99
"$bcadm" -s "$store" dn add 5005 --type extension --disabled \
    >/dev/null || exit 99
"$bcadm" -s "$store" dn add 7001 --type acd-queue >/dev/null || exit 99

"$bcsipd" -n -c "$tmp/bc.conf" 2>/dev/null && ok "bcsipd -n accepts the configuration" ||
    fail "bcsipd -n accepts the configuration"

start_bcsipd "$tmp/bc.conf" "$tmp/bcsipd.log" "$tmp/bcsipd.pid"

# scen STATUS NAME -- scenario NAME expecting response STATUS
scen() {
	sed "s/\[status\]/$1/" "$scen/$2.xml" >"$tmp/$2-$1.xml" &&
	    echo "$tmp/$2-$1.xml"
}
to4=127.0.0.1:$port
to6="[::1]:$port"
lp() { freeport; }
# reg NAME DESCRIPTION STATUS NUMBER [SIPP-ARGS...] -- one REGISTER for
# $expires seconds (default 60)
reg() {
	rname=$1 rwhat=$2 rstatus=$3 rnum=$4
	shift 4
	rport=$(lp)
	check "$rname" "$rwhat" -sf "$(scen "$rstatus" register)" -s "$rnum" \
	    -key expires "${expires:-60}" -key cport "$rport" -p "$rport" "$@"
}

reg reg "REGISTER without authentication" 200 5001 -i 127.0.0.1 "$to4"
reg reg-tcp "REGISTER over TCP" 200 5003 -t t1 -i 127.0.0.1 "$to4"
reg reg-v6 "REGISTER over IPv6" 200 5003 -i ::1 "$to6"
check reg-auth "REGISTER with digest authentication" \
    -sf "$(scen 200 register-auth)" -s 5002 -au 5002 -ap s1p \
    -i 127.0.0.1 -p "$(lp)" "$to4"
check reg-badpw "REGISTER with a wrong password gets 403" \
    -sf "$(scen 403 register-auth)" -s 5002 -au 5002 -ap wrong \
    -i 127.0.0.1 -p "$(lp)" "$to4"
reg reg-unknown "REGISTER of an unknown DN gets 404" 404 5999 \
    -i 127.0.0.1 "$to4"
reg reg-false "REGISTER of a DN with register false gets 404" 404 5004 \
    -i 127.0.0.1 "$to4"
reg reg-disabled "REGISTER of a disabled DN gets 404" 404 5005 \
    -i 127.0.0.1 "$to4"
reg reg-queue "REGISTER of an ACD queue gets 404" 404 7001 \
    -i 127.0.0.1 "$to4"
expires=5 reg reg-brief "REGISTER below min_expires gets 423" 423 5001 \
    -i 127.0.0.1 "$to4"

sleep 0.3	# one flush interval and more
if "$bcadm" -s "$store" reg list 5001 >"$tmp/list" 2>&1 &&
    grep -q "sip:5001@127.0.0.1" "$tmp/list"; then
	ok "bcadm reg list shows the binding"
else
	fail "bcadm reg list shows the binding"
	sed 's/^/#   /' "$tmp/list"
fi
if "$bcadm" -s "$store" --format json reg list >"$tmp/list.json" 2>&1 &&
    python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); \
    assert {b["number"] for b in v} >= {"5001","5002","5003"}, v' \
    "$tmp/list.json"; then
	ok "bcadm reg list --format json lists every binding"
else
	fail "bcadm reg list --format json lists every binding"
	sed 's/^/#   /' "$tmp/list.json"
fi

check unreg "Contact * with Expires 0 removes the bindings" \
    -sf "$scen/unregister.xml" -s 5001 -i 127.0.0.1 -p "$(lp)" "$to4"
check call-480 "INVITE to a known, unregistered DN gets 480" \
    -sf "$(scen 480 uac-fail)" -s 5001 -i 127.0.0.1 \
    -p "$(lp)" "$to4"
check call-404 "INVITE to an unknown number gets 404" \
    -sf "$(scen 404 uac-fail)" -s 5999 -i 127.0.0.1 \
    -p "$(lp)" "$to4"
sleep 0.3
if "$bcadm" -s "$store" reg list 5001 2>&1 | grep -q "sip:5001@"; then
	fail "unregistered binding is gone from the store"
else
	ok "unregistered binding is gone from the store"
fi

# expiry: a 30 s binding is listed with its expiry and survives a restart
# check; a short min_expires would make the suite slow, so expiry itself
# is covered by the CUnit suite (run-sip) with a controlled clock.

# a call through the proxy
uasport=$(lp)
sip uas -sf "$scen/uas.xml" -i 127.0.0.1 -p "$uasport" &
uas=$!
pids="$pids $uas"
check reg-uas "the called phone registers" -sf "$(scen 200 register)" \
    -s 5001 -key expires 60 -key cport "$uasport" -i 127.0.0.1 \
    -p "$(lp)" "$to4"
check call "call to a registered extension (INVITE/180/200/ACK/BYE)" \
    -sf "$scen/uac.xml" -s 5001 -i 127.0.0.1 -p "$(lp)" "$to4"
if wait "$uas"; then ok "the called phone saw the whole call"; else
	fail "the called phone saw the whole call"
	tail -n 20 "$tmp/uas.err" 2>/dev/null | sed 's/^/#   /'
fi

# CANCEL before answer
uasport=$(lp)
sip uas-cancel -sf "$scen/uas-cancel.xml" -i 127.0.0.1 -p "$uasport" &
uas=$!
pids="$pids $uas"
check reg-uas2 "the called phone registers" -sf "$(scen 200 register)" \
    -s 5003 -key expires 60 -key cport "$uasport" -i 127.0.0.1 \
    -p "$(lp)" "$to4"
check cancel "CANCEL before answer (200 for CANCEL, 487, ACK)" \
    -sf "$scen/uac-cancel.xml" -s 5003 -i 127.0.0.1 -p "$(lp)" "$to4"
if wait "$uas"; then ok "the called phone saw the CANCEL"; else
	fail "the called phone saw the CANCEL"
	tail -n 20 "$tmp/uas-cancel.err" 2>/dev/null | sed 's/^/#   /'
fi

# a call-processing port is routed to its contact URI
ivrport=$(lp)
"$bcadm" -s "$store" dn add 6001 --type call-processing-port \
    --contact "sip:ivr@127.0.0.1:$ivrport" >/dev/null || exit 99
sleep 0.5
sip ivr -sn uas -i 127.0.0.1 -p "$ivrport" &
ivr=$!
pids="$pids $ivr"
sleep 0.3
check cpp "call to a call-processing port reaches its contact" \
    -sf "$scen/uac.xml" -s 6001 -i 127.0.0.1 -p "$(lp)" "$to4"
if wait "$ivr"; then ok "the IVR port answered"; else
	fail "the IVR port answered"
fi

# a DN created with bcadm registers within a second; deleted, it stops
"$bcadm" -s "$store" dn add 5010 --type extension >/dev/null || exit 99
sleep 1
reg new-dn "a DN created with bcadm registers within a second" 200 5010 \
    -i 127.0.0.1 "$to4"
"$bcadm" -s "$store" dn del 5010 >/dev/null || exit 99
sleep 1
reg del-dn "a DN deleted with bcadm stops registering (404)" 404 5010 \
    -i 127.0.0.1 "$to4"
sleep 0.3
if "$bcadm" -s "$store" reg list 5010 2>&1 | grep -q "sip:5010@"; then
	fail "the deleted DN's bindings are dropped"
else
	ok "the deleted DN's bindings are dropped"
fi

# a phone registers, bcsipd restarts, the call still reaches the phone
uasport=$(lp)
sip uas2 -sf "$scen/uas.xml" -i 127.0.0.1 -p "$uasport" &
uas=$!
pids="$pids $uas"
check reg-uas3 "the called phone registers before a restart" \
    -sf "$(scen 200 register)" -s 5003 -key expires 60 \
    -key cport "$uasport" -i 127.0.0.1 -p "$(lp)" "$to4"
sleep 0.2
# SIGTERM: clean exit; a restart keeps unexpired bindings
kill -TERM "$sipd"
if wait "$sipd"; then ok "SIGTERM: clean exit"; else fail "SIGTERM: clean exit"; fi
[ -e "$tmp/bcsipd.pid" ] && fail "pid file removed" || ok "pid file removed"
"$bcsipd" -c "$tmp/bc.conf" 2>"$tmp/bcsipd2.log" &
sipd=$!
pids="$pids $sipd"
sleep 0.5
check call-after "a restarted bcsipd routes a call" \
    -sf "$scen/uac.xml" -s 5003 -i 127.0.0.1 -p "$(lp)" "$to4"
if wait "$uas"; then ok "the restored binding reached the phone"; else
	fail "the restored binding reached the phone"
fi
if "$bcadm" -s "$store" reg list 5002 2>&1 | grep -q "sip:5002@"; then
	ok "a restart keeps unexpired bindings"
else
	fail "a restart keeps unexpired bindings"
fi

echo "1..$n"
if [ "$failed" -ne 0 ]; then
	echo "# $failed of $n failed; bcsipd log:"
	sed 's/^/#   /' "$tmp/bcsipd.log" | tail -n 30
	exit 1
fi
exit 0
