#!/usr/bin/env bash
# sip-bench.sh -- REGISTER rate and call rate of bcsipd and of Kamailio on
# this machine, with the same sipp scenarios over UDP on loopback.
#
#	bash bench/sip-bench.sh [BUILDDIR]
#
# For each server and each load step (calls per second), sipp runs for
# STEP_SECONDS; a step counts as sustained when every call succeeded and
# sipp retransmitted nothing.  The report gives, per server, the highest
# sustained rate and the 99th percentile of the response time at that
# rate (REGISTER to 200; INVITE to 200 through the proxy to a sipp UAS).
#
# bcsipd serves a temporary store of N_DNS extension DNs without
# passwords; Kamailio runs registrar + usrloc in memory (db_mode 0) with
# stateless forwarding, started here on loopback (installed with apt-get
# when missing and root; otherwise only bcsipd is measured).  Every
# process started here is stopped on exit.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
bcadm=$build/cli/bcadm
bcsipd=$build/sipd/bcsipd
N_DNS=${N_DNS:-2000}
STEP_SECONDS=${STEP_SECONDS:-4}
REG_RATES=${REG_RATES:-"1000 2000 4000 6000 8000 10000 12000 15000 20000"}
CALL_RATES=${CALL_RATES:-"200 500 1000 1500 2000 3000 4000"}

for p in sipp python3 sqlite3; do
	command -v $p >/dev/null || { echo "sip-bench: $p missing" >&2; exit 1; }
done
[ -x "$bcsipd" ] || { echo "sip-bench: build first ($bcsipd)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/sip-bench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

freeport() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- scenarios -----------------------------------------------------------
cat >"$tmp/register.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bench register">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch];rport
      From: <sip:[field0]@[remote_ip]>;tag=[pid]T[call_number]
      To: <sip:[field0]@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Expires: 3600
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" rtd="true"/>
</scenario>
EOF
cat >"$tmp/uac.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bench call">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch];rport
      From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:caller@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true" rtd="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch];rport
      From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch];rport
      From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
EOF
sed -e 's/<recv request="INVITE" rrs="true" timeout="5000"\/>/<recv request="INVITE" rrs="true"\/>/' \
    -e 's/<recv request="\(ACK\|BYE\)" timeout="5000"\/>/<recv request="\1"\/>/' \
    "$top/tests/sip/scenarios/uas.xml" >"$tmp/uas.xml"
{
	echo SEQUENTIAL
	for ((i = 0; i < N_DNS; i++)); do echo "$((100000 + i))"; done
} >"$tmp/users.csv"

# ---- servers -------------------------------------------------------------
start_bcsipd() {
	local port=$1
	"$bcadm" -s "$tmp/east.db" init --site east >/dev/null || exit 1
	sqlite3 "$tmp/east.db" "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL
	    SELECT i + 1 FROM n WHERE i + 1 < $N_DNS)
	    INSERT INTO dn (type, number) SELECT 'extension', 100000 + i FROM n;
	    INSERT INTO dn (type, number) VALUES ('extension', '5001');" ||
	    exit 1
	cat >"$tmp/bc.conf" <<EOF
[site]
name = east
store = east.db
[sip]
listen = udp:127.0.0.1:$port
EOF
	"$bcsipd" -c "$tmp/bc.conf" 2>"$tmp/bcsipd.log" &
	pids+=($!)
	sleep 0.5
}

start_kamailio() {
	local port=$1 kam mods
	kam=$(command -v kamailio 2>/dev/null || echo /usr/sbin/kamailio)
	if [ ! -x "$kam" ]; then
		if [ "$(id -u)" -eq 0 ]; then
			echo "sip-bench: installing kamailio" >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			    --no-install-recommends kamailio >/dev/null 2>&1
		fi
		[ -x /usr/sbin/kamailio ] || return 1
		kam=/usr/sbin/kamailio
	fi
	mods=$(dirname "$(find /usr/lib -name registrar.so -path '*kamailio*' \
	    2>/dev/null | head -n 1)")
	[ -n "$mods" ] || return 1
	cat >"$tmp/kamailio.cfg" <<EOF
#!KAMAILIO
debug=0
log_stderror=yes
memdbg=5
memlog=5
children=${KAM_CHILDREN:-2}
listen=udp:127.0.0.1:$port
mpath="$mods/"
loadmodule "pv.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "db_mode", 0)
modparam("rr", "enable_full_lr", 1)
request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			forward();
			exit;
		}
		if (is_method("ACK")) {
			exit;
		}
		sl_send_reply("404", "Not Here");
		exit;
	}
	if (is_method("REGISTER")) {
		save("location");
		exit;
	}
	if (!lookup("location")) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	record_route();
	forward();
}
EOF
	"$kam" -DD -E -f "$tmp/kamailio.cfg" -m 256 -M 16 \
	    >"$tmp/kamailio.log" 2>&1 &
	pids+=($!)
	sleep 1.5
	kill -0 "${pids[-1]}" 2>/dev/null
}

