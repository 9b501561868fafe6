/*
 * sip-fork.c -- parallel forking (RFC 3261 16.7): an INVITE for an
 * extension with several registered contacts goes to all of them at
 * once.  The proxy is stateless otherwise; a forked INVITE gets a small
 * state of its own, a struct sip_fork in a fixed table of the engine:
 *
 *  - the caller gets 100 Trying, each contact a copy of the INVITE with
 *    its own branch (our key, ".N", the loop hash);
 *  - provisional responses go to the caller (100 does not); the first
 *    2xx too, and every later 2xx (they are end to end), and every other
 *    branch is CANCELled: at once when it sent a provisional response,
 *    else when it sends one (9.1);
 *  - a failure of a branch is ACKed here (17.1.1.3) and kept when it is
 *    the best so far (6xx, else the lowest class, the first of a class;
 *    a 503 goes up as our 500);
 *    a 6xx CANCELs the other branches;  when every branch has a final
 *    response and none was 2xx, the best goes to the caller, which ACKs
 *    it here;
 *  - the caller's CANCEL gets 200 here and CANCELs every branch; its
 *    INVITE retransmissions get 100 Trying again (or the final response
 *    again) and resend the INVITE to branches that have said nothing;
 *  - bc_sip_server_timers(): over UDP an INVITE is resent every second
 *    to a branch that said nothing, a branch silent for SIP_INV_TTL
 *    seconds counts as 408, one without a final response after
 *    SIP_FORK_TIMER_C seconds is CANCELled and counts as 408.
 *
 * When the table slot of a new fork is busy with a live one the INVITE
 * is not forked: it goes to the best contact alone, as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip-internal.h"

enum { BR_CALLING, BR_PROCEEDING, BR_DONE };

static size_t
key_hash(const char *key)
{
	size_t h = 5381;

	while (*key != '\0')
		h = h * 33 + (unsigned char)*key++;
	return h % SIP_FORK_SLOTS;
}

static void
fork_free(struct sip_fork *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nb; i++)
		free(f->b[i].inv);
	free(f->req);
	free(f->best_msg);
	free(f);
}

void
sip_forks_free(bc_sip_server *srv)
{
	size_t i;

	if (srv->forks == NULL)
		return;
	for (i = 0; i < SIP_FORK_SLOTS; i++)
		fork_free(srv->forks[i]);
	free(srv->forks);
	srv->forks = NULL;
}

/* A fork that may go: answered or given up, and old enough. */
static int
fork_dead(const struct sip_fork *f, long long now)
{
	if (now - f->at > SIP_FORK_TIMER_C + SIP_INV_TTL)
		return 1;
	return f->done && now - f->done_at > SIP_INV_TTL;
}

/* "KEY" of branch "PREFIXh.N-l" (".N" out), and N; -1 when not a fork. */
static int
branch_key(const char *branch, char key[64])
{
	const char *dot = strchr(branch, '.'), *dash;
	int n;

	if (dot == NULL || (dash = strchr(dot, '-')) == NULL ||
	    dash - dot != 2 || dot[1] < '0' || dot[1] > '9' ||
	    (size_t)(dot - branch) + strlen(dash) >= 64)
		return -1;
	n = dot[1] - '0';
	snprintf(key, 64, "%.*s%s", (int)(dot - branch), branch, dash);
	return n;
}

static void
branch_id(const char *key, size_t i, char out[80])
{
	const char *dash = strrchr(key, '-');

	if (dash == NULL)
		dash = key + strlen(key);
	snprintf(out, 80, "%.*s.%zu%s", (int)(dash - key), key, i, dash);
}

struct sip_fork *
sip_fork_find(bc_sip_server *srv, const char *key, long long now)
{
	struct sip_fork *f;

	if (srv->forks == NULL ||
	    (f = srv->forks[key_hash(key)]) == NULL ||
	    strcmp(f->key, key) != 0 || fork_dead(f, now))
		return NULL;
	return f;
}

/* Adds a copy of raw text (a message we built before) to out. */
static int
out_raw(struct bc_sip_out *out, const char *buf, size_t len,
    const struct bc_sip_peer *to)
{
	struct bc_sip_send *s;

	if (out->n == BC_SIP_OUT_MAX)
		return -1;
	s = &out->v[out->n];
	if ((s->buf = malloc(len + 1)) == NULL)
		return -1;
	memcpy(s->buf, buf, len);
	s->buf[len] = '\0';
	s->len = len;
	s->to = *to;
	out->n++;
	return 0;
}

