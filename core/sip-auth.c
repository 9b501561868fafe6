/*
 * sip-auth.c -- digest authentication of REGISTER (RFC 2617, MD5 with
 * qop=auth) and the nonces that go with it.
 *
 * A nonce is the hex time of the challenge and a serial number (no two
 * challenges get the same nonce) followed by the hex HMAC-MD5 of them
 * and the realm, keyed by the server's secret: the server checks its own
 * nonces without storing them, and a nonce older than [sip]
 * nonce_lifetime is stale.  The nonce counts a nonce was used with are
 * remembered in a fixed table (sip_nc_use) to refuse replays.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip-internal.h"

void
sip_hex(const unsigned char *v, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[v[i] >> 4];
		out[2 * i + 1] = digits[v[i] & 0xf];
	}
	out[2 * n] = '\0';
}

#define MD5_PARTS	16

void
sip_md5_hex(char out[33], ...)
{
	const void *parts[2 * MD5_PARTS];
	size_t lens[2 * MD5_PARTS], n = 0;
	unsigned char d[16];
	const char *s;
	va_list ap;

	va_start(ap, out);
	while ((s = va_arg(ap, const char *)) != NULL && n < 2 * MD5_PARTS) {
		if (n > 0) {
			parts[n] = ":";
			lens[n++] = 1;
		}
		parts[n] = s;
		lens[n++] = strlen(s);
	}
	va_end(ap);
	bc_sip_md5(parts, lens, n, d);
	sip_hex(d, sizeof(d), out);
}

/* HMAC-MD5 (RFC 2104) of msg keyed by the server secret. */
static void
hmac_md5(const unsigned char *key, size_t keylen, const char *msg,
    unsigned char out[16])
{
	unsigned char k[64], pad[64], inner[16];
	const void *parts[2];
	size_t lens[2], i;

	memset(k, 0, sizeof(k));
	if (keylen > sizeof(k)) {
		parts[0] = key;
		lens[0] = keylen;
		bc_sip_md5(parts, lens, 1, k);
	} else
		memcpy(k, key, keylen);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	parts[0] = pad;
	lens[0] = sizeof(pad);
	parts[1] = msg;
	lens[1] = strlen(msg);
	bc_sip_md5(parts, lens, 2, inner);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	parts[1] = inner;
	lens[1] = sizeof(inner);
	bc_sip_md5(parts, lens, 2, out);
}

/* The MAC part of the nonce whose time and serial are ts (24 hex). */
static void
nonce_mac(const bc_sip_server *srv, const char *ts, char out[33])
{
	unsigned char d[16];
	char msg[300];

	snprintf(msg, sizeof(msg), "%s:%s", ts, srv->realm);
	hmac_md5(srv->secret, sizeof(srv->secret), msg, d);
	sip_hex(d, sizeof(d), out);
}

void
sip_nonce_make(bc_sip_server *srv, long long now,
    char out[SIP_NONCE_LEN + 1])
{
	char ts[25], mac[33];

	snprintf(ts, sizeof(ts), "%016llx%08x", (unsigned long long)now,
	    srv->nonce_serial++);
	nonce_mac(srv, ts, mac);
	snprintf(out, SIP_NONCE_LEN + 1, "%s%s", ts, mac);
}

