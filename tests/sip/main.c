/*
 * main.c -- CUnit suite of the SIP engine (core/libbcsip.a) with recorded
 * messages: registrar, digest, expiry, proxy rules, response routing,
 * malformed input and reloads of the store.
 *
 *	run-sip [TEST]
 *
 * Each test makes its own temporary store.  The clock is the test's: the
 * engine takes the time as an argument, so expiry and stale nonces are
 * tested without waiting.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "bc-sip.h"
#include "sip-internal.h"

#define T0	1800000000LL	/* the tests' "now" */

struct fx {
	char		 dir[64];
	char		 path[128];
	bc_store	*s;
	bc_sip_server	*srv;
	struct bc_sip_conf conf;
	struct bc_sip_out out;
	struct bc_sip_peer peer;
};

static int
fx_setup(struct fx *f)
{
	struct bc_err err;
	struct bc_dn dn;
	static const unsigned char secret[] = "test secret";

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/bcsip-unit.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/s.db", f->dir);
	if (bc_store_open(&f->s, f->path, BC_OPEN_CREATE, 1000, &err) ||
	    bc_site_init(f->s, "east", NULL, &err))
		goto fail;
	bc_dn_init(&dn);
	dn.number = "5001";
	if (bc_dn_add(f->s, &dn, &err))
		goto fail;
	dn.number = "5002";
	dn.password = "s1p";
	if (bc_dn_add(f->s, &dn, &err))
		goto fail;
	dn.password = NULL;
	dn.number = "6001";
	dn.type = BC_DN_CALL_PROCESSING_PORT;
	dn.contact = "sip:ivr@127.0.0.1:7000";
	if (bc_dn_add(f->s, &dn, &err))
		goto fail;
	bc_sip_conf_init(&f->conf);
	if (bc_sip_listen_parse(&f->conf, "udp:127.0.0.1:5060, "
	    "tcp:127.0.0.1:5060", &err) ||
	    bc_sip_server_create(&f->srv, f->s, &f->conf, "east", secret,
	    sizeof(secret) - 1, T0, &err))
		goto fail;
	f->peer.transport = BC_SIP_UDP;
	snprintf(f->peer.host, sizeof(f->peer.host), "127.0.0.1");
	f->peer.port = 5099;
	f->peer.listener = 0;
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", err.msg);
	return -1;
}

static void
fx_teardown(struct fx *f)
{
	char cmd[200];

	bc_sip_out_clear(&f->out);
	bc_sip_server_free(f->srv);
	bc_store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
}

/* Feeds one message (printf-style, "\n" becomes CRLF); 0 or -1. */
static int
feed(struct fx *f, long long now, const char *fmt, ...)
{
	char raw[8192], msg[9000];
	struct bc_err err;
	va_list ap;
	size_t i, n = 0;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	for (i = 0; raw[i] != '\0' && n < sizeof(msg) - 2; i++) {
		if (raw[i] == '\n')
			msg[n++] = '\r';
		msg[n++] = raw[i];
	}
	bc_sip_out_clear(&f->out);
	return bc_sip_server_input(f->srv, msg, n, &f->peer, now, &f->out,
	    &err) == BC_OK ? 0 : -1;
}

/* Status code of output i, or -1 (a request or nothing). */
static int
status(const struct fx *f, size_t i)
{
	if (i >= f->out.n || strncmp(f->out.v[i].buf, "SIP/2.0 ", 8) != 0)
		return -1;
	return atoi(f->out.v[i].buf + 8);
}

static int
has(const struct fx *f, size_t i, const char *text)
{
	return i < f->out.n && strstr(f->out.v[i].buf, text) != NULL;
}

#define REGISTER(num, callid, cseq, extra) \
	"REGISTER sip:127.0.0.1 SIP/2.0\n" \
	"Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK" callid cseq ";rport\n" \
	"From: <sip:" num "@127.0.0.1>;tag=f1\n" \
	"To: <sip:" num "@127.0.0.1>\n" \
	"Call-ID: " callid "\n" \
	"CSeq: " cseq " REGISTER\n" \
	"Max-Forwards: 70\n" \
	extra \
	"Content-Length: 0\n\n"

#define INVITE(num, branch, callid, extra) \
	"INVITE sip:" num "@127.0.0.1 SIP/2.0\n" \
	"Via: SIP/2.0/UDP 127.0.0.1:5099;branch=" branch ";rport\n" \
	"From: <sip:caller@127.0.0.1>;tag=c1\n" \
	"To: <sip:" num "@127.0.0.1>\n" \
	"Call-ID: " callid "\n" \
	"CSeq: 1 INVITE\n" \
	"Contact: <sip:caller@127.0.0.1:5099>\n" \
	extra \
	"Content-Length: 0\n\n"

static int
count_bindings(const struct bc_binding *b, void *arg)
{
	(void)b;
	(*(int *)arg)++;
	return 0;
}

static int
stored(struct fx *f, const char *number, long long now)
{
	struct bc_err err;
	int n = 0;

	bc_sip_server_flush(f->srv, &err);
	bc_reg_foreach(f->s, number, now, count_bindings, &n, &err);
	return n;
}

