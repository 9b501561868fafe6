/*
 * sip-proxy.c -- the front door of the SIP engine: one received message
 * goes through a fixed pipeline (raw checks, parse, header checks), then
 * to the registrar (REGISTER), the proxy (other requests) or back along
 * the Via path (responses).
 *
 * The proxy is stateless (RFC 3261 16.11).  Its Via branch is derived
 * from the request, so a retransmission, the CANCEL of an INVITE and the
 * ACK of a failure response get the branch of the INVITE; the INVITE's
 * target is remembered for SIP_INV_TTL seconds so that they follow it to
 * the same place.  The second half of the branch hashes what loop
 * detection compares (16.3 item 4): a request that comes back unchanged
 * gets 482, a spiral with another Request-URI passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip-dr.h"
#include "sip-internal.h"

#define BRANCH_PREFIX	"z9hG4bK-bc"
#define DEFAULT_PORT	5060
#define MAX_FORWARDS	70

void
bc_sip_out_clear(struct bc_sip_out *out)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		free(out->v[i].buf);
	out->n = 0;
}

int
sip_out_add(struct bc_sip_out *out, bc_sipmsg *m,
    const struct bc_sip_peer *to)
{
	struct bc_sip_send *s;

	if (out->n == BC_SIP_OUT_MAX)
		return BC_EINTERNAL;
	s = &out->v[out->n];
	if (bc_sipmsg_to_string(m, &s->buf, &s->len) != 0)
		return BC_ENOMEM;
	s->to = *to;
	out->n++;
	return BC_OK;
}

/* Where a response goes by Via i of msg (RFC 3261 18.2.2, RFC 3581). */
static int
via_dest(const bc_sipmsg *m, int i, struct bc_sip_peer *to)
{
	struct bc_sipvia v;

	if (bc_sipmsg_via(m, i, &v) != 0)
		return -1;
	memset(to, 0, sizeof(*to));
	if (strcasecmp(v.transport, "UDP") == 0)
		to->transport = BC_SIP_UDP;
	else if (strcasecmp(v.transport, "TCP") == 0)
		to->transport = BC_SIP_TCP;
	else
		return -1;
	snprintf(to->host, sizeof(to->host), "%s",
	    v.received[0] != '\0' ? v.received : v.host);
	to->port = v.rport > 0 ? (unsigned short)v.rport :
	    v.port != 0 ? v.port : DEFAULT_PORT;
	to->listener = -1;
	return 0;
}

int
sip_reply(bc_sip_server *srv, const bc_sipmsg *req,
    const struct bc_sip_peer *peer, int code, const char *reason,
    const char *const *headers, struct bc_sip_out *out)
{
	struct bc_sip_peer to;
	bc_sipmsg *r;
	char tag[17];
	int rc;

	sip_to_tag(srv, req, tag);
	if ((r = bc_sipmsg_response(req, code, reason, tag)) == NULL)
		return BC_OK;	/* out of memory: the client retransmits */
	for (; headers != NULL && headers[0] != NULL; headers += 2)
		if (bc_sipmsg_add_header(r, headers[0], headers[1]) != 0) {
			bc_sipmsg_free(r);
			return sip_reply(srv, req, peer, 500, "Server Error",
			    NULL, out);
		}
	if (via_dest(req, 0, &to) != 0)
		to = *peer;
	to.transport = peer->transport;
	to.listener = peer->listener;
	if (peer->transport == BC_SIP_TCP) {
		snprintf(to.host, sizeof(to.host), "%s", peer->host);
		to.port = peer->port;	/* the connection it came on */
	}
	rc = sip_out_add(out, r, &to);
	bc_sipmsg_free(r);
	return rc == BC_ENOMEM ? BC_OK : rc;
}

