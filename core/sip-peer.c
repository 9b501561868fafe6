/*
 * sip-peer.c -- the peer site of a two-site contact centre, seen from the
 * SIP engine: the Trunk DN named by TServer/dr-peer-trunk (its contact is
 * the peer's SIP address, its TServer/oos-check and oos-force options
 * time the heartbeats), OPTIONS heartbeats and the peer's state, the
 * periodic tick of business continuity and the graceful shutdown.
 *
 * The peer starts unknown; the first answer to a heartbeat puts it in
 * service, oos-force seconds without one put it out of service, the next
 * answer back in.  Redirects to the peer need it in service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bc-agent.h"
#include "sip-dr.h"

#define OOS_CHECK_DEFAULT	5	/* s */
#define OOS_FORCE_DEFAULT	15	/* s */
#define DEFAULT_PORT		5060

static const char *const peer_state_names[] = {
	"none", "unknown", "in-service", "out-of-service"
};

const char *
bc_peer_state_name(enum bc_peer_state st)
{
	return (unsigned)st < sizeof(peer_state_names) /
	    sizeof(peer_state_names[0]) ? peer_state_names[st] : "?";
}

/* A whole number of seconds from an option, or def when unset or bad. */
static int
option_seconds(const struct bc_options *o, const char *key, int def)
{
	const char *v = bc_options_get(o, "TServer", key);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 0 || n > 86400)
		return def;
	return (int)n;
}

/*
 * Re-reads the peer trunk.  A new contact starts the peer over
 * (unknown, silent since now).
 */
static int
load_peer(bc_sip_server *srv, long long now_ms, struct bc_err *err)
{
	struct sip_dr *dr = srv->dr;
	const enum bc_dn_type trunk = BC_DN_TRUNK;
	const char *name = srv->conf.dr_peer_trunk;
	struct bc_dn dn;
	struct bc_sipuri u;
	int rc, had = dr->have_peer;

	dr->have_peer = 0;
	if (*name == '\0') {
		snprintf(dr->why, sizeof(dr->why), "single-site mode: no "
		    "TServer/dr-peer-trunk");
		dr->state = BC_PEER_NONE;
		dr->trunk[0] = dr->contact[0] = '\0';
		return BC_OK;
	}
	rc = bc_dn_get(srv->store, name, &trunk, &dn, err);
	if (rc == BC_ENOENT) {
		snprintf(dr->why, sizeof(dr->why), "peer trunk '%s' is not a "
		    "trunk DN of this site", name);
		dr->state = BC_PEER_NONE;
		dr->trunk[0] = dr->contact[0] = '\0';
		return BC_OK;
	}
	if (rc != BC_OK)
		return rc;
	if (!dn.enabled || dn.contact == NULL ||
	    bc_sip_uri_parse(dn.contact, &u) != 0 || u.host[0] == '\0' ||
	    strcasecmp(u.scheme, "sip") != 0 ||
	    strlen(dn.contact) >= sizeof(dr->contact)) {
		snprintf(dr->why, sizeof(dr->why), "peer trunk '%s' is %s",
		    name, !dn.enabled ? "disabled" : dn.contact == NULL ?
		    "without a contact" : "without a usable sip: contact");
		dr->state = BC_PEER_NONE;
		dr->trunk[0] = dr->contact[0] = '\0';
		bc_dn_clear(&dn);
		return BC_OK;
	}
	dr->oos_check = option_seconds(&dn.options, "oos-check",
	    OOS_CHECK_DEFAULT);
	dr->oos_force = option_seconds(&dn.options, "oos-force",
	    OOS_FORCE_DEFAULT);
	if (!had || strcmp(dr->contact, dn.contact) != 0 ||
	    strcmp(dr->trunk, name) != 0) {
		snprintf(dr->trunk, sizeof(dr->trunk), "%s", name);
		snprintf(dr->contact, sizeof(dr->contact), "%s", dn.contact);
		dr->peer = u;
		dr->state = dr->oos_check > 0 ? BC_PEER_UNKNOWN :
		    BC_PEER_IN_SERVICE;
		dr->last_answer = now_ms;
		dr->next_probe = now_ms;
		dr->answered = 0;
	}
	snprintf(dr->why, sizeof(dr->why), "trunk %s (%s)", dr->trunk,
	    dr->contact);
	dr->have_peer = 1;
	bc_dn_clear(&dn);
	return BC_OK;
}

