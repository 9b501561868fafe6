#!/bin/sh
# reload.sh -- SIGHUP makes bcsipd read bc.conf again: a new [sip] listen
# list opens the new addresses and closes the dropped ones, other [sip]
# keys (min_expires) take effect, and a configuration that does not load
# or cannot be applied is one log line while bcsipd keeps running with
# the old one.
#
# REGISTER requests come from a small python3 client over UDP and TCP on
# 127.0.0.1, ports picked free at run time.  Every process started here
# is stopped on exit.  Exit 0 all passed, 1 a failure, 77 skipped, 99
# hard error.

. "$(dirname "$0")/lib-sip.sh"
sip_tmp reload

# reg TRANSPORT PORT NUMBER EXPIRES -- prints the status code of the
# response to one REGISTER, or "none" when nothing answers in 1 s
reg() {
	python3 - "$@" <<'EOF'
import random, socket, sys
tr, port, num, exp = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.socket(socket.AF_INET,
                  socket.SOCK_STREAM if tr == "tcp" else socket.SOCK_DGRAM)
s.settimeout(1.0)
try:
    if tr == "tcp":
        s.connect(("127.0.0.1", port))
    else:
        s.bind(("127.0.0.1", 0))
    lp = s.getsockname()[1]
    r = random.randrange(1 << 30)
    msg = ("REGISTER sip:127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK%d;rport\r\n"
           "From: <sip:%s@127.0.0.1>;tag=%d\r\n"
           "To: <sip:%s@127.0.0.1>\r\n"
           "Call-ID: %d@127.0.0.1\r\n"
           "CSeq: 1 REGISTER\r\n"
           "Contact: <sip:%s@127.0.0.1:%d>\r\n"
           "Expires: %s\r\n"
           "Max-Forwards: 70\r\n"
           "Content-Length: 0\r\n\r\n") % (port, tr.upper(), lp, r, num, r,
                                           num, r, num, lp, exp)
    if tr == "tcp":
        s.sendall(msg.encode())
        data = s.recv(65536)
    else:
        s.sendto(msg.encode(), ("127.0.0.1", port))
        data = s.recv(65536)
    print(data.split(b" ")[1].decode())
except (OSError, IndexError):
    print("none")
EOF
}

# expect WHAT WANT GOT
expect() {
	if [ "$3" = "$2" ]; then ok "$1"; else fail "$1 (want $2, got $3)"; fi
}
# waitlog COUNT PATTERN -- waits up to 5 s for COUNT lines matching
waitlog() {
	i=0
	while [ "$(grep -c "$2" "$tmp/bcsipd.log")" -lt "$1" ] &&
	    [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(grep -c "$2" "$tmp/bcsipd.log")" -ge "$1" ]
}

a=$(freeport)
b=$(freeport)
while [ "$b" = "$a" ]; do b=$(freeport); done
[ -n "$a" ] && [ -n "$b" ] || { echo "reload.sh: no free port" >&2; exit 99; }

"$bcadm" -s "$tmp/east.db" init --site east >/dev/null || exit 99
"$bcadm" -s "$tmp/east.db" dn add 5001 --type extension >/dev/null || exit 99

conf() {
	cat >"$tmp/bc.conf.new" <<EOF
[site]
name = east
store = east.db
[sip]
$1
flush_interval = 50
max_contacts = 64
EOF
	mv "$tmp/bc.conf.new" "$tmp/bc.conf"
}

conf "listen = udp:127.0.0.1:$a
min_expires = 30"
start_bcsipd "$tmp/bc.conf" "$tmp/bcsipd.log" "$tmp/bcsipd.pid"

expect "REGISTER on the first address" 200 "$(reg udp "$a" 5001 60)"
expect "min_expires 30: 20 s gets 423" 423 "$(reg udp "$a" 5001 20)"

# a new listen list and a lower min_expires
conf "listen = udp:127.0.0.1:$b, tcp:127.0.0.1:$b
min_expires = 10"
kill -HUP "$sipd"
if waitlog 1 "configuration .* reloaded"; then
	ok "SIGHUP: the configuration is reloaded"
else
	fail "SIGHUP: the configuration is reloaded"
fi
expect "REGISTER over UDP on the new address" 200 "$(reg udp "$b" 5001 60)"
expect "REGISTER over TCP on the new address" 200 "$(reg tcp "$b" 5001 60)"
expect "the dropped address no longer answers" none \
    "$(reg udp "$a" 5001 60)"
expect "the new min_expires 10: 20 s gets 200" 200 "$(reg udp "$b" 5001 20)"

# a file that does not load: one line, the old configuration stays
cp "$tmp/bc.conf" "$tmp/bc.conf.good"
conf "listen = udp:127.0.0.1:$a
min_expires = 30
no_such_key = 1"
before=$(wc -l <"$tmp/bcsipd.log")
kill -HUP "$sipd"
if waitlog 1 "no_such_key.*keeping the running configuration"; then
	ok "SIGHUP with a bad file: logged"
else
	fail "SIGHUP with a bad file: logged"
fi
sleep 0.2
after=$(wc -l <"$tmp/bcsipd.log")
expect "SIGHUP with a bad file: one log line" 1 $((after - before))
kill -0 "$sipd" 2>/dev/null && ok "SIGHUP with a bad file: still running" ||
    fail "SIGHUP with a bad file: still running"
expect "bad file: the old address still answers" 200 \
    "$(reg udp "$b" 5001 60)"
expect "bad file: the old min_expires stays" 200 "$(reg udp "$b" 5001 20)"
expect "bad file: its listen address was not opened" none \
    "$(reg udp "$a" 5001 60)"

# an address that cannot be opened (TEST-NET-1 is not ours)
conf "listen = udp:127.0.0.1:$a, udp:192.0.2.1:$b
min_expires = 30"
kill -HUP "$sipd"
if waitlog 2 "keeping the running configuration"; then
	ok "SIGHUP with an address that cannot be opened: logged"
else
	fail "SIGHUP with an address that cannot be opened: logged"
fi
sleep 0.2
expect "unopenable address: the old address still answers" 200 \
    "$(reg udp "$b" 5001 60)"
expect "unopenable address: the old min_expires stays" 200 \
    "$(reg udp "$b" 5001 20)"
expect "unopenable address: nothing half-opened" none \
    "$(reg udp "$a" 5001 60)"

# and back to a good file
cp "$tmp/bc.conf.good" "$tmp/bc.conf"
kill -HUP "$sipd"
if waitlog 2 "configuration .* reloaded"; then
	ok "SIGHUP after fixing the file: reloaded"
else
	fail "SIGHUP after fixing the file: reloaded"
fi
expect "fixed file: REGISTER over TCP" 200 "$(reg tcp "$b" 5001 60)"

kill -TERM "$sipd"
if wait "$sipd"; then ok "SIGTERM: clean exit"; else fail "SIGTERM: clean exit"; fi

echo "1..$n"
if [ "$failed" -ne 0 ]; then
	echo "# $failed of $n failed; bcsipd log:"
	sed 's/^/#   /' "$tmp/bcsipd.log" | tail -n 30
	exit 1
fi
exit 0
