/*
 * sip-route.c -- routing by business continuity and the calls in
 * progress.  sip-proxy.c asks sip_dr_route() about every out-of-dialog
 * INVITE for a number of ours, before it looks the number up:
 *
 *  - during a graceful shutdown a new call gets
 *    TServer/shutdown-sip-reject-code (a 3xx code: 302 to the peer);
 *  - an ACD queue's call goes to the ready agent idle longest among the
 *    agents logged in here on registered extensions, else 480 with
 *    Retry-After;
 *  - an extension's call goes to the peer (302, Contact the same number
 *    at the peer, marked ;bc-dr) by TServer/dr-forward of the DN or of
 *    the application: no-agent when no agent is logged in on it here,
 *    oos when it has no binding here.  Never while the peer is not in
 *    service, never for a call the peer sent or redirected (no loop):
 *    those are delivered here if possible, else get 480.
 *
 * Calls are remembered by Call-ID from the forwarded INVITE to its
 * failure response or its BYE (or a timeout), so that the agent taking
 * one is busy meanwhile and a graceful shutdown knows when none is left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bc-agent.h"
#include "sip-dr.h"

static size_t
call_hash(const char *s)
{
	size_t h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h % SIP_CALL_BUCKETS;
}

static struct sip_call *
call_find(struct sip_dr *dr, const char *callid)
{
	struct sip_call *c;

	for (c = dr->calls[call_hash(callid)]; c != NULL; c = c->next)
		if (strcmp(c->callid, callid) == 0)
			return c;
	return NULL;
}

static void
warn_store(struct sip_dr *dr, const struct bc_err *err)
{
	snprintf(dr->warn, sizeof(dr->warn), "%s", err->msg);
}

/* Forgets the call; its agent, if any, has one call less. */
static void
call_end(bc_sip_server *srv, struct sip_call *c, long long now)
{
	struct sip_dr *dr = srv->dr;
	struct sip_call **pp;
	struct bc_err err;

	for (pp = &dr->calls[call_hash(c->callid)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->agent[0] != '\0' &&
	    bc_agent_call_end(srv->store, c->agent, now, &err) != BC_OK)
		warn_store(dr, &err);
	dr->ncalls--;
	free(c);
}

void
sip_dr_calls_expire(bc_sip_server *srv, long long now, int force)
{
	struct sip_dr *dr = srv->dr;
	struct sip_call *c, *next;
	size_t i;

	const struct sip_fork *f;

	for (i = 0; dr->ncalls > 0 && i < SIP_CALL_BUCKETS; i++)
		for (c = dr->calls[i]; c != NULL; c = next) {
			next = c->next;
			if (force || now - c->at > (c->confirmed ?
			    SIP_CALL_TTL : SIP_CALL_EARLY_TTL))
				call_end(srv, c, now);
			/* a fork whose every branch failed */
			else if (c->fork[0] != '\0' && !c->confirmed &&
			    ((f = sip_fork_find(srv, c->fork, now)) == NULL ||
			    (f->done && !f->answered)))
				call_end(srv, c, now);
		}
}

void
sip_dr_calls_free(struct sip_dr *dr)
{
	struct sip_call *c, *next;
	size_t i;

	for (i = 0; i < SIP_CALL_BUCKETS; i++) {
		for (c = dr->calls[i]; c != NULL; c = next) {
			next = c->next;
			free(c);
		}
		dr->calls[i] = NULL;
	}
	dr->ncalls = 0;
}

/* Answers with a 302 to the same number at the peer. */
static int
redirect(bc_sip_server *srv, bc_sipmsg *m, const struct bc_sip_peer *src,
    const char *number, struct bc_sip_out *out)
{
	const char *hv[3];
	char contact[400];

	if (sip_dr_peer_contact(srv, number, contact, sizeof(contact)) != 0)
		return sip_reply(srv, m, src, 500, "Server Error", NULL, out);
	hv[0] = "Contact";
	hv[1] = contact;
	hv[2] = NULL;
	return sip_reply(srv, m, src, 302, "Moved Temporarily", hv, out);
}

static const char *
reason(int code)
{
	switch (code) {
	case 480:	return "Temporarily Unavailable";
	case 486:	return "Busy Here";
	case 500:	return "Server Internal Error";
	case 503:	return "Service Unavailable";
	case 600:	return "Busy Everywhere";
	case 603:	return "Decline";
	}
	return "Shutting Down";
}

/* A new call during a graceful shutdown. */
static int
refuse(bc_sip_server *srv, bc_sipmsg *m, const struct bc_sip_peer *src,
    const char *number, int from_peer, struct bc_sip_out *out)
{
	int code = srv->conf.shutdown_reject_code;
	const char *hv[3] = { "Retry-After", SIP_DR_RETRY_AFTER, NULL };

	if (code >= 300 && code < 400) {
		if (!from_peer && sip_dr_peer_usable(srv))
			return redirect(srv, m, src, number, out);
		/* nowhere to send it: try again later */
		return sip_reply(srv, m, src, 480, "Temporarily Unavailable",
		    hv, out);
	}
	return sip_reply(srv, m, src, code, reason(code), NULL, out);
}

/* An ACD queue's agent: the extension must have a binding here. */
static int
agent_usable(const char *number, void *arg)
{
	void **a = arg;
	bc_sip_server *srv = a[0];
	const long long *now = a[1];
	struct sip_dn *d = sip_dn_find(srv, number);

	return d != NULL && d->ext && sip_dn_best(d, *now) != NULL;
}

static void
pending(struct sip_dr *dr, const char *code, const char *dn)
{
	snprintf(dr->pending_agent, sizeof(dr->pending_agent), "%s", code);
	snprintf(dr->pending_dn, sizeof(dr->pending_dn), "%s", dn);
}

static int
route_queue(bc_sip_server *srv, bc_sipmsg *m, const struct bc_sip_peer *src,
    struct bc_sipuri *ruri, long long now, struct bc_sip_out *out)
{
	const char *hv[3] = { "Retry-After", SIP_DR_RETRY_AFTER, NULL };
	struct bc_agent a;
	struct bc_err err;
	void *arg[2];
	int rc;

	arg[0] = srv;
	arg[1] = &now;
	rc = bc_agent_pick(srv->store, agent_usable, arg, &a, &err);
	if (rc == BC_OK) {
		if (strlen(a.dn) < sizeof(ruri->user)) {
			pending(srv->dr, a.code, a.dn);
			snprintf(ruri->user, sizeof(ruri->user), "%s", a.dn);
		}
		bc_agent_clear(&a);
		return SIP_DR_ON;
	}
	if (rc != BC_ENOENT)
		warn_store(srv->dr, &err);
	sip_reply(srv, m, src, 480, "No Agent Available", hv, out);
	return SIP_DR_DONE;
}

static int
route_extension(bc_sip_server *srv, bc_sipmsg *m,
    const struct bc_sip_peer *src, const struct bc_dn *dn, int from_peer,
    long long now, struct bc_sip_out *out)
{
	struct sip_dn *d;
	struct bc_agent a;
	struct bc_err err;
	const char *opt;
	int mode = srv->conf.dr_forward, agent = 0, rc;

	if ((opt = bc_options_get(&dn->options, "TServer", "dr-forward")) !=
	    NULL)
		bc_dr_forward_parse(opt, &mode);
	rc = bc_agent_on_dn(srv->store, dn->number, &a, &err);
	if (rc == BC_OK) {
		agent = 1;
		pending(srv->dr, a.code, a.dn);
		bc_agent_clear(&a);
	} else if (rc != BC_ENOENT)
		warn_store(srv->dr, &err);
	if (mode == BC_DR_OFF || from_peer || !sip_dr_peer_usable(srv))
		return SIP_DR_ON;
	d = sip_dn_find(srv, dn->number);
	if ((mode == BC_DR_NO_AGENT && !agent) || (mode == BC_DR_OOS &&
	    (d == NULL || !d->ext || sip_dn_best(d, now) == NULL))) {
		srv->dr->pending_agent[0] = srv->dr->pending_dn[0] = '\0';
		redirect(srv, m, src, dn->number, out);
		return SIP_DR_DONE;
	}
	return SIP_DR_ON;
}

int
sip_dr_route(bc_sip_server *srv, bc_sipmsg *m, const struct bc_sip_peer *src,
    struct bc_sipuri *ruri, long long now, struct bc_sip_out *out)
{
	static const enum bc_dn_type ext = BC_DN_EXTENSION;
	static const enum bc_dn_type queue = BC_DN_ACD_QUEUE;
	struct sip_dr *dr = srv->dr;
	const struct sip_call *c;
	struct bc_dn dn;
	struct bc_err err;
	char callid[256];
	int from_peer, rc;

	if (dr == NULL)
		return SIP_DR_ON;
	dr->pending_agent[0] = dr->pending_dn[0] = '\0';
	if (bc_sipmsg_call_id(m, callid, sizeof(callid)) != 0)
		return SIP_DR_ON;
	/* a retransmission goes where the first one went */
	if ((c = call_find(dr, callid)) != NULL) {
		if (c->agent_dn[0] != '\0')
			snprintf(ruri->user, sizeof(ruri->user), "%s",
			    c->agent_dn);
		return SIP_DR_ON;
	}
	from_peer = sip_dr_from_peer(srv, m, src);
	if (dr->shutdown) {
		refuse(srv, m, src, ruri->user, from_peer, out);
		return SIP_DR_DONE;
	}
	rc = bc_dn_get(srv->store, ruri->user, &ext, &dn, &err);
	if (rc == BC_OK && dn.enabled) {
		rc = route_extension(srv, m, src, &dn, from_peer, now, out);
		bc_dn_clear(&dn);
		return rc;
	}
	bc_dn_clear(&dn);
	if (rc == BC_OK || rc == BC_ENOENT) {
		rc = bc_dn_get(srv->store, ruri->user, &queue, &dn, &err);
		if (rc == BC_OK && dn.enabled) {
			bc_dn_clear(&dn);
			return route_queue(srv, m, src, ruri, now, out);
		}
		bc_dn_clear(&dn);
	}
	if (rc != BC_OK && rc != BC_ENOENT)
		warn_store(dr, &err);
	return SIP_DR_ON;
}

/* Remembers the call of an INVITE that went out (fork: its key, or NULL). */
static void
call_start(bc_sip_server *srv, const bc_sipmsg *m, int forwarded,
    const char *fork, long long now)
{
	struct sip_dr *dr = srv->dr;
	struct sip_call *c;
	struct bc_err err;
	char callid[256];
	size_t h;

	if (!forwarded || bc_sipmsg_call_id(m, callid, sizeof(callid)) != 0 ||
	    call_find(dr, callid) != NULL ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		dr->pending_agent[0] = dr->pending_dn[0] = '\0';
		return;
	}
	snprintf(c->callid, sizeof(c->callid), "%s", callid);
	snprintf(c->agent, sizeof(c->agent), "%s", dr->pending_agent);
	snprintf(c->agent_dn, sizeof(c->agent_dn), "%s", dr->pending_dn);
	if (fork != NULL)
		snprintf(c->fork, sizeof(c->fork), "%s", fork);
	c->at = now;
	h = call_hash(callid);
	c->next = dr->calls[h];
	dr->calls[h] = c;
	dr->ncalls++;
	dr->pending_agent[0] = dr->pending_dn[0] = '\0';
	if (c->agent[0] != '\0' &&
	    bc_agent_call_begin(srv->store, c->agent, now, &err) != BC_OK) {
		/* logged out meanwhile: the call goes on without an agent */
		if (err.status != BC_ENOENT)
			warn_store(dr, &err);
		c->agent[0] = '\0';
	}
}

void
sip_dr_forwarded(bc_sip_server *srv, const bc_sipmsg *m, int forwarded,
    long long now)
{
	if (srv->dr != NULL)
		call_start(srv, m, forwarded, NULL, now);
}

void
sip_dr_forked(bc_sip_server *srv, const bc_sipmsg *m, const char *key,
    long long now)
{
	if (srv->dr != NULL)
		call_start(srv, m, sip_fork_find(srv, key, now) != NULL, key,
		    now);
}

void
sip_dr_bye(bc_sip_server *srv, const bc_sipmsg *m, long long now)
{
	struct sip_call *c;
	char callid[256];

	if (srv->dr == NULL ||
	    bc_sipmsg_call_id(m, callid, sizeof(callid)) != 0 ||
	    (c = call_find(srv->dr, callid)) == NULL)
		return;
	call_end(srv, c, now);
}

int
sip_dr_response(bc_sip_server *srv, const bc_sipmsg *m, long long now)
{
	struct sip_dr *dr = srv->dr;
	struct bc_sipvia v;
	struct sip_call *c;
	const char *method;
	char callid[256];
	int status;

	if (dr == NULL)
		return 0;
	if (bc_sipmsg_via(m, 0, &v) == 0 &&
	    strncmp(v.branch, SIP_PEER_BRANCH, strlen(SIP_PEER_BRANCH)) == 0) {
		/* any answer shows the peer alive */
		dr->answered = 1;
		return 1;
	}
	status = bc_sipmsg_status(m);
	bc_sipmsg_cseq(m, &method);
	if (status < 200 || method == NULL || strcmp(method, "INVITE") != 0 ||
	    bc_sipmsg_call_id(m, callid, sizeof(callid)) != 0 ||
	    (c = call_find(dr, callid)) == NULL)
		return 0;
	if (status >= 300) {
		/* a fork fails as a whole: see sip_dr_calls_expire() */
		if (c->fork[0] == '\0')
			call_end(srv, c, now);
	} else if (!c->confirmed) {
		c->confirmed = 1;
		c->at = now;
	}
	return 0;
}