int
sip_dr_peer_usable(const bc_sip_server *srv)
{
	return srv->dr != NULL && srv->dr->have_peer &&
	    srv->dr->state == BC_PEER_IN_SERVICE;
}

int
sip_dr_peer_contact(const bc_sip_server *srv, const char *number, char *buf,
    size_t len)
{
	const struct bc_sipuri *p = &srv->dr->peer;
	char port[8] = "";
	int n;

	if (p->port != 0)
		snprintf(port, sizeof(port), ":%u", (unsigned)p->port);
	n = snprintf(buf, len, strchr(p->host, ':') != NULL ?
	    "<sip:%s@[%s]%s;%s%s>" : "<sip:%s@%s%s;%s%s>", number, p->host,
	    port, SIP_DR_PARAM,
	    p->transport == BC_SIP_TCP ? ";transport=tcp" : "");
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
sip_dr_from_peer(const bc_sip_server *srv, const bc_sipmsg *m,
    const struct bc_sip_peer *src)
{
	const struct sip_dr *dr = srv->dr;
	char ruri[1024];
	const char *p;
	size_t n = strlen(SIP_DR_PARAM);

	/* redirected by the peer: the mark of its 302 */
	if (bc_sipmsg_ruri_text(m, ruri, sizeof(ruri)) == 0)
		for (p = strchr(ruri, ';'); p != NULL; p = strchr(p + 1, ';'))
			if (strncasecmp(p + 1, SIP_DR_PARAM, n) == 0 &&
			    (p[n + 1] == '\0' || p[n + 1] == ';' ||
			    p[n + 1] == '=' || p[n + 1] == '?' ||
			    p[n + 1] == '>'))
				return 1;
	/* or proxied by the peer itself */
	return dr->have_peer && strcasecmp(src->host, dr->peer.host) == 0 &&
	    src->port == (dr->peer.port != 0 ? dr->peer.port : DEFAULT_PORT);
}

/* The listener that reaches the peer, or -1. */
static int
peer_listener(const bc_sip_server *srv)
{
	const struct bc_sipuri *p = &srv->dr->peer;
	enum bc_sip_transport t = p->transport == BC_SIP_TCP ? BC_SIP_TCP :
	    BC_SIP_UDP;
	int v6 = strchr(p->host, ':') != NULL;
	size_t i;

	for (i = 0; i < srv->conf.nlisten; i++)
		if (srv->conf.listen[i].transport == t &&
		    (strchr(srv->conf.listen[i].host, ':') != NULL) == v6)
			return (int)i;
	return -1;
}

/* Appends one OPTIONS heartbeat to the peer. */
static void
probe(bc_sip_server *srv, struct bc_sip_out *out)
{
	struct sip_dr *dr = srv->dr;
	const struct bc_sip_listen *l;
	struct bc_sip_peer to;
	bc_sipmsg *m;
	char buf[2048], hp[300];
	int li, n;

	if ((li = peer_listener(srv)) < 0)
		return;
	l = &srv->conf.listen[li];
	snprintf(hp, sizeof(hp), strchr(l->host, ':') != NULL ? "[%s]:%u" :
	    "%s:%u", l->host, (unsigned)l->port);
	dr->probe_seq++;
	n = snprintf(buf, sizeof(buf),
	    "OPTIONS %s SIP/2.0\r\n"
	    "Via: SIP/2.0/%s %s;branch=%s%x-%lu;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:bcsipd@%s>;tag=bc%x\r\n"
	    "To: <%s>\r\n"
	    "Call-ID: bcpeer-%x@%s\r\n"
	    "CSeq: %lu OPTIONS\r\n"
	    "Accept: application/sdp\r\n"
	    "Content-Length: 0\r\n\r\n",
	    dr->contact, l->transport == BC_SIP_TCP ? "TCP" : "UDP", hp,
	    SIP_PEER_BRANCH, dr->tag, dr->probe_seq, hp, dr->tag,
	    dr->contact, dr->tag, hp, dr->probe_seq);
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    bc_sipmsg_parse(&m, buf, (size_t)n) != 0)
		return;
	memset(&to, 0, sizeof(to));
	to.transport = l->transport;
	snprintf(to.host, sizeof(to.host), "%s", dr->peer.host);
	to.port = dr->peer.port != 0 ? dr->peer.port : DEFAULT_PORT;
	to.listener = li;
	sip_out_add(out, m, &to);
	bc_sipmsg_free(m);
}