static void
test_register(void)
{
	struct fx f;

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	CU_ASSERT_EQUAL(feed(&f, T0, REGISTER("5001", "r1", "1",
	    "Contact: <sip:5001@127.0.0.1:6000>;expires=120\n"
	    "Contact: <sip:5001@10.0.0.1:6000>\n"
	    "Expires: 300\n")), 0);
	CU_ASSERT_EQUAL(status(&f, 0), 200);
	CU_ASSERT_TRUE(has(&f, 0, "<sip:5001@127.0.0.1:6000>;expires=120"));
	CU_ASSERT_TRUE(has(&f, 0, "<sip:5001@10.0.0.1:6000>;expires=300"));
	CU_ASSERT_TRUE(has(&f, 0, "To: <sip:5001@127.0.0.1>;tag="));
	CU_ASSERT_EQUAL(f.out.v[0].to.port, 5099);
	CU_ASSERT_EQUAL(stored(&f, "5001", T0), 2);
	/* a query lists the bindings */
	feed(&f, T0 + 10, REGISTER("5001", "r1", "2", ""));
	CU_ASSERT_EQUAL(status(&f, 0), 200);
	CU_ASSERT_TRUE(has(&f, 0, ";expires=110"));
	CU_ASSERT_TRUE(has(&f, 0, ";expires=290"));
	/* a refresh */
	feed(&f, T0 + 10, REGISTER("5001", "r1", "3",
	    "Contact: <sip:5001@127.0.0.1:6000>;expires=110\n"));
	CU_ASSERT_TRUE(has(&f, 0, ";expires=110"));
	/* an older CSeq of the same Call-ID is out of order */
	feed(&f, T0 + 10, REGISTER("5001", "r1", "2",
	    "Contact: <sip:5001@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 500);
	/* expires 0 removes one contact; expiry drops the other */
	feed(&f, T0 + 20, REGISTER("5001", "r1", "4",
	    "Contact: <sip:5001@10.0.0.1:6000>;expires=0\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 200);
	CU_ASSERT_FALSE(has(&f, 0, "10.0.0.1"));
	CU_ASSERT_EQUAL(stored(&f, "5001", T0 + 20), 1);
	CU_ASSERT_EQUAL(bc_sip_server_tick(f.srv, T0 + 121, 0, NULL), BC_OK);
	CU_ASSERT_EQUAL(stored(&f, "5001", 0), 0);
	fx_teardown(&f);
}

static void
test_register_refused(void)
{
	struct fx f;

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	feed(&f, T0, REGISTER("5999", "r2", "1",
	    "Contact: <sip:5999@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 404);
	feed(&f, T0, REGISTER("6001", "r2", "2",
	    "Contact: <sip:6001@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 404);
	feed(&f, T0, REGISTER("5001", "r2", "3",
	    "Contact: <sip:5001@127.0.0.1:6000>;expires=10\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 423);
	CU_ASSERT_TRUE(has(&f, 0, "Min-Expires: 60"));
	/* max_expires shortens */
	feed(&f, T0, REGISTER("5001", "r2", "4",
	    "Contact: <sip:5001@127.0.0.1:6000>;expires=99999\n"));
	CU_ASSERT_TRUE(has(&f, 0, ";expires=3600"));
	/* Contact: * needs Expires: 0 */
	feed(&f, T0, REGISTER("5001", "r2", "5", "Contact: *\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 400);
	feed(&f, T0, REGISTER("5001", "r2", "6", "Contact: *\nExpires: 0\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 200);
	CU_ASSERT_FALSE(has(&f, 0, "Contact:"));
	CU_ASSERT_EQUAL(stored(&f, "5001", T0), 0);
	fx_teardown(&f);
}

/* Pulls nonce="..." of a 401 into out. */
static int
nonce_of(const struct fx *f, char *out, size_t len)
{
	const char *p = f->out.n > 0 ? strstr(f->out.v[0].buf, "nonce=\"") :
	    NULL;
	size_t n;

	if (p == NULL)
		return -1;
	p += 7;
	n = strcspn(p, "\"");
	if (n >= len)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static void
authorization(char *buf, size_t len, const char *nonce, const char *pw)
{
	char ha1[33], ha2[33], resp[33];

	sip_md5_hex(ha1, "5002", "east", pw, (char *)NULL);
	sip_md5_hex(ha2, "REGISTER", "sip:127.0.0.1", (char *)NULL);
	sip_md5_hex(resp, ha1, nonce, "00000001", "abc", "auth", ha2,
	    (char *)NULL);
	snprintf(buf, len, "Authorization: Digest username=\"5002\", "
	    "realm=\"east\", nonce=\"%s\", uri=\"sip:127.0.0.1\", "
	    "response=\"%s\", algorithm=MD5, qop=auth, nc=00000001, "
	    "cnonce=\"abc\"\n", nonce, resp);
}

static void
test_digest(void)
{
	struct fx f;
	char nonce[128], auth[600];

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	feed(&f, T0, REGISTER("5002", "a1", "1",
	    "Contact: <sip:5002@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 401);
	CU_ASSERT_TRUE(has(&f, 0, "qop=\"auth\""));
	CU_ASSERT_FALSE(has(&f, 0, "stale"));
	CU_ASSERT_EQUAL_FATAL(nonce_of(&f, nonce, sizeof(nonce)), 0);

	authorization(auth, sizeof(auth), nonce, "s1p");
	feed(&f, T0 + 1, REGISTER("5002", "a1", "2",
	    "Contact: <sip:5002@127.0.0.1:6000>\n%s"), auth);
	CU_ASSERT_EQUAL(status(&f, 0), 200);

	authorization(auth, sizeof(auth), nonce, "wrong");
	feed(&f, T0 + 2, REGISTER("5002", "a1", "3",
	    "Contact: <sip:5002@127.0.0.1:6000>\n%s"), auth);
	CU_ASSERT_EQUAL(status(&f, 0), 403);

	/* the right password with an old nonce: stale */
	authorization(auth, sizeof(auth), nonce, "s1p");
	feed(&f, T0 + 301, REGISTER("5002", "a1", "4",
	    "Contact: <sip:5002@127.0.0.1:6000>\n%s"), auth);
	CU_ASSERT_EQUAL(status(&f, 0), 401);
	CU_ASSERT_TRUE(has(&f, 0, "stale=true"));

	/* a forged nonce is not stale, just refused */
	nonce[20] = nonce[20] == 'a' ? 'b' : 'a';
	authorization(auth, sizeof(auth), nonce, "s1p");
	feed(&f, T0 + 3, REGISTER("5002", "a1", "5",
	    "Contact: <sip:5002@127.0.0.1:6000>\n%s"), auth);
	CU_ASSERT_EQUAL(status(&f, 0), 401);
	CU_ASSERT_FALSE(has(&f, 0, "stale"));
	fx_teardown(&f);
}

/* Credentials of 5002 for nonce with count nc (NULL: no qop). */
static void
authz(char *buf, size_t len, const char *nonce, const char *pw,
    const char *nc)
{
	char ha1[33], ha2[33], resp[33];

	sip_md5_hex(ha1, "5002", "east", pw, (char *)NULL);
	sip_md5_hex(ha2, "REGISTER", "sip:127.0.0.1", (char *)NULL);
	if (nc != NULL)
		sip_md5_hex(resp, ha1, nonce, nc, "abc", "auth", ha2,
		    (char *)NULL);
	else
		sip_md5_hex(resp, ha1, nonce, ha2, (char *)NULL);
	snprintf(buf, len, "Authorization: Digest username=\"5002\", "
	    "realm=\"east\", nonce=\"%s\", uri=\"sip:127.0.0.1\", "
	    "response=\"%s\", algorithm=MD5%s%s%s\n", nonce, resp,
	    nc != NULL ? ", qop=auth, nc=" : "", nc != NULL ? nc : "",
	    nc != NULL ? ", cnonce=\"abc\"" : "");
}

/* REGISTER of 5002 with credentials; the status code of the answer. */
static int
reg_auth(struct fx *f, long long now, const char *cseq, const char *nonce,
    const char *pw, const char *nc)
{
	char auth[700];

	authz(auth, sizeof(auth), nonce, pw, nc);
	if (feed(f, now, "REGISTER sip:127.0.0.1 SIP/2.0\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKnc%s;rport\n"
	    "From: <sip:5002@127.0.0.1>;tag=f1\n"
	    "To: <sip:5002@127.0.0.1>\n"
	    "Call-ID: nc1\n"
	    "CSeq: %s REGISTER\n"
	    "Max-Forwards: 70\n"
	    "Contact: <sip:5002@127.0.0.1:6000>\n"
	    "%s"
	    "Content-Length: 0\n\n", cseq, cseq, auth) != 0)
		return -1;
	return status(f, 0);
}

static void
test_digest_replay(void)
{
	struct fx f;
	char nonce[128], n2[128], first[128];
	unsigned long long i;

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	feed(&f, T0, REGISTER("5002", "nc1", "1",
	    "Contact: <sip:5002@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 401);
	CU_ASSERT_EQUAL_FATAL(nonce_of(&f, nonce, sizeof(nonce)), 0);
	/* two challenges in the same second: two nonces */
	feed(&f, T0, REGISTER("5002", "nc1", "1",
	    "Contact: <sip:5002@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL_FATAL(nonce_of(&f, n2, sizeof(n2)), 0);
	CU_ASSERT_STRING_NOT_EQUAL(nonce, n2);

	CU_ASSERT_EQUAL(reg_auth(&f, T0, "2", nonce, "s1p", "00000001"), 200);
	/* the same request again: a replay, 401 stale with a new nonce */
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "2", nonce, "s1p", "00000001"), 401);
	CU_ASSERT_TRUE(has(&f, 0, "stale=true"));
	CU_ASSERT_FALSE(has(&f, 0, nonce));
	/* the same count with another CSeq: still a replay */
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "3", nonce, "s1p", "00000001"), 401);
	CU_ASSERT_TRUE(has(&f, 0, "stale=true"));
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "4", nonce, "s1p", "00000002"), 200);
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "5", nonce, "s1p", "00000002"), 401);
	/* counts that overtake each other pass once each */
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "6", nonce, "s1p", "00000005"), 200);
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "7", nonce, "s1p", "00000003"), 200);
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "8", nonce, "s1p", "00000003"), 401);
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "9", nonce, "s1p", "00000004"), 200);
	/* a wrong password does not use up a count */
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "10", nonce, "bad", "00000006"),
	    403);
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "11", nonce, "s1p", "00000006"),
	    200);
	/* below the window: refused */
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "12", nonce, "s1p", "00000100"),
	    200);
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "13", nonce, "s1p", "00000007"),
	    401);
	/* a malformed count */
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "14", nonce, "s1p", "0000000g"),
	    400);
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "15", nonce, "s1p", "00000000"),
	    400);
	/* the other nonce has counts of its own */
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "16", n2, "s1p", "00000001"), 200);
	/* without qop a nonce serves once */
	feed(&f, T0, REGISTER("5002", "nc1", "17",
	    "Contact: <sip:5002@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL_FATAL(nonce_of(&f, n2, sizeof(n2)), 0);
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "18", n2, "s1p", NULL), 200);
	CU_ASSERT_EQUAL(reg_auth(&f, T0, "19", n2, "s1p", NULL), 401);
	CU_ASSERT_TRUE(has(&f, 0, "stale=true"));
	CU_ASSERT(bc_sip_server_stats(f.srv)->replays >= 6);

	/*
	 * A full table: twice as many live nonces as it holds, 1024 new
	 * ones a second.  Nearly all are accepted once (a nonce is only
	 * refused when its set is full of nonces of its own second), and
	 * every one is refused after, evicted or not.
	 */
	sip_nonce_make(f.srv, T0 + 1, first);
	CU_ASSERT_EQUAL(sip_nc_use(f.srv, first, "00000001", T0 + 1), 0);
	{
		size_t total = 2 * SIP_NC_SETS * SIP_NC_WAYS, refused = 0;
		char (*v)[SIP_NONCE_LEN + 1] = calloc(total, sizeof(*v));
		long long t = T0 + 2;

		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		for (i = 0; i < total; i++) {
			t = T0 + 2 + (long long)(i / 1024);
			sip_nonce_make(f.srv, t, v[i]);
			if (sip_nc_use(f.srv, v[i], "00000001", t) != 0)
				refused++;
		}
		CU_ASSERT(refused < total / 1000);
		refused = 0;
		for (i = 0; i < total; i++)
			if (sip_nc_use(f.srv, v[i], "00000001", t) == 1)
				refused++;
		CU_ASSERT_EQUAL(refused, total);
		free(v);
	}
	CU_ASSERT_EQUAL(sip_nc_use(f.srv, first, "00000001", T0 + 200), 1);
	sip_nonce_make(f.srv, T0 + 200, n2);
	CU_ASSERT_EQUAL(sip_nc_use(f.srv, n2, "00000001", T0 + 200), 0);
	/* dead nonces make room without raising the floor */
	sip_nonce_make(f.srv, T0 + 400, n2);
	CU_ASSERT_EQUAL(sip_nc_use(f.srv, n2, "00000001", T0 + 400), 0);
	fx_teardown(&f);
}