/* One of our addresses?  Port 0 stands for 5060. */
static int
is_self(const bc_sip_server *srv, const char *host, unsigned short port)
{
	size_t i;

	if (port == 0)
		port = DEFAULT_PORT;
	for (i = 0; i < srv->conf.nlisten; i++)
		if (srv->conf.listen[i].port == port &&
		    strcasecmp(srv->conf.listen[i].host, host) == 0)
			return 1;
	return 0;
}

static int
uri_is_self(const bc_sip_server *srv, const struct bc_sipuri *u)
{
	return is_self(srv, u->host, u->port) ||
	    (u->port == 0 && strcasecmp(u->host, srv->realm) == 0);
}

/* The listener that sends to host over transport, or -1. */
static int
pick_listener(const bc_sip_server *srv, enum bc_sip_transport t,
    const char *host)
{
	int v6 = strchr(host, ':') != NULL;
	size_t i;

	for (i = 0; i < srv->conf.nlisten; i++)
		if (srv->conf.listen[i].transport == t &&
		    (strchr(srv->conf.listen[i].host, ':') != NULL) == v6)
			return (int)i;
	return -1;
}

/* "host:port" of listener i, brackets around IPv6. */
static void
listener_hostport(const bc_sip_server *srv, int i, char *buf, size_t len)
{
	const struct bc_sip_listen *l = &srv->conf.listen[i];

	snprintf(buf, len, strchr(l->host, ':') != NULL ? "[%s]:%u" : "%s:%u",
	    l->host, (unsigned)l->port);
}

static int
push_record_route(bc_sip_server *srv, bc_sipmsg *m, int listener)
{
	char hp[300], uri[340];

	listener_hostport(srv, listener, hp, sizeof(hp));
	snprintf(uri, sizeof(uri), "sip:%s;lr%s", hp,
	    srv->conf.listen[listener].transport == BC_SIP_TCP ?
	    ";transport=tcp" : "");
	return bc_sipmsg_record_route_push(m, uri);
}

/* Loop hash (second half of our branch) of a request as received. */
static void
loop_hash(const bc_sipmsg *m, char out[17])
{
	char ruri[1024], callid[512], cseq[16], h[33];
	const char *ft = bc_sipmsg_from_tag(m);

	if (bc_sipmsg_ruri_text(m, ruri, sizeof(ruri)) != 0)
		ruri[0] = '\0';
	if (bc_sipmsg_call_id(m, callid, sizeof(callid)) != 0)
		callid[0] = '\0';
	snprintf(cseq, sizeof(cseq), "%lu", bc_sipmsg_cseq(m, NULL));
	sip_md5_hex(h, ruri, ft != NULL ? ft : "", callid, cseq, (char *)NULL);
	memcpy(out, h, 16);
	out[16] = '\0';
}

/* Our branch for a request: transaction half and loop half. */
static void
make_branch(const bc_sip_server *srv, const bc_sipmsg *m, char out[64])
{
	struct bc_sipvia v;
	char callid[512], cseq[16], key[17], h[33], lh[17];

	if (bc_sipmsg_via(m, 0, &v) != 0)
		v.branch[0] = '\0';
	if (bc_sipmsg_call_id(m, callid, sizeof(callid)) != 0)
		callid[0] = '\0';
	snprintf(cseq, sizeof(cseq), "%lu", bc_sipmsg_cseq(m, NULL));
	sip_hex(srv->secret, 8, key);
	sip_md5_hex(h, key, v.branch, v.host, callid, cseq, (char *)NULL);
	loop_hash(m, lh);
	snprintf(out, 64, "%s%.16s-%s", BRANCH_PREFIX, h, lh);
}

/* 1 when one of the Via values is ours with this request's loop hash. */
static int
looped(const bc_sip_server *srv, const bc_sipmsg *m)
{
	struct bc_sipvia v;
	char lh[17];
	const char *dash;
	int i, n = bc_sipmsg_via_count(m);

	loop_hash(m, lh);
	for (i = 0; i < n; i++) {
		if (bc_sipmsg_via(m, i, &v) != 0 || !is_self(srv, v.host,
		    v.port) || strncmp(v.branch, BRANCH_PREFIX,
		    strlen(BRANCH_PREFIX)) != 0)
			continue;
		if ((dash = strrchr(v.branch, '-')) != NULL &&
		    strcmp(dash + 1, lh) == 0)
			return 1;
	}
	return 0;
}