/* Moves the peer's state by the heartbeats, sends a probe when due. */
static void
peer_step(bc_sip_server *srv, long long now_ms, struct bc_sip_out *out)
{
	struct sip_dr *dr = srv->dr;

	if (!dr->have_peer || dr->oos_check == 0)
		return;
	if (dr->answered) {
		dr->answered = 0;
		dr->last_answer = now_ms;
		dr->state = BC_PEER_IN_SERVICE;
	} else if (now_ms - dr->last_answer >= (long long)dr->oos_force *
	    1000 && dr->state != BC_PEER_OOS)
		dr->state = BC_PEER_OOS;
	if (now_ms >= dr->next_probe && out->n < BC_SIP_OUT_MAX) {
		probe(srv, out);
		dr->next_probe = now_ms + (long long)dr->oos_check * 1000;
	}
}

/* Writes the peer's state to the store when it (or its reason) changed. */
static int
peer_store(bc_sip_server *srv, long long now_ms, struct bc_err *err)
{
	struct sip_dr *dr = srv->dr;
	int rc;

	if (dr->stored_state == (int)dr->state &&
	    strcmp(dr->stored_why, dr->why) == 0)
		return BC_OK;
	rc = bc_sip_status_set(srv->store, BC_SIP_STATUS_PEER,
	    bc_peer_state_name(dr->state), dr->why, now_ms / 1000, err);
	if (rc == BC_OK) {
		dr->stored_state = (int)dr->state;
		snprintf(dr->stored_why, sizeof(dr->stored_why), "%s",
		    dr->why);
	}
	return rc;
}

