#!/bin/sh
# bcsync-tls.sh -- bcsync(8) over HTTPS with self-signed certificates
# made by openssl(1) at test time: [sync] tls_cert/tls_key serve the
# feed, [peer] tls_ca pins the peer's certificate; changes replicate both
# ways.  A peer pinned to the wrong certificate replicates nothing; with
# [sync] tls_client_ca a request without a client certificate signed by
# it gets 401 even with the token.
unset BC_STORE
. "$BC_SRCDIR/tests/cli/lib.sh"
. "$BC_SRCDIR/tests/sync/lib-sync.sh"
. "$BC_SRCDIR/tests/sync/lib-bcsync.sh"

command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"

# cert NAME: $T/NAME.crt and $T/NAME.key, self-signed for 127.0.0.1
cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -subj "/CN=127.0.0.1" \
	    -addext "subjectAltName = IP:127.0.0.1" \
	    -keyout "$T/$1.key" -out "$T/$1.crt" >/dev/null 2>&1 ||
	    skip_all "openssl cannot make a certificate"
	chmod 600 "$T/$1.key"
}
cert east
cert west
cert rogue

has() {
	[ -n "$(sq "$1" "SELECT 1 FROM dn WHERE number = '$2'")" ]
}

SCHEME=https
SYNC_TLS="tls_cert = $T/@SITE@.crt
tls_key = $T/@SITE@.key"
PEER_TLS_east="tls_ca = $T/west.crt"
PEER_TLS_west="tls_ca = $T/east.crt"
CA_east=$T/east.crt
CA_west=$T/west.crt
bcsync_sites
start_site east || finish
start_site west || finish
expect_log east 'serving the feed of .* on https://'

expect_silent east dn add 5001 --type extension --alias "over https"
wait_until "east's change reaches west over HTTPS" 15 has "$W" 5001
expect_silent west dn add 5002 --type extension
wait_until "west's change reaches east over HTTPS" 15 has "$E" 5002
expect_converged "over HTTPS"
api east /v1/status
expect_equal "curl --cacert reads /v1/status over HTTPS" "$code" 200
expect_json 'd["peer_up"] is True'
# plain HTTP to the HTTPS port, and HTTPS without the pinned CA: no answer
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    -H "Authorization: Bearer $(cat "$TOK_east")" \
    "http://127.0.0.1:$PORT_east/v1/status") || true
case $code in
200)	fail "plain HTTP answered 200 on the HTTPS port" ;;
*)	pass ;;
esac
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    -H "Authorization: Bearer $(cat "$TOK_east")" \
    "$URL_east/v1/status") || true
expect_equal "HTTPS without the pinned certificate" "$code" 000

# ---- west pins the wrong certificate: nothing replicates ---------------------
stop_site west
PEER_TLS_west="tls_ca = $T/rogue.crt"
write_conf west
start_site west || finish
expect_silent east dn add 5003 --type extension
wait_until "west logs that the peer cannot be trusted" 15 log_has west \
    'peer is down: .*(SSL|certificate|TLS)'
check "nothing replicated through an untrusted certificate" \
    eval '! has "$W" 5003'
stop_site west

# ---- client certificates: [sync] tls_client_ca -------------------------------
# east wants west's certificate as the client's; west presents it
PEER_TLS_west="tls_ca = $T/east.crt
tls_cert = $T/west.crt
tls_key = $T/west.key"
write_conf west
stop_site east
write_conf east "tls_client_ca = $T/west.crt"
start_site east || finish
start_site west || finish
api east /v1/status
expect_equal "the token without a client certificate" "$code" 401
api east /v1/status --cert "$T/rogue.crt" --key "$T/rogue.key"
expect_equal "a client certificate east does not trust" "$code" 401
api east /v1/status --cert "$T/west.crt" --key "$T/west.key"
expect_equal "west's client certificate and the token" "$code" 200
wait_until "west replicates with its client certificate" 15 has "$W" 5003
expect_converged "with client certificates"
stop_site west
expect_equal "west exits 0" "$stop_status" 0
stop_site east
expect_equal "east exits 0" "$stop_status" 0

finish