/* Index of the first output that starts with text, or -1. */
static int
find_out(const struct fx *f, const char *text)
{
	size_t i;

	for (i = 0; i < f->out.n; i++)
		if (strncmp(f->out.v[i].buf, text, strlen(text)) == 0)
			return (int)i;
	return -1;
}

/* Output going to port, or -1. */
static int
out_to(const struct fx *f, unsigned short port, const char *start)
{
	size_t i;

	for (i = 0; i < f->out.n; i++)
		if (f->out.v[i].to.port == port &&
		    strncmp(f->out.v[i].buf, start, strlen(start)) == 0)
			return (int)i;
	return -1;
}

/*
 * A response of a phone to the request req (as we sent it): its Via,
 * From, To (with tag), Call-ID and CSeq lines, as a UAS builds it.
 */
static void
phone_response(char *buf, size_t len, const char *req, int code,
    const char *tag)
{
	const char *p = req, *e;
	size_t n;

	n = (size_t)snprintf(buf, len, "SIP/2.0 %d Phone\r\n", code);
	while ((e = strstr(p, "\r\n")) != NULL && e != p) {
		if (strncmp(p, "Via:", 4) == 0 || strncmp(p, "From:", 5) == 0 ||
		    strncmp(p, "Call-ID:", 8) == 0 ||
		    strncmp(p, "CSeq:", 5) == 0)
			n += (size_t)snprintf(buf + n, len - n, "%.*s\r\n",
			    (int)(e - p), p);
		else if (strncmp(p, "To:", 3) == 0)
			n += (size_t)snprintf(buf + n, len - n, "%.*s%s%s\r\n",
			    (int)(e - p), p, code > 100 ? ";tag=" : "",
			    code > 100 ? tag : "");
		p = e + 2;
	}
	snprintf(buf + n, len - n, "Content-Length: 0\r\n\r\n");
}