int
bc_sip_dr_attach(bc_sip_server *srv, long long now_ms, struct bc_err *err)
{
	struct sip_dr *dr;
	int rc;

	if (srv->dr != NULL)
		return BC_OK;
	if ((dr = calloc(1, sizeof(*dr))) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	dr->stored_state = -1;
	dr->tag = (unsigned)(now_ms & 0xffffffff) ^ srv->secret[0] ^
	    ((unsigned)srv->secret[1] << 8) ^ ((unsigned)srv->secret[2] << 16);
	srv->dr = dr;
	if ((rc = bc_sip_status_set(srv->store, BC_SIP_STATUS_SHUTDOWN, NULL,
	    NULL, now_ms / 1000, err)) ||
	    (rc = bc_sip_status_set(srv->store, BC_SIP_STATUS_DAEMON,
	    "running", srv->realm, now_ms / 1000, err)) ||
	    (rc = bc_agent_calls_reset(srv->store, now_ms / 1000, err)) ||
	    (rc = load_peer(srv, now_ms, err))) {
		bc_sip_dr_detach(srv);
		return rc;
	}
	dr->next_conf = now_ms + 1000;
	return BC_OK;
}

void
bc_sip_dr_detach(bc_sip_server *srv)
{
	struct bc_err e;

	if (srv == NULL || srv->dr == NULL)
		return;
	sip_dr_calls_free(srv->dr);
	free(srv->dr);
	srv->dr = NULL;
	/* best effort: the status is informative */
	bc_sip_status_set(srv->store, BC_SIP_STATUS_DAEMON, "stopped",
	    srv->realm, (long long)time(NULL), &e);
}

int
bc_sip_dr_shutdown(bc_sip_server *srv, long long now_ms, struct bc_err *err)
{
	struct sip_dr *dr = srv->dr;

	if (dr == NULL)
		return bc_err_set(err, BC_EINTERNAL, "business continuity is "
		    "not attached");
	if (dr->shutdown)
		return BC_OK;
	dr->shutdown = 1;
	dr->next_logout = now_ms;	/* the next tick logs agents out */
	return bc_sip_status_set(srv->store, BC_SIP_STATUS_SHUTDOWN,
	    "graceful", "refusing new calls", now_ms / 1000, err);
}

int
bc_sip_dr_shutting_down(const bc_sip_server *srv)
{
	return srv->dr != NULL && srv->dr->shutdown;
}

size_t
bc_sip_dr_calls(const bc_sip_server *srv)
{
	return srv->dr != NULL ? srv->dr->ncalls : 0;
}

/* A shutdown asked through the store ('bcadm sip shutdown --graceful'). */
static int
shutdown_asked(bc_sip_server *srv, struct bc_err *err)
{
	struct bc_sip_status st;
	int rc, asked;

	rc = bc_sip_status_get(srv->store, BC_SIP_STATUS_SHUTDOWN, &st, err);
	if (rc == BC_ENOENT)
		return 0;
	if (rc != BC_OK)
		return -1;
	asked = strcmp(st.value, "requested") == 0;
	bc_sip_status_clear(&st);
	return asked;
}

int
bc_sip_dr_tick(bc_sip_server *srv, long long now_ms, struct bc_sip_out *out,
    struct bc_sip_dr_event *ev, struct bc_err *err)
{
	struct sip_dr *dr = srv->dr;
	char detail[120];
	size_t left;
	int rc, asked, before;

	memset(ev, 0, sizeof(*ev));
	if (dr == NULL)
		return BC_OK;
	if (dr->warn[0] != '\0') {
		snprintf(ev->warn, sizeof(ev->warn), "%s", dr->warn);
		dr->warn[0] = '\0';
	}
	if (now_ms >= dr->next_conf) {
		dr->next_conf = now_ms + 1000;
		if ((rc = load_peer(srv, now_ms, err)))
			return rc;
		if (!dr->shutdown) {
			if ((asked = shutdown_asked(srv, err)) < 0)
				return err->status;
			if (asked) {
				if ((rc = bc_sip_dr_shutdown(srv, now_ms, err)))
					return rc;
				ev->shutdown_started = 1;
			}
		}
	}
	sip_dr_calls_expire(srv, now_ms / 1000, 0);
	before = dr->stored_state;
	peer_step(srv, now_ms, out);
	if ((rc = peer_store(srv, now_ms, err)))
		return rc;
	ev->peer_changed = before != (int)dr->state;
	ev->peer_state = (int)dr->state;
	snprintf(ev->peer, sizeof(ev->peer), "%s", dr->why);
	ev->calls = dr->ncalls;
	if (dr->shutdown && now_ms >= dr->next_logout) {
		dr->next_logout = now_ms + 1000;
		if ((rc = bc_agent_logout_idle(srv->store, &left, err)))
			return rc;
		ev->agents = left;
		snprintf(detail, sizeof(detail), "refusing new calls; %zu "
		    "call%s, %zu agent%s left", dr->ncalls,
		    dr->ncalls == 1 ? "" : "s", left, left == 1 ? "" : "s");
		if ((rc = bc_sip_status_set(srv->store,
		    BC_SIP_STATUS_SHUTDOWN, "graceful", detail,
		    now_ms / 1000, err)))
			return rc;
		if (dr->ncalls == 0)
			ev->done = 1;
	}
	return BC_OK;
}
