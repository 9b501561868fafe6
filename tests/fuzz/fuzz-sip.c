/*
 * fuzz-sip.c -- libFuzzer target on bcsipd's message path: raw bytes in,
 * through the engine's whole pipeline (raw checks, libosip2's parser,
 * registrar, proxy, response routing, building), as from UDP and TCP
 * peers.  Nothing may crash, hang or leak.  Built and run by
 * run-fuzz-sip.sh.
 *
 * The engine serves a store made once in a temporary directory with a
 * few DNs (one with a password, one call-processing port), so inputs
 * reach every path; the first bytes of the input pick the transport and
 * the clock.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bc-sip.h"
#include "sip-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***);

static bc_store *store;
static bc_sip_server *srv;
static char dir[64];

static void
done(void)
{
	char path[128];

	bc_sip_server_free(srv);
	bc_store_close(store);
	snprintf(path, sizeof(path), "%s/s.db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct bc_sip_conf conf;
	struct bc_err err;
	struct bc_dn dn;
	char path[128];

	(void)argc;
	(void)argv;
	bc_sip_library_init();
	snprintf(dir, sizeof(dir), "/tmp/bcsip-fuzz.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/s.db", dir);
	if (bc_store_open(&store, path, BC_OPEN_CREATE, 1000, &err) ||
	    bc_site_init(store, "east", NULL, &err))
		abort();
	bc_dn_init(&dn);
	dn.number = "5001";
	if (bc_dn_add(store, &dn, &err))
		abort();
	dn.number = "5002";
	dn.password = "s1p";
	if (bc_dn_add(store, &dn, &err))
		abort();
	dn.password = NULL;
	dn.number = "6001";
	dn.type = BC_DN_CALL_PROCESSING_PORT;
	dn.contact = "sip:ivr@127.0.0.1:7000";
	if (bc_dn_add(store, &dn, &err))
		abort();
	bc_sip_conf_init(&conf);
	if (bc_sip_listen_parse(&conf, "udp:127.0.0.1:5060, tcp:[::1]:5060",
	    &err) ||
	    bc_sip_server_create(&srv, store, &conf, "east",
	    (const unsigned char *)"fuzz", 4, 1800000000LL, &err))
		abort();
	atexit(done);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bc_sip_peer peer;
	struct bc_sip_out out;
	struct bc_err err;
	bc_sipmsg *m;
	char *copy, *s;
	size_t len;
	uint8_t sel = size > 0 ? data[0] : 0;

	/* the parser alone, and a rebuild of what it accepts */
	if (size > 0 && (copy = malloc(size)) != NULL) {
		memcpy(copy, data, size);
		if (bc_sipmsg_raw_check(copy, size, NULL, 0) == 0 &&
		    bc_sipmsg_parse(&m, copy, size) == 0) {
			if (bc_sipmsg_to_string(m, &s, &len) == 0)
				free(s);
			bc_sipmsg_free(m);
		}
		free(copy);
	}

	memset(&peer, 0, sizeof(peer));
	peer.transport = (sel & 1) ? BC_SIP_TCP : BC_SIP_UDP;
	peer.listener = (sel & 1) ? 1 : 0;
	snprintf(peer.host, sizeof(peer.host), (sel & 1) ? "::1" :
	    "127.0.0.1");
	peer.port = 5099;
	out.n = 0;
	/* an exact-size heap copy, so reads past the end are caught */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	(void)bc_sip_server_input(srv, copy, size, &peer,
	    1800000000LL + (sel >> 1), &out, &err);
	bc_sip_out_clear(&out);
	if (sel == 0xff)
		(void)bc_sip_server_tick(srv, 1800000000LL + 4000, 0, &err);
	free(copy);
	return 0;
}