/* Feeds raw bytes (already CRLF). */
static void
feed_raw(struct fx *f, long long now, const char *msg)
{
	struct bc_err err;

	bc_sip_out_clear(&f->out);
	CU_ASSERT_EQUAL(bc_sip_server_input(f->srv, msg, strlen(msg),
	    &f->peer, now, &f->out, &err), BC_OK);
}

/* Three contacts for 5001: phones on ports 6000, 6001 and 6002. */
static void
fork_register(struct fx *f)
{
	feed(f, T0, REGISTER("5001", "fr", "1",
	    "Contact: <sip:5001@127.0.0.1:6000>\n"
	    "Contact: <sip:5001@127.0.0.1:6001>\n"
	    "Contact: <sip:5001@127.0.0.1:6002>\n"));
	CU_ASSERT_EQUAL(status(f, 0), 200);
}

/* The INVITEs of a fork: copies of their text by phone port. */
static int
fork_invites(struct fx *f, char inv[3][4096])
{
	int i, k;

	for (i = 0; i < 3; i++) {
		if ((k = out_to(f, (unsigned short)(6000 + i), "INVITE ")) < 0)
			return -1;
		snprintf(inv[i], 4096, "%s", f->out.v[k].buf);
	}
	return 0;
}

static void
test_fork(void)
{
	struct fx f;
	char inv[3][4096], r[4096];
	int k;

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	fork_register(&f);

	/* the INVITE goes to the three phones, the caller gets 100 */
	feed(&f, T0, INVITE("5001", "z9hG4bKf1", "f1", "Max-Forwards: 70\n"));
	CU_ASSERT_EQUAL(f.out.n, 4);
	CU_ASSERT_EQUAL(status(&f, 0), 100);
	CU_ASSERT_EQUAL(f.out.v[0].to.port, 5099);
	CU_ASSERT_EQUAL_FATAL(fork_invites(&f, inv), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(inv[0], "INVITE sip:5001@127.0.0.1:6000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(inv[1], "Record-Route: <sip:127.0.0.1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(inv[2], "orwards: 69\r\n"));
	/* three different branches */
	CU_ASSERT_STRING_NOT_EQUAL(strstr(inv[0], "branch="),
	    strstr(inv[1], "branch="));
	/* a retransmission: 100 again, the INVITE again to silent phones */
	feed(&f, T0, INVITE("5001", "z9hG4bKf1", "f1", "Max-Forwards: 70\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 100);
	CU_ASSERT_EQUAL(f.out.n, 4);

	/* phone 0 rings: relayed; phone 1 rings too */
	phone_response(r, sizeof(r), inv[0], 180, "p0");
	feed_raw(&f, T0, r);
	CU_ASSERT_EQUAL_FATAL(f.out.n, 1);
	CU_ASSERT_EQUAL(status(&f, 0), 180);
	CU_ASSERT_EQUAL(f.out.v[0].to.port, 5099);
	CU_ASSERT_FALSE(has(&f, 0, "z9hG4bK-bc"));	/* our Via is off */
	phone_response(r, sizeof(r), inv[1], 180, "p1");
	feed_raw(&f, T0, r);
	CU_ASSERT_EQUAL(status(&f, 0), 180);
	/* the timers resend the INVITE to the silent phone 2 */
	bc_sip_out_clear(&f.out);
	CU_ASSERT_EQUAL(bc_sip_server_timers(f.srv, T0 + 1, &f.out, NULL),
	    BC_OK);
	CU_ASSERT_EQUAL(f.out.n, 1);
	CU_ASSERT(out_to(&f, 6002, "INVITE ") >= 0);

	/* phone 1 answers: 200 up, CANCEL to phone 0, none yet to 2 */
	phone_response(r, sizeof(r), inv[1], 200, "p1");
	feed_raw(&f, T0 + 2, r);
	CU_ASSERT_EQUAL(f.out.n, 2);
	CU_ASSERT((k = find_out(&f, "SIP/2.0 200")) >= 0);
	CU_ASSERT(k >= 0 && f.out.v[k].to.port == 5099);
	CU_ASSERT((k = out_to(&f, 6000, "CANCEL sip:5001@127.0.0.1:6000 "))
	    >= 0);
	CU_ASSERT(k >= 0 && strstr(f.out.v[k].buf, "CSeq: 1 CANCEL") != NULL);
	{
		/* the CANCEL has the branch of the INVITE it cancels */
		char br[100];
		const char *b = strstr(inv[0], "branch=z9hG4bK-bc");

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		snprintf(br, sizeof(br), "%.*s", (int)strcspn(b, ";\r"), b);
		CU_ASSERT(k >= 0 && strstr(f.out.v[k].buf, br) != NULL);
	}
	/* the 200 again (the phone retransmits it): up again */
	feed_raw(&f, T0 + 2, r);
	CU_ASSERT_EQUAL(status(&f, 0), 200);
	CU_ASSERT_EQUAL(f.out.n, 1);
	/* phone 2 rings late: its CANCEL now, nothing up */
	phone_response(r, sizeof(r), inv[2], 180, "p2");
	feed_raw(&f, T0 + 2, r);
	CU_ASSERT_EQUAL(f.out.n, 1);
	CU_ASSERT(out_to(&f, 6002, "CANCEL ") >= 0);
	/* phone 0's 487 is ACKed here, nothing goes up */
	phone_response(r, sizeof(r), inv[0], 487, "p0");
	feed_raw(&f, T0 + 2, r);
	CU_ASSERT_EQUAL(f.out.n, 1);
	CU_ASSERT((k = out_to(&f, 6000, "ACK sip:5001@127.0.0.1:6000 ")) >= 0);
	CU_ASSERT(k >= 0 && strstr(f.out.v[k].buf, ";tag=p0") != NULL);
	CU_ASSERT(k >= 0 && strstr(f.out.v[k].buf, "CSeq: 1 ACK") != NULL);
	/* the response to our CANCEL stays here */
	phone_response(r, sizeof(r), inv[0], 200, "p0");
	{
		char *c = strstr(r, "CSeq: 1 INVITE");

		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		memcpy(c, "CSeq: 1 CANCEL", 14);
	}
	feed_raw(&f, T0 + 2, r);
	CU_ASSERT_EQUAL(f.out.n, 0);
	CU_ASSERT_EQUAL(bc_sip_server_stats(f.srv)->forks, 1);
	fx_teardown(&f);
}

static void
test_fork_failures(void)
{
	struct fx f;
	char inv[3][4096], r[4096];
	int k;

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	fork_register(&f);

	/* 486 and 404, phone 2 silent: the best, 404, after the timeout */
	feed(&f, T0, INVITE("5001", "z9hG4bKg1", "g1", ""));
	CU_ASSERT_EQUAL_FATAL(fork_invites(&f, inv), 0);
	phone_response(r, sizeof(r), inv[0], 486, "p0");
	feed_raw(&f, T0, r);
	CU_ASSERT_EQUAL(f.out.n, 1);
	CU_ASSERT(out_to(&f, 6000, "ACK ") >= 0);
	phone_response(r, sizeof(r), inv[1], 503, "p1");
	feed_raw(&f, T0, r);
	CU_ASSERT_EQUAL(f.out.n, 1);
	CU_ASSERT(out_to(&f, 6001, "ACK ") >= 0);
	bc_sip_out_clear(&f.out);
	bc_sip_server_timers(f.srv, T0 + SIP_INV_TTL, &f.out, NULL);
	CU_ASSERT((k = find_out(&f, "SIP/2.0 486")) >= 0);
	CU_ASSERT(k >= 0 && f.out.v[k].to.port == 5099);
	/* the caller's ACK of it ends here */
	feed(&f, T0 + SIP_INV_TTL, "ACK sip:5001@127.0.0.1 SIP/2.0\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKg1;rport\n"
	    "From: <sip:caller@127.0.0.1>;tag=c1\n"
	    "To: <sip:5001@127.0.0.1>;tag=p0\n"
	    "Call-ID: g1\n"
	    "CSeq: 1 ACK\n"
	    "Content-Length: 0\n\n");
	CU_ASSERT_EQUAL(f.out.n, 0);

	/* a 6xx wins over a 4xx and CANCELs the ringing phone */
	feed(&f, T0, INVITE("5001", "z9hG4bKg2", "g2", ""));
	CU_ASSERT_EQUAL_FATAL(fork_invites(&f, inv), 0);
	phone_response(r, sizeof(r), inv[0], 180, "p0");
	feed_raw(&f, T0, r);
	phone_response(r, sizeof(r), inv[2], 404, "p2");
	feed_raw(&f, T0, r);
	phone_response(r, sizeof(r), inv[1], 603, "p1");
	feed_raw(&f, T0, r);
	CU_ASSERT(out_to(&f, 6001, "ACK ") >= 0);
	CU_ASSERT(out_to(&f, 6000, "CANCEL ") >= 0);
	CU_ASSERT(find_out(&f, "SIP/2.0") < 0);
	phone_response(r, sizeof(r), inv[0], 487, "p0");
	feed_raw(&f, T0, r);
	CU_ASSERT(out_to(&f, 6000, "ACK ") >= 0);
	CU_ASSERT((k = find_out(&f, "SIP/2.0 603")) >= 0);
	CU_ASSERT(k >= 0 && f.out.v[k].to.port == 5099);

	/* the caller CANCELs: 200 here, CANCEL to the ringing phone, 487 */
	feed(&f, T0, INVITE("5001", "z9hG4bKg3", "g3", ""));
	CU_ASSERT_EQUAL_FATAL(fork_invites(&f, inv), 0);
	phone_response(r, sizeof(r), inv[1], 180, "p1");
	feed_raw(&f, T0, r);
	feed(&f, T0 + 1, "CANCEL sip:5001@127.0.0.1 SIP/2.0\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKg3;rport\n"
	    "From: <sip:caller@127.0.0.1>;tag=c1\n"
	    "To: <sip:5001@127.0.0.1>\n"
	    "Call-ID: g3\n"
	    "CSeq: 1 CANCEL\n"
	    "Max-Forwards: 70\n"
	    "Content-Length: 0\n\n");
	CU_ASSERT_EQUAL(f.out.n, 2);
	CU_ASSERT((k = find_out(&f, "SIP/2.0 200")) >= 0);
	CU_ASSERT(k >= 0 && strstr(f.out.v[k].buf, "CSeq: 1 CANCEL") != NULL);
	CU_ASSERT(out_to(&f, 6001, "CANCEL ") >= 0);
	phone_response(r, sizeof(r), inv[1], 487, "p1");
	feed_raw(&f, T0 + 1, r);
	CU_ASSERT(out_to(&f, 6001, "ACK ") >= 0);
	CU_ASSERT((k = find_out(&f, "SIP/2.0 487")) >= 0);
	CU_ASSERT(k >= 0 && f.out.v[k].to.port == 5099);
	/* a phone that rings after all: CANCELled, nothing goes up */
	phone_response(r, sizeof(r), inv[2], 180, "p2");
	feed_raw(&f, T0 + 1, r);
	CU_ASSERT_EQUAL(f.out.n, 1);
	CU_ASSERT(out_to(&f, 6002, "CANCEL ") >= 0);

	/* every phone is unavailable: 500 goes up, not their 503 */
	feed(&f, T0 + 50, INVITE("5001", "z9hG4bKg5", "g5", ""));
	CU_ASSERT_EQUAL_FATAL(fork_invites(&f, inv), 0);
	for (k = 0; k < 3; k++) {
		char tag[4];

		snprintf(tag, sizeof(tag), "p%d", k);
		phone_response(r, sizeof(r), inv[k], 503, tag);
		feed_raw(&f, T0 + 50, r);
	}
	CU_ASSERT(find_out(&f, "SIP/2.0 503") < 0);
	CU_ASSERT((k = find_out(&f, "SIP/2.0 500")) >= 0);
	CU_ASSERT(k >= 0 && f.out.v[k].to.port == 5099);

	/* no phone says anything: 408 */
	feed(&f, T0 + 100, INVITE("5001", "z9hG4bKg4", "g4", ""));
	CU_ASSERT_EQUAL_FATAL(fork_invites(&f, inv), 0);
	bc_sip_out_clear(&f.out);
	bc_sip_server_timers(f.srv, T0 + 100 + SIP_INV_TTL, &f.out, NULL);
	CU_ASSERT((k = find_out(&f, "SIP/2.0 408")) >= 0);
	fx_teardown(&f);
}

static void
test_proxy_invite(void)
{
	struct fx f;

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	feed(&f, T0, INVITE("5001", "z9hG4bKi1", "i1", "Max-Forwards: 70\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 480);
	feed(&f, T0, INVITE("5999", "z9hG4bKi2", "i2", "Max-Forwards: 70\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 404);
	feed(&f, T0, REGISTER("5001", "r3", "1",
	    "Contact: <sip:5001@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 200);
	feed(&f, T0, INVITE("5001", "z9hG4bKi3", "i3", "Max-Forwards: 70\n"));
	CU_ASSERT_EQUAL_FATAL(f.out.n, 1);
	CU_ASSERT_EQUAL(status(&f, 0), -1);
	CU_ASSERT_TRUE(has(&f, 0, "INVITE sip:5001@127.0.0.1:6000 SIP/2.0"));
	CU_ASSERT_TRUE(has(&f, 0, "Via: SIP/2.0/UDP 127.0.0.1:5060;"
	    "branch=z9hG4bK-bc"));
	CU_ASSERT_TRUE(has(&f, 0, "Record-Route: <sip:127.0.0.1:5060;lr>"));
	CU_ASSERT_TRUE(has(&f, 0, "orwards: 69\r\n"));
	CU_ASSERT_EQUAL(f.out.v[0].to.port, 6000);
	CU_ASSERT_STRING_EQUAL(f.out.v[0].to.host, "127.0.0.1");

	/* the call-processing port goes to its contact URI */
	feed(&f, T0, INVITE("6001", "z9hG4bKi4", "i4", ""));
	CU_ASSERT_TRUE(has(&f, 0, "INVITE sip:ivr@127.0.0.1:7000 SIP/2.0"));
	CU_ASSERT_EQUAL(f.out.v[0].to.port, 7000);
	CU_ASSERT_TRUE(has(&f, 0, "orwards: 70\r\n"));

	feed(&f, T0, INVITE("5001", "z9hG4bKi5", "i5", "Max-Forwards: 0\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 483);
	fx_teardown(&f);
}

static void
test_proxy_loop_cancel_response(void)
{
	struct fx f;
	char fwd[4096], branch[64], *p;
	size_t n;

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	feed(&f, T0, REGISTER("5001", "r4", "1",
	    "Contact: <sip:5001@127.0.0.1:6000>\n"));
	feed(&f, T0, INVITE("5001", "z9hG4bKl1", "l1", ""));
	CU_ASSERT_EQUAL_FATAL(f.out.n, 1);
	snprintf(fwd, sizeof(fwd), "%s", f.out.v[0].buf);
	p = strstr(fwd, "branch=z9hG4bK-bc");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = strcspn(p + 7, ";\r");
	snprintf(branch, sizeof(branch), "%.*s", (int)n, p + 7);

	/* the same INVITE coming back unchanged is a loop */
	{
		struct bc_err err;
		char back[4096];

		/* rewrite the Request-URI back to the proxy */
		p = strstr(fwd, "SIP/2.0\r\n");
		snprintf(back, sizeof(back), "INVITE sip:5001@127.0.0.1 %s",
		    p);
		bc_sip_out_clear(&f.out);
		CU_ASSERT_EQUAL(bc_sip_server_input(f.srv, back, strlen(back),
		    &f.peer, T0, &f.out, &err), BC_OK);
		CU_ASSERT_EQUAL(status(&f, 0), 482);
	}

	/* CANCEL: same branch, same target */
	feed(&f, T0 + 1, "CANCEL sip:5001@127.0.0.1 SIP/2.0\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKl1;rport\n"
	    "From: <sip:caller@127.0.0.1>;tag=c1\n"
	    "To: <sip:5001@127.0.0.1>\n"
	    "Call-ID: l1\nCSeq: 1 CANCEL\nMax-Forwards: 70\n"
	    "Content-Length: 0\n\n");
	CU_ASSERT_EQUAL_FATAL(f.out.n, 1);
	CU_ASSERT_TRUE(has(&f, 0, "CANCEL sip:5001@127.0.0.1:6000 SIP/2.0"));
	CU_ASSERT_TRUE(has(&f, 0, branch));
	CU_ASSERT_FALSE(has(&f, 0, "Record-Route"));
	/* a CANCEL of nothing */
	feed(&f, T0 + 1, "CANCEL sip:5001@127.0.0.1 SIP/2.0\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKnone;rport\n"
	    "From: <sip:caller@127.0.0.1>;tag=c1\n"
	    "To: <sip:5001@127.0.0.1>\n"
	    "Call-ID: nothing\nCSeq: 1 CANCEL\nContent-Length: 0\n\n");
	CU_ASSERT_EQUAL(status(&f, 0), 481);

	/* a response goes back by the next Via, ours removed */
	feed(&f, T0 + 1, "SIP/2.0 180 Ringing\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=%s;rport=5060\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKl1;rport=5098\n"
	    "From: <sip:caller@127.0.0.1>;tag=c1\n"
	    "To: <sip:5001@127.0.0.1>;tag=u1\n"
	    "Call-ID: l1\nCSeq: 1 INVITE\nContent-Length: 0\n\n", branch);
	CU_ASSERT_EQUAL_FATAL(f.out.n, 1);
	CU_ASSERT_EQUAL(status(&f, 0), 180);
	CU_ASSERT_FALSE(has(&f, 0, "5060"));
	CU_ASSERT_EQUAL(f.out.v[0].to.port, 5098);
	/* a response whose top Via is not ours is dropped */
	feed(&f, T0 + 1, "SIP/2.0 180 Ringing\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKl1\n"
	    "From: <sip:caller@127.0.0.1>;tag=c1\n"
	    "To: <sip:5001@127.0.0.1>;tag=u1\n"
	    "Call-ID: l1\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
	CU_ASSERT_EQUAL(f.out.n, 0);
	fx_teardown(&f);
}

static void
test_in_dialog(void)
{
	struct fx f;

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	/* BYE routed through us: our Route goes, on to the Request-URI */
	feed(&f, T0, "BYE sip:5001@127.0.0.1:6000 SIP/2.0\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKb1;rport\n"
	    "Route: <sip:127.0.0.1:5060;lr>\n"
	    "From: <sip:caller@127.0.0.1>;tag=c1\n"
	    "To: <sip:5001@127.0.0.1>;tag=u1\n"
	    "Call-ID: d1\nCSeq: 2 BYE\nMax-Forwards: 70\n"
	    "Content-Length: 0\n\n");
	CU_ASSERT_EQUAL_FATAL(f.out.n, 1);
	CU_ASSERT_TRUE(has(&f, 0, "BYE sip:5001@127.0.0.1:6000 SIP/2.0"));
	CU_ASSERT_FALSE(has(&f, 0, "Route:"));
	CU_ASSERT_EQUAL(f.out.v[0].to.port, 6000);
	/* OPTIONS for the server itself */
	feed(&f, T0, "OPTIONS sip:127.0.0.1:5060 SIP/2.0\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKo1\n"
	    "From: <sip:caller@127.0.0.1>;tag=c1\n"
	    "To: <sip:127.0.0.1>\n"
	    "Call-ID: o1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
	CU_ASSERT_EQUAL(status(&f, 0), 200);
	CU_ASSERT_TRUE(has(&f, 0, "Allow:"));
	fx_teardown(&f);
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"INVITE\r\n\r\n",
		"SIP/2.0 200\r\n\r\n",
		"INVITE sip:5001@127.0.0.1 SIP/2.0\r\nVia: \r\n\r\n",
		"INVITE sip:5001@127.0.0.1 SIP/2.0\r\n\0\r\n\r\n",
		NULL
	};
	struct fx f;
	struct bc_err err;
	size_t i;
	char big[70000];

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	for (i = 0; bad[i] != NULL; i++) {
		bc_sip_out_clear(&f.out);
		CU_ASSERT_EQUAL(bc_sip_server_input(f.srv, bad[i],
		    strlen(bad[i]) + (i == 5 ? 3 : 0), &f.peer, T0, &f.out,
		    &err), BC_OK);
		CU_ASSERT_EQUAL(f.out.n, 0);
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "INVITE sip:a@b SIP/2.0\r\n", 24);
	bc_sip_out_clear(&f.out);
	CU_ASSERT_EQUAL(bc_sip_server_input(f.srv, big, sizeof(big), &f.peer,
	    T0, &f.out, &err), BC_OK);
	CU_ASSERT_EQUAL(f.out.n, 0);
	/* missing CSeq method match: 400 */
	feed(&f, T0, "INVITE sip:5001@127.0.0.1 SIP/2.0\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKm1\n"
	    "From: <sip:caller@127.0.0.1>;tag=c1\n"
	    "To: <sip:5001@127.0.0.1>\n"
	    "Call-ID: m1\nCSeq: 1 BYE\nContent-Length: 0\n\n");
	CU_ASSERT_EQUAL(status(&f, 0), 400);
	feed(&f, T0, REGISTER("5001", "m2", "1",
	    "Contact: <sip:5001@127.0.0.1:6000>;q=7\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 400);
	fx_teardown(&f);
}

static void
test_reload(void)
{
	struct fx f;
	struct bc_err err;
	bc_store *other;
	struct bc_dn dn;

	if (fx_setup(&f) != 0) {
		CU_FAIL("setup");
		return;
	}
	feed(&f, T0, REGISTER("5001", "x1", "1",
	    "Contact: <sip:5001@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL(stored(&f, "5001", T0), 1);
	/* another connection adds 5003 and deletes 5001 */
	CU_ASSERT_EQUAL_FATAL(bc_store_open(&other, f.path, 0, 1000, &err),
	    BC_OK);
	bc_dn_init(&dn);
	dn.number = "5003";
	CU_ASSERT_EQUAL(bc_dn_add(other, &dn, &err), BC_OK);
	CU_ASSERT_EQUAL(bc_dn_delete(other, "5001", BC_DN_EXTENSION, &err),
	    BC_OK);
	bc_store_close(other);
	CU_ASSERT_EQUAL(bc_sip_server_tick(f.srv, T0, 0, &err), BC_OK);
	CU_ASSERT_EQUAL(stored(&f, "5001", T0), 0);
	feed(&f, T0, REGISTER("5001", "x1", "2",
	    "Contact: <sip:5001@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 404);
	feed(&f, T0, REGISTER("5003", "x2", "1",
	    "Contact: <sip:5003@127.0.0.1:6000>\n"));
	CU_ASSERT_EQUAL(status(&f, 0), 200);
	/* a restart keeps the unexpired binding */
	CU_ASSERT_EQUAL(bc_sip_server_flush(f.srv, &err), BC_OK);
	bc_sip_server_free(f.srv);
	f.srv = NULL;
	CU_ASSERT_EQUAL_FATAL(bc_sip_server_create(&f.srv, f.s, &f.conf,
	    "east", (const unsigned char *)"k", 1, T0 + 5, &err), BC_OK);
	feed(&f, T0 + 5, INVITE("5003", "z9hG4bKx3", "x3", ""));
	CU_ASSERT_TRUE(has(&f, 0, "INVITE sip:5003@127.0.0.1:6000"));
	fx_teardown(&f);
}

static void
test_conf(void)
{
	struct bc_sip_conf c;
	struct bc_err err;

	bc_sip_conf_init(&c);
	CU_ASSERT_EQUAL(bc_sip_listen_parse(&c, "udp:127.0.0.1:5060, "
	    "tcp:[::1]:5061", &err), BC_OK);
	CU_ASSERT_EQUAL(c.nlisten, 2);
	CU_ASSERT_EQUAL(c.listen[1].transport, BC_SIP_TCP);
	CU_ASSERT_STRING_EQUAL(c.listen[1].host, "::1");
	CU_ASSERT_EQUAL(c.listen[1].port, 5061);
	CU_ASSERT_EQUAL(bc_sip_listen_parse(&c, "sctp:1.2.3.4:5", &err),
	    BC_ECONFIG);
	CU_ASSERT_EQUAL(bc_sip_listen_parse(&c, "udp:0.0.0.0:5060", &err),
	    BC_ECONFIG);
	CU_ASSERT_EQUAL(bc_sip_listen_parse(&c, "udp:1.2.3.4:99999", &err),
	    BC_ECONFIG);
	CU_ASSERT_EQUAL(bc_sip_listen_parse(&c, "udp:[::1:5060", &err),
	    BC_ECONFIG);
	CU_ASSERT_EQUAL(bc_sip_listen_parse(&c, "udp:1.2.3.4:5060,", &err),
	    BC_ECONFIG);
	bc_sip_conf_clear(&c);
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char	*name;
		void		(*fn)(void);
	} tests[] = {
		{ "register", test_register },
		{ "register_refused", test_register_refused },
		{ "digest", test_digest },
		{ "digest_replay", test_digest_replay },
		{ "proxy_invite", test_proxy_invite },
		{ "fork", test_fork },
		{ "fork_failures", test_fork_failures },
		{ "proxy_loop_cancel_response",
		    test_proxy_loop_cancel_response },
		{ "in_dialog", test_in_dialog },
		{ "malformed", test_malformed },
		{ "reload", test_reload },
		{ "conf", test_conf },
	};
	CU_pSuite suite;
	size_t i;
	int failed;

	bc_sip_library_init();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("sip", NULL, NULL);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (argc < 2 || strcmp(argv[1], tests[i].name) == 0)
			CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = (int)(CU_get_number_of_failures() +
	    CU_get_number_of_tests_failed());
	CU_cleanup_registry();
	return failed > 0;
}
