#!/bin/sh
# dr.sh -- business continuity between two sites: two bcsipd (east and
# west) on 127.0.0.1, each with its own store, each the other's peer
# through a Trunk DN, with sipp phones and callers:
#
#   - heartbeats put the peer in service ('bcadm sip status');
#   - TServer/dr-forward no-agent (application), oos and off (DN level):
#     302 to the same number at the peer, or delivered here;
#   - a call the peer redirected is never bounced back (no loop);
#   - ACD queue calls go to the longest-idle ready agent on a registered
#     extension, the agent is busy during the call; none ready: 480 with
#     Retry-After;
#   - graceful shutdown through the store with a 3xx reject code: new
#     calls get 302 to the peer, the call in progress ends, its agent is
#     logged out, bcsipd exits;
#   - the peer killed: out of service within oos-force, no redirect while
#     it is, a phone re-registered here is reached;
#   - SIGUSR1: new calls get 603, bcsipd exits after the last call.
#
# Ports are picked free at run time on 127.0.0.1; every sipp run is
# bounded; every process started here is killed on exit.
# Exit 0 all passed, 1 a failure, 77 skipped (no sipp), 99 hard error.

. "$(dirname "$0")/lib-sip.sh"
need_sipp
sip_tmp dr
# t DESCRIPTION COMMAND... -- a check that passes when COMMAND succeeds
t() {
	what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

east=$(freeport)
west=$(freeport)
[ -n "$east" ] && [ -n "$west" ] && [ "$east" != "$west" ] ||
    { echo "dr.sh: no free ports" >&2; exit 99; }

# site NAME PORT PEERPORT [TSERVER-LINES] -- a store and a bc.conf
site() {
	s=$tmp/$1.db
	"$bcadm" -s "$s" init --site "$1" >/dev/null || exit 99
	for x in 5001 5004 5005 5011 5012; do
		"$bcadm" -s "$s" dn add $x --type extension >/dev/null || exit 99
	done
	"$bcadm" -s "$s" dn add 5002 --type extension \
	    --option TServer/dr-forward=oos >/dev/null || exit 99
	"$bcadm" -s "$s" dn add 5003 --type extension \
	    --option TServer/dr-forward=off >/dev/null || exit 99
	"$bcadm" -s "$s" dn add 7001 --type acd-queue >/dev/null || exit 99
	"$bcadm" -s "$s" dn add 9001 --type trunk \
	    --contact "sip:127.0.0.1:$3" --option TServer/oos-check=1 \
	    --option TServer/oos-force=3 >/dev/null || exit 99
	i=1
	for p in ann bob cat dan; do
		"$bcadm" -s "$s" login add 100$i >/dev/null || exit 99
		"$bcadm" -s "$s" person add $p --agent --login 100$i \
		    >/dev/null || exit 99
		i=$((i + 1))
	done
	cat >"$tmp/$1.conf" <<EOF
[site]
name = $1
store = $1.db
[sip]
listen = udp:127.0.0.1:$2
min_expires = 30
flush_interval = 50
[TServer]
dr-peer-trunk = 9001
dr-forward = no-agent
$4
EOF
}
site east "$east" "$west"
site west "$west" "$east" "shutdown-sip-reject-code = 302"

# start NAME -- runs bcsipd of site NAME; its pid in $sipd_NAME
start() {
	"$bcsipd" -c "$tmp/$1.conf" 2>>"$tmp/$1.log" &
	eval "sipd_$1=\$!"
	pids="$pids $!"
}
# status NAME FIELD -- the value of a 'bcadm sip status' entry
status() {
	"$bcadm" -s "$tmp/$1.db" --format json sip status 2>/dev/null |
	    python3 -c 'import json, sys
for x in json.load(sys.stdin):
    if x["name"] == sys.argv[1]:
        print(x["value"])' "$2"
}
# wait_status NAME FIELD VALUE TENTHS -- polls until the entry has VALUE
wait_status() {
	i=0
	while [ "$(status "$1" "$2")" != "$3" ]; do
		i=$((i + 1))
		[ $i -gt "$4" ] && return 1
		sleep 0.1
	done
	return 0
}
# gone PID TENTHS -- waits for a process to exit; 0 when it did
gone() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$2" ] && return 1
		sleep 0.1
	done
	return 0
}

start east
start west
t "east sees the peer in service" wait_status east peer in-service 50
t "west sees the peer in service" wait_status west peer in-service 50
t "bcadm sip status shows the daemon running" \
    test "$(status east daemon)" = running