/*
 * Sends the CANCEL of branch b (built from the INVITE it was sent).  A
 * branch that said nothing yet cannot be CANCELled (9.1): it counts as
 * done at once (as Kamailio's cancel_b_method 0) and gets its CANCEL
 * when it sends a provisional response.
 */
static void
branch_cancel(bc_sip_server *srv, struct sip_branch *b,
    struct bc_sip_out *out)
{
	bc_sipmsg *inv, *c;

	if (b->cancelled || b->final)
		return;
	if (!b->heard) {
		b->cancel = 1;
		b->state = BR_DONE;
		return;
	}
	b->cancel = 0;
	if (bc_sipmsg_parse(&inv, b->inv, b->invlen) != 0)
		return;
	if ((c = bc_sipmsg_cancel(inv)) != NULL) {
		if (sip_out_add(out, c, &b->to) == BC_OK) {
			b->cancelled = 1;
			srv->stats.forwarded++;
		}
		bc_sipmsg_free(c);
	}
	bc_sipmsg_free(inv);
}

static void
cancel_others(bc_sip_server *srv, struct sip_fork *f, size_t except,
    struct bc_sip_out *out)
{
	size_t i;

	for (i = 0; i < f->nb; i++)
		if (i != except)
			branch_cancel(srv, &f->b[i], out);
}

/* Rank of a final failure: lower is better (16.7 step 6). */
static int
rank(int code)
{
	if (code >= 600)
		return 0;
	return code / 100;	/* 3, 4, 5 */
}

/* Answers the caller with a response of our own built from its INVITE. */
static void
reply_caller(bc_sip_server *srv, struct sip_fork *f, int code,
    const char *reason, struct bc_sip_out *out)
{
	bc_sipmsg *req;

	if (bc_sipmsg_parse(&req, f->req, f->reqlen) != 0)
		return;
	(void)sip_reply(srv, req, &f->from, code, reason, NULL, out);
	bc_sipmsg_free(req);
}

/* Every branch has a final response and none was 2xx: the best goes. */
static void
maybe_complete(bc_sip_server *srv, struct sip_fork *f, long long now,
    struct bc_sip_out *out)
{
	size_t i;

	if (f->done)
		return;
	for (i = 0; i < f->nb; i++)
		if (f->b[i].state != BR_DONE)
			return;
	f->done = 1;
	f->done_at = now;
	if (f->best == 503) {
		/* the phones' overload is not ours to announce (16.7 step 6) */
		free(f->best_msg);
		f->best_msg = NULL;
		reply_caller(srv, f, 500, "Server Internal Error", out);
	} else if (f->best_msg != NULL) {
		if (out_raw(out, f->best_msg, f->best_len, &f->best_to) == 0)
			srv->stats.responses++;
	} else if (f->best != 0 && f->best != 408)
		/* a response we could not relay (one Via): ours instead */
		reply_caller(srv, f, f->best, f->best == 487 ?
		    "Request Terminated" : "Call Failed", out);
	else if (f->caller_cancel)
		reply_caller(srv, f, 487, "Request Terminated", out);
	else
		reply_caller(srv, f, 408, "Request Timeout", out);
}

/* A branch failed without a response of its own (timeout). */
static void
branch_timeout(bc_sip_server *srv, struct sip_fork *f, struct sip_branch *b,
    long long now, struct bc_sip_out *out)
{
	b->state = BR_DONE;
	if (f->best == 0)
		f->best = 408;
	maybe_complete(srv, f, now, out);
}