int
sip_nonce_check(const bc_sip_server *srv, const char *nonce, long long now)
{
	char ts[25], mac[33];
	unsigned long long t = 0;
	unsigned char diff = 0;
	size_t i;

	if (strlen(nonce) != SIP_NONCE_LEN)
		return -1;
	memcpy(ts, nonce, 24);
	ts[24] = '\0';
	for (i = 0; i < 24; i++) {
		char c = ts[i];

		if (c >= '0' && c <= '9')
			t = t << 4 | (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			t = t << 4 | (unsigned)(c - 'a' + 10);
		else
			return -1;
		if (i == 15)
			break;
	}
	for (i = 16; i < 24; i++)
		if (!((ts[i] >= '0' && ts[i] <= '9') ||
		    (ts[i] >= 'a' && ts[i] <= 'f')))
			return -1;
	nonce_mac(srv, ts, mac);
	for (i = 0; i < 32; i++)
		diff |= (unsigned char)(mac[i] ^ nonce[24 + i]);
	if (diff != 0)
		return -1;
	if ((long long)t > now + 5)
		return -1;		/* from the future: not ours */
	if (now - (long long)t > srv->conf.nonce_lifetime)
		return 1;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
sip_nc_use(bc_sip_server *srv, const char *nonce, const char *nc,
    long long now)
{
	struct sip_nc_set *set;
	struct sip_nc *e, *victim = NULL;
	unsigned char mac[16];
	unsigned long v = 0, d;
	long long t = 0;
	size_t i, h = 5381;
	int x, y;

	if (nc != NULL) {
		if (strlen(nc) != 8)
			return -1;
		for (i = 0; i < 8; i++) {
			if ((x = hexval(nc[i])) < 0)
				return -1;
			v = v << 4 | (unsigned long)x;
		}
		if (v == 0)
			return -1;
	}
	/* a nonce that passed sip_nonce_check: time, serial, MAC */
	if (strlen(nonce) != SIP_NONCE_LEN)
		return 1;
	for (i = 0; i < 16; i++)
		t = t << 4 | hexval(nonce[i]);
	for (i = 0; i < 16; i++) {
		x = hexval(nonce[24 + 2 * i]);
		y = hexval(nonce[25 + 2 * i]);
		if (x < 0 || y < 0)
			return 1;
		mac[i] = (unsigned char)(x << 4 | y);
		h = h * 33 + mac[i];
	}
	set = &srv->nc[h % SIP_NC_SETS];
	for (i = 0; i < SIP_NC_WAYS; i++) {
		e = &set->e[i];
		if (e->t == t && memcmp(e->mac, mac, sizeof(mac)) == 0)
			break;
		/* the victim: a free or dead entry, else the oldest */
		if (victim == NULL || (victim->t != 0 && (e->t == 0 ||
		    e->t < victim->t)))
			victim = e;
	}
	if (i == SIP_NC_WAYS) {
		if (t <= set->floor)
			return 1;	/* may have been evicted */
		if (victim->t != 0 && now - victim->t <=
		    srv->conf.nonce_lifetime) {
			if (victim->t >= t)
				return 1;
			set->floor = victim->t;
		}
		memcpy(victim->mac, mac, sizeof(mac));
		victim->t = t;
		victim->max = v;
		victim->seen = 1;
		return 0;
	}
	if (nc == NULL)
		return 1;		/* without qop: once */
	if (v > e->max) {
		d = v - e->max;
		e->seen = d >= SIP_NC_WINDOW ? 1 : e->seen << d | 1;
		e->max = v;
		return 0;
	}
	d = e->max - v;
	if (d >= SIP_NC_WINDOW || (e->seen & 1ULL << d) != 0)
		return 1;
	e->seen |= 1ULL << d;
	return 0;
}

int
sip_digest_check(const struct bc_sipauth *a, const char *method,
    const char *password)
{
	char ha1[33], ha2[33], want[33];
	unsigned char diff = 0;
	size_t i;

	if (strlen(a->response) != 32)
		return -1;
	sip_md5_hex(ha1, a->username, a->realm, password, (char *)NULL);
	sip_md5_hex(ha2, method, a->uri, (char *)NULL);
	if (a->qop[0] != '\0')
		sip_md5_hex(want, ha1, a->nonce, a->nc, a->cnonce, a->qop, ha2,
		    (char *)NULL);
	else
		sip_md5_hex(want, ha1, a->nonce, ha2, (char *)NULL);
	for (i = 0; i < 32; i++)
		diff |= (unsigned char)(want[i] ^
		    (a->response[i] | 0x20));	/* hex in any case */
	return diff == 0 ? 0 : -1;
}

void
sip_to_tag(const bc_sip_server *srv, const bc_sipmsg *req, char out[17])
{
	char callid[512], key[17], h[33];
	const char *ft = bc_sipmsg_from_tag(req);

	if (bc_sipmsg_call_id(req, callid, sizeof(callid)) != 0)
		callid[0] = '\0';
	sip_hex(srv->secret, 8, key);
	sip_md5_hex(h, key, callid, ft != NULL ? ft : "", (char *)NULL);
	memcpy(out, h, 16);
	out[16] = '\0';
}