# scen FILE KEY VALUE -- scenario FILE with [KEY] replaced by VALUE
scen() {
	f=$tmp/$1-$(printf '%s' "$3" | tr -c 'A-Za-z0-9' _).xml
	sed "s|\[$2\]|$3|" "$scen/$1.xml" >"$f" && echo "$f"
}
lp() { freeport; }
at() { eval "echo 127.0.0.1:\$$1"; }
# refused SITE NUMBER STATUS DESCRIPTION
refused() {
	check "refused-$1-$2-$3" "$4" -sf "$(scen uac-fail status "$3")" \
	    -s "$2" -i 127.0.0.1 -p "$(lp)" "$(at "$1")"
}
# redirected SITE NUMBER PEER DESCRIPTION -- 302 to NUMBER at PEER
redirected() {
	check "redirect-$1-$2" "$4" -sf "$(scen uac-redirect contact \
	    "^ *.sip:$2@127.0.0.1:$(eval "echo \$$3");bc-dr>\$")" \
	    -s "$2" -i 127.0.0.1 -p "$(lp)" "$(at "$1")"
}
# phone SITE NUMBER NAME [SCENARIO] -- a sipp UAS (default: answering
# one call), registered as NUMBER at SITE; its pid in $phone_pid
phone() {
	pport=$(lp)
	sed 's|<recv request="INVITE" rrs="true" timeout="5000"/>|<recv request="INVITE" rrs="true"/>|' \
	    "${4:-$scen/uas.xml}" >"$tmp/uas-$3.xml"
	sipp -nostdin -m 1 -timeout 30 -timeout_error -trace_err \
	    -error_file "$tmp/$3.err" -sf "$tmp/uas-$3.xml" \
	    -i 127.0.0.1 -p "$pport" >"$tmp/$3.out" 2>&1 &
	phone_pid=$!
	pids="$pids $phone_pid"
	udp_bound "$pport"
	check "reg-$3" "phone $2 registers at $1" \
	    -sf "$(scen register status 200)" -s "$2" -key expires 60 \
	    -key cport "$pport" -i 127.0.0.1 -p "$(lp)" "$(at "$1")"
}
agents() {
	"$bcadm" -s "$tmp/$1.db" --format json agent list
}
# agent_field SITE CODE FIELD -- a field of a logged-in agent, or "none"
agent_field() {
	agents "$1" | python3 -c 'import json, sys
a = [x for x in json.load(sys.stdin) if x["code"] == sys.argv[1]]
print(a[0][sys.argv[2]] if a else "none")' "$2" "$3"
}
# wait_agent SITE CODE STATE TENTHS -- polls until the agent is in STATE
wait_agent() {
	i=0
	while [ "$(agent_field "$1" "$2" state)" != "$3" ]; do
		i=$((i + 1))
		[ $i -gt "$4" ] && return 1
		sleep 0.1
	done
	return 0
}

# ---- dr-forward -----------------------------------------------------------
redirected east 5001 west \
    "no-agent (application): no agent here, 302 to the same number at the peer"
"$bcadm" -s "$tmp/east.db" agent login 1001 --dn 5001 || exit 99
sleep 0.2
refused east 5001 480 \
    "no-agent: an agent is logged in here, delivered here (480: no phone)"
phone east 5001 ann
check call-5001 "no-agent: the agent's phone here takes the call" \
    -sf "$scen/uac.xml" -s 5001 -i 127.0.0.1 -p "$(lp)" "$(at east)"
t "the agent's phone saw the whole call" wait "$phone_pid"
redirected east 5002 west "oos (DN option): no binding here, 302 to the peer"
phone east 5002 p5002
check call-5002 "oos: registered here, delivered here" \
    -sf "$scen/uac.xml" -s 5002 -i 127.0.0.1 -p "$(lp)" "$(at east)"
t "the phone of 5002 saw the whole call" wait "$phone_pid"
refused east 5003 480 "off (DN option): never redirected (480: no phone)"

# ---- no loop ---------------------------------------------------------------
# the caller follows the 302 to west; west has no agent on 5004 either
sed 's|INVITE sip:\[service\]@\[remote_ip\]:\[remote_port\] SIP/2.0|INVITE sip:[service]@[remote_ip]:[remote_port];bc-dr SIP/2.0|' \
    "$scen/uac-fail.xml" >"$tmp/uac-fail-dr.xml"