int
sip_fork_invite(bc_sip_server *srv, bc_sipmsg *m,
    const struct bc_sip_peer *peer, const struct sip_dn *d,
    const char *key, long long now, struct bc_sip_out *out)
{
	const struct bc_binding *v[SIP_FORK_MAX];
	struct sip_fork *f, **slot;
	struct bc_sip_peer to;
	struct bc_sipuri u;
	char via[400], bid[80];
	size_t i, j, n = 0;
	int rr = 0;

	for (i = 0; i < d->nb && n < SIP_FORK_MAX; i++) {
		const struct bc_binding *b = &d->b[i];

		if (b->expires_at <= now || bc_sip_uri_parse(b->contact, &u) ||
		    sip_uri_target(&u, &to) != 0 ||
		    sip_pick_listener(srv, to.transport, to.host) < 0)
			continue;
		/* highest q first, then the latest registered */
		for (j = n; j > 0 && (v[j - 1]->q < b->q ||
		    (v[j - 1]->q == b->q &&
		    v[j - 1]->updated_at < b->updated_at)); j--)
			v[j] = v[j - 1];
		v[j] = b;
		n++;
	}
	if (n < 2)
		return SIP_FORK_NO;
	if (srv->forks == NULL &&
	    (srv->forks = calloc(SIP_FORK_SLOTS, sizeof(*srv->forks))) ==
	    NULL)
		return SIP_FORK_NO;
	slot = &srv->forks[key_hash(key)];
	if (*slot != NULL && !fork_dead(*slot, now))
		return SIP_FORK_NO;	/* busy: to one contact, stateless */
	fork_free(*slot);
	if ((*slot = f = calloc(1, sizeof(*f))) == NULL)
		return SIP_FORK_NO;
	snprintf(f->key, sizeof(f->key), "%s", key);
	f->at = now;
	f->from = *peer;
	if (bc_sipmsg_to_string(m, &f->req, &f->reqlen) != 0)
		goto fail;
	(void)sip_reply(srv, m, peer, 100, "Trying", NULL, out);
	for (i = 0; i < n; i++) {
		struct sip_branch *b = &f->b[f->nb];

		if (bc_sip_uri_parse(v[i]->contact, &u) != 0 ||
		    sip_uri_target(&u, &b->to) != 0 ||
		    bc_sipmsg_set_ruri(m, v[i]->contact) != 0)
			continue;
		if (!rr) {
			if (sip_record_route(srv, m, peer->listener,
			    sip_pick_listener(srv, b->to.transport,
			    b->to.host)) != 0)
				goto fail;
			rr = 1;
		}
		branch_id(key, f->nb, bid);
		if (sip_via_text(srv, &b->to, bid, via, sizeof(via)) != 0 ||
		    bc_sipmsg_via_push(m, via) != 0)
			continue;
		if (bc_sipmsg_to_string(m, &b->inv, &b->invlen) == 0 &&
		    out_raw(out, b->inv, b->invlen, &b->to) == 0) {
			b->at = now;
			f->nb++;
			srv->stats.forwarded++;
		} else {
			free(b->inv);
			b->inv = NULL;
		}
		bc_sipmsg_via_pop(m);
	}
	if (f->nb == 0)
		goto fail;
	srv->stats.forks++;
	return SIP_FORK_DONE;
fail:
	fork_free(f);
	*slot = NULL;
	bc_sip_out_clear(out);
	return sip_reply(srv, m, peer, 500, "Server Error", NULL, out) ==
	    BC_OK ? SIP_FORK_DONE : SIP_FORK_NO;
}

int
sip_fork_request(bc_sip_server *srv, struct sip_fork *f, bc_sipmsg *m,
    const struct bc_sip_peer *peer, long long now, struct bc_sip_out *out)
{
	const char *method = bc_sipmsg_method(m);
	size_t i;

	if (strcmp(method, "ACK") == 0)
		return BC_OK;	/* of our final response: ends here */
	if (strcmp(method, "CANCEL") == 0) {
		(void)sip_reply(srv, m, peer, 200, "OK", NULL, out);
		if (!f->done) {
			f->caller_cancel = 1;
			for (i = 0; i < f->nb; i++)
				branch_cancel(srv, &f->b[i], out);
			maybe_complete(srv, f, now, out);
		}
		return BC_OK;
	}
	if (strcmp(method, "INVITE") != 0)
		return BC_OK;
	/* a retransmission of the INVITE */
	if (f->done && f->best_msg != NULL && !f->answered) {
		(void)out_raw(out, f->best_msg, f->best_len, &f->best_to);
		return BC_OK;
	}
	(void)sip_reply(srv, m, peer, 100, "Trying", NULL, out);
	for (i = 0; !f->done && i < f->nb; i++)
		if (f->b[i].state == BR_CALLING &&
		    f->b[i].to.transport == BC_SIP_UDP) {
			(void)out_raw(out, f->b[i].inv, f->b[i].invlen,
			    &f->b[i].to);
			f->b[i].at = now;
		}
	return BC_OK;
}

/* Sends the ACK of a failure response r of branch b. */
static void
branch_ack(struct sip_branch *b, const bc_sipmsg *r, struct bc_sip_out *out)
{
	bc_sipmsg *inv, *ack;

	if (bc_sipmsg_parse(&inv, b->inv, b->invlen) != 0)
		return;
	if ((ack = bc_sipmsg_ack(inv, r)) != NULL) {
		(void)sip_out_add(out, ack, &b->to);
		bc_sipmsg_free(ack);
	}
	bc_sipmsg_free(inv);
}