# step NAME SIPP-ARGS... -- one sipp run; prints "ok|fail RETRANS P99MS"
step() {
	local name=$1
	shift
	rm -f "$tmp"/*_rtt.csv "$tmp"/*_.csv "$tmp/$name".csv
	(cd "$tmp" && timeout $((STEP_SECONDS + 20)) sipp -nostdin \
	    -trace_stat -stf "$tmp/$name.csv" -trace_rtt -rtt_freq 1 \
	    -timeout $((STEP_SECONDS + 15)) -max_socket 1000 \
	    -recv_timeout 5000 "$@" >"$tmp/$name.out" 2>&1)
	local rc=$?
	python3 - "$tmp" "$name" "$rc" <<'EOF'
import csv, glob, sys
tmp, name, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
retrans = failed = 0
try:
    rows = list(csv.reader(open("%s/%s.csv" % (tmp, name)), delimiter=";"))
    h, last = rows[0], rows[-1]
    retrans = int(last[h.index("Retransmissions(C)")])
    failed = int(last[h.index("FailedCall(C)")])
except Exception as e:
    failed = -1
rtts = []
for f in glob.glob(tmp + "/*_rtt.csv"):
    for r in list(csv.reader(open(f), delimiter=";"))[1:]:
        try:
            rtts.append(float(r[1]))
        except (ValueError, IndexError):
            pass
rtts.sort()
p99 = rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))] if rtts else -1
ok = rc == 0 and failed == 0 and retrans == 0
print("%s %d %.3f" % ("ok" if ok else "fail", retrans, p99))
EOF
}

# ladder KIND PORT -- highest sustained rate; prints "RATE P99"
ladder() {
	local kind=$1 port=$2 best=0 bestp99=- r res uasport
	if [ "$kind" = call ]; then
		uasport=$(freeport)
		sipp -nostdin -sf "$tmp/uas.xml" -i 127.0.0.1 -p "$uasport" \
		    -bg >/dev/null 2>&1
		sleep 0.3
		pids+=($(pgrep -n -f "sipp -nostdin -sf $tmp/uas.xml"))
		printf '5001\n' >"$tmp/one.csv"
		sed -i '1i SEQUENTIAL' "$tmp/one.csv"
		sed "s/\[local_port\]>/$uasport>/" "$tmp/register.xml" \
		    >"$tmp/register-uas.xml"
		sed -i 's/Contact: <sip:\[field0\]@\[local_ip\]:[0-9]*>/Contact: <sip:[field0]@[local_ip]:'"$uasport"'>/' \
		    "$tmp/register-uas.xml"
		sipp -nostdin -sf "$tmp/register-uas.xml" -inf "$tmp/one.csv" \
		    -m 1 -i 127.0.0.1 -p "$(freeport)" -timeout 5 \
		    127.0.0.1:"$port" >/dev/null 2>&1
	fi
	for r in $([ "$kind" = call ] && echo "$CALL_RATES" || echo "$REG_RATES"); do
		if [ "$kind" = call ]; then
			res=$(step "call-$r" -sf "$tmp/uac.xml" -s 5001 \
			    -r "$r" -m $((r * STEP_SECONDS)) -l $((r * 4)) \
			    -i 127.0.0.1 -p "$(freeport)" 127.0.0.1:"$port")
		else
			res=$(step "reg-$r" -sf "$tmp/register.xml" \
			    -inf "$tmp/users.csv" -r "$r" \
			    -m $((r * STEP_SECONDS)) -i 127.0.0.1 \
			    -p "$(freeport)" 127.0.0.1:"$port")
		fi
		echo "#   $kind $r/s: $res" >&2
		set -- $res
		[ "$1" = ok ] || break
		best=$r
		bestp99=$3
	done
	if [ "$kind" = call ]; then
		kill "${pids[-1]}" 2>/dev/null
	fi
	echo "$best $bestp99"
}

echo "# machine: $(nproc) CPU, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
echo "# sipp $(sipp -v 2>/dev/null | sed -n 's/.*\(v[0-9][^ -]*\).*/\1/p' | head -n 1), steps of ${STEP_SECONDS}s, $N_DNS DNs"

bport=$(freeport)
start_bcsipd "$bport"
read -r breg breg99 < <(ladder register "$bport")
read -r bcall bcall99 < <(ladder call "$bport")
kill "${pids[0]}" 2>/dev/null

kport=$(freeport)
if start_kamailio "$kport"; then
	read -r kreg kreg99 < <(ladder register "$kport")
	read -r kcall kcall99 < <(ladder call "$kport")
	kam="$(kamailio -v 2>/dev/null | sed -n 's/^version: //p' | head -n 1)"
else
	kreg=- kreg99=- kcall=- kcall99=-
	kam="not available (could not install or start; see log)"
	tail -n 5 "$tmp/kamailio.log" 2>/dev/null | sed 's/^/# /'
fi

printf '\n| server | REGISTER/s sustained | p99 ms | calls/s sustained | p99 ms (INVITE to 200) |\n'
printf '|---|---|---|---|---|\n'
printf '| bcsipd (1 process) | %s | %s | %s | %s |\n' "$breg" "$breg99" "$bcall" "$bcall99"
printf '| Kamailio %s (%s workers) | %s | %s | %s | %s |\n' "$kam" "${KAM_CHILDREN:-2}" \
    "$kreg" "$kreg99" "$kcall" "$kcall99"