redirected east 5004 west "5004 is redirected from east to west"
check loop-5004 "the redirected call is not bounced back by west (480)" \
    -sf "$(sed 's|\[status\]|480|' "$tmp/uac-fail-dr.xml" >"$tmp/l.xml" &&
    echo "$tmp/l.xml")" -s 5004 -i 127.0.0.1 -p "$(lp)" "$(at west)"
redirected west 5004 east "and would be redirected by west without the mark"

# ---- ACD queue --------------------------------------------------------------
"$bcadm" -s "$tmp/east.db" agent logout 1001 || exit 99
check queue-none "ACD queue without a ready agent: 480 with Retry-After" \
    -sf "$(scen uac-retry status 480)" -s 7001 -i 127.0.0.1 -p "$(lp)" \
    "$(at east)"
"$bcadm" -s "$tmp/east.db" agent login 1002 --dn 5011 || exit 99
"$bcadm" -s "$tmp/east.db" agent login 1003 --dn 5012 || exit 99
"$bcadm" -s "$tmp/east.db" agent ready 1003 || exit 99
sleep 1.1	# idle times count in seconds: cat waits longer than bob
"$bcadm" -s "$tmp/east.db" agent ready 1002 || exit 99
check queue-unreg "ready agents without registered phones: 480" \
    -sf "$(scen uac-retry status 480)" -s 7001 -i 127.0.0.1 -p "$(lp)" \
    "$(at east)"
phone east 5011 bob
bob_pid=$phone_pid
phone east 5012 cat
cat_pid=$phone_pid
sip queue-1 -sf "$scen/uac-hold.xml" -d 3000 -s 7001 -i 127.0.0.1 \
    -p "$(lp)" "$(at east)" &
q1=$!
pids="$pids $q1"
t "the first queue call goes to cat, idle longest: cat is busy" \
    wait_agent east 1003 busy 25
t "bob stays ready" test "$(agent_field east 1002 state)" = ready
check queue-2 "a second queue call goes to bob, the next idle" \
    -sf "$scen/uac.xml" -s 7001 -i 127.0.0.1 -p "$(lp)" "$(at east)"
t "bob's phone took the second call" wait "$bob_pid"
t "the first call ends well" wait "$q1"
t "cat's phone took the first call" wait "$cat_pid"
sleep 0.2
t "cat is ready again after the call" \
    test "$(agent_field east 1003 state)" = ready
t "bob is ready again after the call" \
    test "$(agent_field east 1002 state)" = ready

# an agent with two phones: the queue call rings both (parallel forking)
"$bcadm" -s "$tmp/east.db" agent not-ready 1002 || exit 99
"$bcadm" -s "$tmp/east.db" agent not-ready 1003 || exit 99
"$bcadm" -s "$tmp/east.db" agent login 1004 --dn 5005 || exit 99
"$bcadm" -s "$tmp/east.db" agent ready 1004 || exit 99
phone east 5005 dan-a
dan_a=$phone_pid
phone east 5005 dan-b "$scen/uas-cancel.xml"
dan_b=$phone_pid
sip queue-fork -sf "$scen/uac-hold.xml" -d 3000 -s 7001 -i 127.0.0.1 \
    -p "$(lp)" "$(at east)" &
qf=$!
pids="$pids $qf"
t "a queue call forked to the agent's two phones: the agent is busy" \
    wait_agent east 1004 busy 25
t "the forked call ends well" wait "$qf"
t "one phone answered" wait "$dan_a"
t "the other was cancelled" wait "$dan_b"
t "the agent is ready again after the forked call" \
    wait_agent east 1004 ready 20
check unreg-5005 "the agent's old phones unregister" \
    -sf "$scen/unregister.xml" -s 5005 -i 127.0.0.1 -p "$(lp)" "$(at east)"
sed 's/\[status\]/486/' "$scen/uas-reject.xml" >"$tmp/uas-486.xml"
phone east 5005 dan-c "$tmp/uas-486.xml"
dan_c=$phone_pid
phone east 5005 dan-d "$tmp/uas-486.xml"
dan_d=$phone_pid
sed -e 's/\[status\]/486/' \
    -e 's|<recv response="100" optional="true"/>|&\n  <recv response="180" optional="true"/>|' \
    "$scen/uac-fail.xml" >"$tmp/uac-fail-ring.xml"
check fork-486 "both phones of the agent refuse: the caller gets 486" \
    -sf "$tmp/uac-fail-ring.xml" -s 7001 -i 127.0.0.1 -p "$(lp)" "$(at east)"
t "the agent of a failed fork is ready again within a second" \
    wait_agent east 1004 ready 10