int
sip_fork_response(bc_sip_server *srv, bc_sipmsg *m, const char *branch,
    long long now, struct bc_sip_out *out)
{
	struct sip_fork *f;
	struct sip_branch *b;
	struct bc_sip_peer to;
	const char *method;
	char key[64];
	int i, code = bc_sipmsg_status(m);

	if ((i = branch_key(branch, key)) < 0 ||
	    (f = sip_fork_find(srv, key, now)) == NULL || (size_t)i >= f->nb)
		return 0;	/* not a fork: stateless */
	b = &f->b[i];
	(void)bc_sipmsg_cseq(m, &method);
	if (method == NULL || strcmp(method, "INVITE") != 0)
		return 1;	/* to our CANCEL */
	if (code < 200) {
		if (b->final)
			return 1;
		b->heard = 1;
		if (b->state == BR_CALLING)
			b->state = BR_PROCEEDING;
		if (b->cancel || f->done)
			branch_cancel(srv, b, out);
		if (code == 100 || f->done || b->state == BR_DONE)
			return 1;
		if (sip_relay_up(srv, m, &to) == 0 &&
		    sip_out_add(out, m, &to) == BC_OK)
			srv->stats.responses++;
		return 1;
	}
	if (code < 300) {
		/* every 2xx goes up; the first ends the others */
		b->state = BR_DONE;
		b->heard = b->final = 1;
		if (!f->answered) {
			f->answered = 1;
			f->done = 1;
			f->done_at = now;
			cancel_others(srv, f, (size_t)i, out);
		}
		if (sip_relay_up(srv, m, &to) == 0 &&
		    sip_out_add(out, m, &to) == BC_OK)
			srv->stats.responses++;
		return 1;
	}
	/* a failure: ACK it here, keep it if it is the best */
	branch_ack(b, m, out);
	if (b->final)
		return 1;	/* a retransmission */
	b->state = BR_DONE;
	b->heard = b->final = 1;
	if (!f->done && (f->best == 0 || rank(code) < rank(f->best) ||
	    (rank(code) == rank(f->best) && f->best == 408 &&
	    code != 408))) {
		char *buf;
		size_t len;

		free(f->best_msg);
		f->best_msg = NULL;
		f->best = code;
		if (sip_relay_up(srv, m, &to) == 0 &&
		    bc_sipmsg_to_string(m, &buf, &len) == 0) {
			f->best_msg = buf;
			f->best_len = len;
			f->best_to = to;
		}
	}
	if (code >= 600)
		cancel_others(srv, f, (size_t)i, out);
	maybe_complete(srv, f, now, out);
	return 1;
}

int
bc_sip_server_timers(bc_sip_server *srv, long long now,
    struct bc_sip_out *out, struct bc_err *err)
{
	struct sip_fork *f;
	struct sip_branch *b;
	size_t i, j, k;

	(void)err;
	if (srv->forks == NULL)
		return BC_OK;
	/* from where the last call stopped, so that no fork starves */
	for (k = 0; k < SIP_FORK_SLOTS; k++) {
		i = (srv->fork_cursor + k) % SIP_FORK_SLOTS;
		if ((f = srv->forks[i]) == NULL)
			continue;
		if (fork_dead(f, now)) {
			fork_free(f);
			srv->forks[i] = NULL;
			continue;
		}
		if (f->done)
			continue;
		/* room for one fork's messages; the rest next time */
		if (out->n + SIP_FORK_MAX + 2 > BC_SIP_OUT_MAX) {
			srv->fork_cursor = i;
			return BC_OK;
		}
		for (j = 0; j < f->nb; j++) {
			b = &f->b[j];
			if (b->state == BR_CALLING &&
			    now - f->at >= SIP_INV_TTL) {
				branch_timeout(srv, f, b, now, out);
				continue;
			}
			if (b->state == BR_PROCEEDING &&
			    now - f->at >= SIP_FORK_TIMER_C) {
				branch_cancel(srv, b, out);
				branch_timeout(srv, f, b, now, out);
				continue;
			}
			if (b->state == BR_CALLING &&
			    b->to.transport == BC_SIP_UDP && now > b->at) {
				(void)out_raw(out, b->inv, b->invlen, &b->to);
				b->at = now;
			}
		}
	}
	return BC_OK;
}