static struct sip_inv *
inv_slot(bc_sip_server *srv, const char *branch)
{
	size_t h = 5381;
	const char *p;

	for (p = branch; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	return &srv->inv[h % SIP_INV_SLOTS];
}

static const struct sip_inv *
inv_find(bc_sip_server *srv, const char *branch, long long now)
{
	struct sip_inv *s = inv_slot(srv, branch);

	if (strcmp(s->branch, branch) != 0 || now - s->at > SIP_INV_TTL)
		return NULL;
	return s;
}

/* Target of a URI: where a request for it goes. */
static int
uri_target(const struct bc_sipuri *u, struct bc_sip_peer *to)
{
	memset(to, 0, sizeof(*to));
	if (u->host[0] == '\0' || (strcasecmp(u->scheme, "sip") != 0))
		return -1;
	if (u->transport == 99)
		return -1;
	to->transport = u->transport == BC_SIP_TCP ? BC_SIP_TCP : BC_SIP_UDP;
	snprintf(to->host, sizeof(to->host), "%s", u->host);
	to->port = u->port != 0 ? u->port : DEFAULT_PORT;
	to->listener = -1;
	return 0;
}

/*
 * Adds our Via (and Record-Route) and sends the request to target.
 * Errors answer the request unless it is an ACK.
 */
static int
forward(bc_sip_server *srv, bc_sipmsg *m, const struct bc_sip_peer *peer,
    struct bc_sip_peer *to, int record_route, const char *branch,
    struct bc_sip_out *out)
{
	char via[400], hp[300];
	int ack = strcmp(bc_sipmsg_method(m), "ACK") == 0, l;

	if ((l = pick_listener(srv, to->transport, to->host)) < 0)
		return ack ? BC_OK : sip_reply(srv, m, peer, 503,
		    "No Route To Target", NULL, out);
	to->listener = l;
	if (record_route) {
		if ((l != peer->listener &&
		    push_record_route(srv, m, peer->listener) != 0) ||
		    push_record_route(srv, m, l) != 0)
			return ack ? BC_OK : sip_reply(srv, m, peer, 500,
			    "Server Error", NULL, out);
	}
	listener_hostport(srv, l, hp, sizeof(hp));
	snprintf(via, sizeof(via), "SIP/2.0/%s %s;branch=%s;rport",
	    to->transport == BC_SIP_TCP ? "TCP" : "UDP", hp, branch);
	if (bc_sipmsg_via_push(m, via) != 0)
		return ack ? BC_OK : sip_reply(srv, m, peer, 500,
		    "Server Error", NULL, out);
	srv->stats.forwarded++;
	return sip_out_add(out, m, to) == BC_ENOMEM ? BC_OK : BC_OK;
}

/* Methods whose out-of-dialog request may start a dialog. */
static int
dialog_creating(const char *method)
{
	return strcmp(method, "INVITE") == 0 ||
	    strcmp(method, "SUBSCRIBE") == 0 ||
	    strcmp(method, "REFER") == 0 || strcmp(method, "NOTIFY") == 0;
}

/*
 * Location of a number: sets *to and the new Request-URI, or answers
 * 404 (unknown), 480 (known, not registered).  1 when answered.
 */
static int
locate(bc_sip_server *srv, bc_sipmsg *m, const struct bc_sip_peer *peer,
    const char *number, long long now, struct bc_sip_peer *to,
    char *ruri, size_t rurilen, struct bc_sip_out *out)
{
	struct sip_dn *d = sip_dn_find(srv, number);
	const struct bc_binding *b;
	struct bc_sipuri u;
	const char *target = NULL;
	int ack = strcmp(bc_sipmsg_method(m), "ACK") == 0;

	if (d == NULL || !d->known) {
		if (!ack)
			sip_reply(srv, m, peer, 404, "Not Found", NULL, out);
		return 1;
	}
	if (d->ext && (b = sip_dn_best(d, now)) != NULL)
		target = b->contact;
	else if (d->cpp_contact != NULL)
		target = d->cpp_contact;
	if (target == NULL) {
		if (!ack)
			sip_reply(srv, m, peer, 480, "Temporarily Unavailable",
			    NULL, out);
		return 1;
	}
	if (bc_sip_uri_parse(target, &u) != 0 || uri_target(&u, to) != 0 ||
	    strlen(target) >= rurilen) {
		if (!ack)
			sip_reply(srv, m, peer, 502, "Bad Contact", NULL, out);
		return 1;
	}
	snprintf(ruri, rurilen, "%s", target);
	return 0;
}

static int
proxy_request(bc_sip_server *srv, bc_sipmsg *m,
    const struct bc_sip_peer *peer, long long now, struct bc_sip_out *out)
{
	struct bc_sipuri ruri, r;
	struct bc_sip_peer to;
	const struct sip_inv *inv;
	struct sip_inv *slot;
	struct sip_fork *f;
	const struct sip_dn *d;
	const char *method = bc_sipmsg_method(m);
	const char *hv[5];
	char branch[64], newruri[512];
	int ack = strcmp(method, "ACK") == 0;
	int cancel = strcmp(method, "CANCEL") == 0;
	int in_dialog = bc_sipmsg_to_tag(m) != NULL;
	unsigned long fw;
	int mf, self, rc;

	if (strcmp(method, "BYE") == 0)
		sip_dr_bye(srv, m, now);	/* its call ends */
	if (bc_sipmsg_ruri(m, &ruri) != 0)
		return ack ? BC_OK : sip_reply(srv, m, peer, 416,
		    "Unsupported URI Scheme", NULL, out);
	/* our Route values go: loose routing (RFC 3261 16.4) */
	while (bc_sipmsg_route_count(m) > 0 &&
	    bc_sipmsg_route(m, 0, &r) == 0 && uri_is_self(srv, &r))
		bc_sipmsg_route_pop(m);
	self = uri_is_self(srv, &ruri);

	if (strcmp(method, "REGISTER") == 0 && self)
		return sip_register(srv, m, peer, now, out);
	if (strcmp(method, "OPTIONS") == 0 && self && ruri.user[0] == '\0' &&
	    bc_sipmsg_route_count(m) == 0) {
		hv[0] = "Allow";
		hv[1] = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER";
		hv[2] = "Accept";
		hv[3] = "application/sdp";
		hv[4] = NULL;
		return sip_reply(srv, m, peer, 200, "OK", hv, out);
	}

	mf = bc_sipmsg_max_forwards(m);
	if (mf == -2)
		return ack ? BC_OK : sip_reply(srv, m, peer, 400,
		    "Bad Max-Forwards", NULL, out);
	if (mf == 0)
		return ack ? BC_OK : sip_reply(srv, m, peer, 483,
		    "Too Many Hops", NULL, out);
	if (looped(srv, m))
		return ack ? BC_OK : sip_reply(srv, m, peer, 482,
		    "Loop Detected", NULL, out);
	make_branch(srv, m, branch);
	if (bc_sipmsg_set_max_forwards(m, mf < 0 ? MAX_FORWARDS : mf - 1))
		return ack ? BC_OK : sip_reply(srv, m, peer, 500,
		    "Server Error", NULL, out);

	/* more Route values: on to the next hop, Request-URI unchanged */
	if (bc_sipmsg_route_count(m) > 0) {
		if (bc_sipmsg_route(m, 0, &r) != 0 || uri_target(&r, &to) != 0)
			return ack ? BC_OK : sip_reply(srv, m, peer, 400,
			    "Bad Route", NULL, out);
		return forward(srv, m, peer, &to, 0, branch, out);
	}
	if (!self) {
		/* in a dialog, or we are the caller's outbound proxy */
		if (uri_target(&ruri, &to) != 0)
			return ack ? BC_OK : sip_reply(srv, m, peer, 416,
			    "Unsupported URI Scheme", NULL, out);
		return forward(srv, m, peer, &to, !in_dialog &&
		    dialog_creating(method), branch, out);
	}
	if (ruri.user[0] == '\0')
		return ack ? BC_OK : sip_reply(srv, m, peer, 404, "Not Found",
		    NULL, out);

	/* a request for a number of ours */
	if ((f = sip_fork_find(srv, branch, now)) != NULL)
		return sip_fork_request(srv, f, m, peer, now, out);
	if ((cancel || ack) && (inv = inv_find(srv, branch, now)) != NULL) {
		to = inv->to;
		if (bc_sipmsg_set_ruri(m, inv->ruri) != 0)
			return BC_OK;
		return forward(srv, m, peer, &to, 0, branch, out);
	}
	if (cancel)
		return sip_reply(srv, m, peer, 481,
		    "Call/Transaction Does Not Exist", NULL, out);
	/* business continuity: the peer, agents, queues, shutdown */
	if (strcmp(method, "INVITE") == 0 && !in_dialog &&
	    sip_dr_route(srv, m, peer, &ruri, now, out) == SIP_DR_DONE)
		return BC_OK;
	/* several contacts: the INVITE goes to all of them (sip-fork.c) */
	if (strcmp(method, "INVITE") == 0 && !in_dialog &&
	    (d = sip_dn_find(srv, ruri.user)) != NULL && d->ext &&
	    d->nb > 1 && sip_fork_invite(srv, m, peer, d, branch, now, out) ==
	    SIP_FORK_DONE) {
		sip_dr_forked(srv, m, branch, now);
		return BC_OK;
	}
	if (locate(srv, m, peer, ruri.user, now, &to, newruri,
	    sizeof(newruri), out))
		return BC_OK;
	if (bc_sipmsg_set_ruri(m, newruri) != 0)
		return ack ? BC_OK : sip_reply(srv, m, peer, 502,
		    "Bad Contact", NULL, out);
	if (strcmp(method, "INVITE") == 0) {
		slot = inv_slot(srv, branch);
		snprintf(slot->branch, sizeof(slot->branch), "%s", branch);
		snprintf(slot->ruri, sizeof(slot->ruri), "%s", newruri);
		slot->to = to;
		slot->at = now;
	}
	fw = srv->stats.forwarded;
	rc = forward(srv, m, peer, &to, !in_dialog && dialog_creating(method),
	    branch, out);
	if (strcmp(method, "INVITE") == 0 && !in_dialog)
		sip_dr_forwarded(srv, m, srv->stats.forwarded != fw, now);
	if (strcmp(method, "INVITE") == 0 && out->n > 0)
		inv_slot(srv, branch)->to.listener = to.listener;
	return rc;
}

static int
proxy_response(bc_sip_server *srv, bc_sipmsg *m, long long now,
    struct bc_sip_out *out)
{
	struct bc_sipvia v;
	struct bc_sip_peer to;
	int l;

	if (bc_sipmsg_via(m, 0, &v) == 0 && is_self(srv, v.host, v.port) &&
	    strncmp(v.branch, BRANCH_PREFIX, strlen(BRANCH_PREFIX)) == 0 &&
	    sip_fork_response(srv, m, v.branch, now, out))
		return BC_OK;	/* of a forked INVITE, or of our CANCEL */
	if (bc_sipmsg_via(m, 0, &v) != 0 || !is_self(srv, v.host, v.port) ||
	    strncmp(v.branch, BRANCH_PREFIX, strlen(BRANCH_PREFIX)) != 0 ||
	    bc_sipmsg_via_count(m) < 2) {
		srv->stats.dropped++;
		return BC_OK;	/* not for us: a stateless proxy drops it */
	}
	bc_sipmsg_via_pop(m);
	if (via_dest(m, 0, &to) != 0 ||
	    (l = pick_listener(srv, to.transport, to.host)) < 0) {
		srv->stats.dropped++;
		return BC_OK;
	}
	to.listener = l;
	srv->stats.responses++;
	return sip_out_add(out, m, &to) == BC_ENOMEM ? BC_OK : BC_OK;
}

/* ---- what sip-fork.c uses ---- */

int
sip_uri_target(const struct bc_sipuri *u, struct bc_sip_peer *to)
{
	return uri_target(u, to);
}

int
sip_pick_listener(const bc_sip_server *srv, enum bc_sip_transport t,
    const char *host)
{
	return pick_listener(srv, t, host);
}

int
sip_record_route(bc_sip_server *srv, bc_sipmsg *m, int in, int out)
{
	if (out < 0 || in < 0)
		return -1;
	if (in != out && push_record_route(srv, m, in) != 0)
		return -1;
	return push_record_route(srv, m, out);
}

int
sip_via_text(const bc_sip_server *srv, struct bc_sip_peer *to,
    const char *branch, char *buf, size_t len)
{
	char hp[300];
	int l;

	if ((l = pick_listener(srv, to->transport, to->host)) < 0)
		return -1;
	to->listener = l;
	listener_hostport(srv, l, hp, sizeof(hp));
	snprintf(buf, len, "SIP/2.0/%s %s;branch=%s;rport",
	    to->transport == BC_SIP_TCP ? "TCP" : "UDP", hp, branch);
	return 0;
}

int
sip_relay_up(const bc_sip_server *srv, bc_sipmsg *m, struct bc_sip_peer *to)
{
	int l;

	if (bc_sipmsg_via_count(m) < 2 || bc_sipmsg_via_pop(m) != 0 ||
	    via_dest(m, 0, to) != 0 ||
	    (l = pick_listener(srv, to->transport, to->host)) < 0)
		return -1;
	to->listener = l;
	return 0;
}

int
bc_sip_server_input(bc_sip_server *srv, const char *buf, size_t len,
    const struct bc_sip_peer *peer, long long now, struct bc_sip_out *out,
    struct bc_err *err)
{
	bc_sipmsg *m = NULL;
	char why[128];
	int rc = BC_OK, req;

	srv->stats.received++;
	/* CRLF keep-alives (RFC 5626) */
	if (len <= 4) {
		size_t i;

		for (i = 0; i < len && (buf[i] == '\r' || buf[i] == '\n'); i++)
			;
		if (i == len)
			return BC_OK;
	}
	if (bc_sipmsg_raw_check(buf, len, why, sizeof(why)) != 0 ||
	    bc_sipmsg_parse(&m, buf, len) != 0) {
		srv->stats.dropped++;
		return BC_OK;
	}
	req = bc_sipmsg_is_request(m);
	if (bc_sipmsg_check(m, why, sizeof(why)) != 0) {
		if (req && bc_sipmsg_can_respond(m) &&
		    strcmp(bc_sipmsg_method(m), "ACK") != 0) {
			srv->stats.bad++;
			rc = sip_reply(srv, m, peer, 400, why, NULL, out);
		} else
			srv->stats.dropped++;
		goto done;
	}
	if (req) {
		if (bc_sipmsg_via_mark(m, peer->host, peer->port, 0,
		    peer->transport == BC_SIP_TCP) != 0) {
			srv->stats.dropped++;
			goto done;
		}
		rc = proxy_request(srv, m, peer, now, out);
	} else
		rc = sip_dr_response(srv, m, now) ? BC_OK :
		    proxy_response(srv, m, now, out);
done:
	bc_sipmsg_free(m);
	if (rc != BC_OK)
		return bc_err_set(err, rc, "cannot handle a SIP message");
	return BC_OK;
}