wait "$dan_c"
wait "$dan_d"
"$bcadm" -s "$tmp/east.db" agent logout 1004 || exit 99
"$bcadm" -s "$tmp/east.db" agent ready 1002 || exit 99
"$bcadm" -s "$tmp/east.db" agent ready 1003 || exit 99

# ---- graceful shutdown of west through the store, 302 to the peer ------------
"$bcadm" -s "$tmp/west.db" agent login 1001 --dn 5001 || exit 99
"$bcadm" -s "$tmp/west.db" agent login 1002 --dn 5011 || exit 99
phone west 5011 wbob
sip west-held -sf "$scen/uac-hold.xml" -d 4000 -s 5011 -i 127.0.0.1 \
    -p "$(lp)" "$(at west)" &
held=$!
pids="$pids $held"
t "the call to west's agent is up: the agent is busy" \
    wait_agent west 1002 busy 25
t "bcadm sip shutdown --graceful" \
    "$bcadm" -s "$tmp/west.db" sip shutdown --graceful
t "west reports the graceful shutdown" \
    wait_status west shutdown graceful 20
redirected west 5005 east \
    "during the shutdown a new call gets 302 to the peer (code 302)"
t "the idle agent is logged out" test "$(agent_field west 1001 code)" = none
t "the agent in a call stays logged in until it ends" \
    test "$(agent_field west 1002 state)" = busy
t "west keeps running while a call is in progress" kill -0 "$sipd_west"
t "the call in progress ends well" wait "$held"
# exited SITE DESCRIPTION -- bcsipd of SITE exits 0 within 3 s, or is killed
exited() {
	eval "_p=\$sipd_$1"
	if gone "$_p" 30; then
		ok "$2"
		wait "$_p"
		t "$1 exits with status 0" test $? -eq 0
	else
		fail "$2"
		kill -9 "$_p"
		wait "$_p"
	fi
}
exited west "west exits after the last call"
t "the agent is logged out once its call ended" \
    test "$(agent_field west 1002 code)" = none
t "west logged the shutdown" grep -q "graceful shutdown: no call left" \
    "$tmp/west.log"

# ---- the peer killed: out of service within oos-force --------------------------
start west
t "west back: east sees it in service" wait_status east peer in-service 50
redirected east 5004 west "peer in service: 5004 is redirected"
kill -9 "$sipd_west"
wait "$sipd_west" 2>/dev/null
killed=$(date +%s)
t "west killed: east counts it out of service within oos-force (3 s)" \
    wait_status east peer out-of-service 45
t "within oos-force and a heartbeat" test $(($(date +%s) - killed)) -le 5
refused east 5004 480 "peer out of service: no redirect (480 here)"
t "east logged the state change" grep -q "peer site: out-of-service" \
    "$tmp/east.log"
phone east 5004 p5004
check failover "the phone re-registered here is reached through east" \
    -sf "$scen/uac.xml" -s 5004 -i 127.0.0.1 -p "$(lp)" "$(at east)"
t "the phone of 5004 saw the whole call" wait "$phone_pid"

# ---- SIGUSR1: graceful shutdown of east, default reject code 603 -----------------
# cat moves to 5003 (5012 still has the binding of the queue test's phone)
"$bcadm" -s "$tmp/east.db" agent logout 1003 || exit 99
"$bcadm" -s "$tmp/east.db" agent login 1003 --dn 5003 || exit 99
phone east 5003 cat2
sip east-held -sf "$scen/uac-hold.xml" -d 4000 -s 5003 -i 127.0.0.1 \
    -p "$(lp)" "$(at east)" &
held=$!
pids="$pids $held"
t "the call to cat is up: cat is busy" wait_agent east 1003 busy 25
kill -USR1 "$sipd_east"
t "SIGUSR1: east reports the graceful shutdown" \
    wait_status east shutdown graceful 20
refused east 5001 603 "SIGUSR1: a new call gets 603"
t "bob, idle, is logged out" test "$(agent_field east 1002 code)" = none
t "cat, in a call, is still logged in" \
    test "$(agent_field east 1003 state)" = busy
t "the call in progress ends well" wait "$held"
exited east "east exits after the last call"
t "no agent is left logged in at east" test "$(agents east)" = "[]"
t "the store notes the daemon stopped" test "$(status east daemon)" = stopped

echo "1..$n"
if [ "$failed" -ne 0 ]; then
	for s in east west; do
		echo "# $failed of $n failed; bcsipd $s log:"
		sed 's/^/#   /' "$tmp/$s.log" | tail -n 30
	done
	exit 1
fi
exit 0
