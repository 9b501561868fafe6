/*
 * server.c -- this site's feed over HTTP(S), with libmicrohttpd: one
 * thread per connection, so that a long poll waits without holding up
 * anyone else.  Every request must carry the bearer token; documents
 * come from the library (core/feed.c), each request with its own store
 * connection.
 *
 *	GET  /v1/changes?after=SEQ&wait=SECONDS&limit=N[&applied=SEQ]
 *	GET  /v1/snapshot
 *	GET  /v1/digest
 *	GET  /v1/status
 *	GET  /metrics
 *	POST /v1/changes[?force=1]	a document pushed by 'bcadm sync'
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <microhttpd.h>

#include "bc-feed.h"
#include "bc-sync.h"
#include "bcsync.h"
#include "daemon.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

#define MAX_URL		1024
#define EMPTY_GRACE_MS	1000	/* see changes() */

struct request {
	char	*body;
	size_t	 len;
	int	 too_big;
	int	 authorized;	/* decided on the headers, before any body */
};

/* Compares in a time that depends on the expected token's length only. */
static int
token_ok(const char *expected, const char *given)
{
	size_t i, n = strlen(expected), m = given != NULL ? strlen(given) : 0;
	unsigned char diff = n != m;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)expected[i] ^
		    (unsigned char)(i < m ? given[i] : 0);
	return given != NULL && diff == 0;
}

static void
add_time(struct MHD_Response *r)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", daemon_wall_ms());
	MHD_add_response_header(r, BCSYNC_TIME_HEADER, v);
}

static MHD_RESULT
reply(struct MHD_Connection *c, unsigned code, const char *type,
    char *body, size_t len, struct bcsync *b)
{
	struct MHD_Response *r;
	MHD_RESULT ret;
	char v[32];

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	snprintf(v, sizeof(v), "%d", BC_FEED_PROTOCOL);
	MHD_add_response_header(r, BCSYNC_PROTOCOL_HEADER, v);
	pthread_mutex_lock(&b->lock);
	snprintf(v, sizeof(v), "%lld", b->seq);
	pthread_mutex_unlock(&b->lock);
	MHD_add_response_header(r, BCSYNC_SEQ_HEADER, v);
	add_time(r);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* 401: no body and no header about the feed (position, clock). */
static MHD_RESULT
unauthorized(struct MHD_Connection *c)
{
	struct MHD_Response *r;
	MHD_RESULT ret;

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "WWW-Authenticate",
	    "Bearer realm=\"bcsync\"");
	ret = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
	MHD_destroy_response(r);
	return ret;
}

static MHD_RESULT
reply_text(struct MHD_Connection *c, unsigned code, struct bcsync *b,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static MHD_RESULT
reply_text(struct MHD_Connection *c, unsigned code, struct bcsync *b,
    const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MHD_NO;
	return reply(c, code, "text/plain; charset=utf-8", msg, (size_t)n, b);
}

/*
 * The HTTP status of a failed request: an invalid value is the client's
 * fault only in a document it sent (payload); one in this site's store
 * (a field no XML can carry, written around the library) is the
 * server's.
 */
static unsigned
status_of(int bc, int payload)
{
	switch (bc) {
	case BC_EINVAL:
		return payload ? MHD_HTTP_BAD_REQUEST :
		    MHD_HTTP_INTERNAL_SERVER_ERROR;
	case BC_ERULE:
		return MHD_HTTP_CONFLICT;
	case BC_EBUSY:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static int
open_store(struct bcsync *b, bc_store **s, struct bc_err *err)
{
	return bc_store_open(s, b->store, BC_OPEN_NO_CHECKPOINT,
	    b->conf.busy_timeout, err);
}

static long long
arg_ll(struct MHD_Connection *c, const char *name, long long def)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    name);
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	return *end != '\0' || errno != 0 ? -2 : n;
}

/* A document written by fn into memory, sent as application/xml. */
static MHD_RESULT
changes(struct MHD_Connection *c, struct bcsync *b)
{
	struct bc_err err;
	bc_store *s = NULL;
	FILE *f;
	char *buf = NULL, *peer;
	size_t len = 0, count = 0;
	long long after, wait, limit, last = 0, deadline, seen, seq = 0;
	long long grace, applied;
	int rc;

	after = arg_ll(c, "after", 0);
	/* what the peer applied of ours: after, unless it fetches ahead */
	applied = arg_ll(c, "applied", after);
	wait = arg_ll(c, "wait", 0);
	pthread_mutex_lock(&b->lock);
	limit = arg_ll(c, "limit", b->conf.sync_batch);
	peer = b->conf.peer_name != NULL ? strdup(b->conf.peer_name) : NULL;
	pthread_mutex_unlock(&b->lock);
	if (after < 0 || wait < 0 || limit < 0 || applied < 0 ||
	    applied > after) {
		free(peer);
		return reply_text(c, MHD_HTTP_BAD_REQUEST, b, "after, wait, "
		    "limit and applied must be numbers, applied not above "
		    "after\n");
	}
	if (wait > BCSYNC_WAIT_MAX)
		wait = BCSYNC_WAIT_MAX;
	if (open_store(b, &s, &err) != BC_OK)
		goto fail;
	/*
	 * Asking after SEQ says the peer applied ours up to SEQ (or up to
	 * applied=, when it asks ahead of applying).  The watcher writes it
	 * to the store, at most every few seconds: a write here, on every
	 * request, would take the store's write lock (and an fsync) just
	 * when this site's next change commits.  Only purging waits for
	 * the stored value, so late is safe.
	 */
	pthread_mutex_lock(&b->lock);
	if (applied > b->stats.acked || b->stats.acked_at == 0) {
		if (applied > b->stats.acked)
			b->stats.acked = applied;
		b->stats.acked_at = (long long)time(NULL);
		b->stats.ack_pending = 1;
	}
	pthread_mutex_unlock(&b->lock);
	deadline = daemon_mono_ms() + wait * 1000;
	grace = daemon_mono_ms() + EMPTY_GRACE_MS;
	seen = after;
	for (;;) {
		if (wait > 0)
			seq = watch_wait(b, seen, deadline - daemon_mono_ms());
		if ((f = open_memstream(&buf, &len)) == NULL) {
			bc_err_set(&err, BC_ENOMEM, "out of memory");
			goto fail;
		}
		rc = bc_feed_write_changes(s, f, after, peer, (size_t)limit,
		    &last, &count, &err);
		fclose(f);
		/*
		 * Only the peer's own changes (it applied ours and they took
		 * positions here): wait for a real one rather than wake it
		 * with an empty document at once; the empty one still goes
		 * within EMPTY_GRACE_MS, since it moves the peer's position.
		 * Not sooner: the peer records each in a transaction, and
		 * ten a second collided with its own site's writers (which
		 * then slept in SQLite's busy handler, about 100 ms: the
		 * slowest one in a hundred replicated changes).
		 */
		if (rc != BC_OK || count > 0 || wait == 0 || b->stop ||
		    last < seq || last == after || daemon_mono_ms() >= grace)
			break;
		free(buf);
		buf = NULL;
		seen = last;
		if (deadline > grace)
			deadline = grace;
	}
	if (rc == BC_ENOENT) {
		free(buf);
		bc_store_close(s);
		free(peer);
		return reply_text(c, MHD_HTTP_GONE, b, "%s\n", err.msg);
	}
	if (rc != BC_OK) {
		free(buf);
		goto fail;
	}
	bc_store_close(s);
	free(peer);
	pthread_mutex_lock(&b->lock);
	b->stats.sent_seq = last;
	pthread_mutex_unlock(&b->lock);
	if (count > 0)
		log_debug("sent %zu changes after %lld up to %lld", count,
		    after, last);
	return reply(c, MHD_HTTP_OK, "application/xml", buf, len, b);
fail:
	bc_store_close(s);
	free(peer);
	log_warnx("changes: %s", err.msg);
	return reply_text(c, status_of(err.status, 0), b, "%s\n", err.msg);
}

static MHD_RESULT
snapshot(struct MHD_Connection *c, struct bcsync *b)
{
	struct MHD_Response *r;
	struct bc_err err;
	bc_store *s = NULL;
	FILE *f = NULL;
	long long seq;
	size_t count;
	MHD_RESULT ret;
	char v[32], *peer;
	off_t size;
	int fd, rc;

	/* a file, not memory: a snapshot is the size of the store */
	if ((f = tmpfile()) == NULL) {
		log_warn("snapshot: tmpfile");
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, b,
		    "cannot write snapshot\n");
	}
	pthread_mutex_lock(&b->lock);
	peer = b->conf.peer_name != NULL ? strdup(b->conf.peer_name) : NULL;
	pthread_mutex_unlock(&b->lock);
	/* with how far we applied the peer's feed, in the same read */
	rc = open_store(b, &s, &err);
	if (rc == BC_OK)
		rc = bc_feed_write_snapshot(s, f, peer, &seq, &count, &err);
	free(peer);
	if (rc != BC_OK) {
		bc_store_close(s);
		fclose(f);
		log_warnx("snapshot: %s", err.msg);
		return reply_text(c, status_of(err.status, 0), b, "%s\n",
		    err.msg);
	}
	bc_store_close(s);
	size = ftello(f);
	if ((fd = dup(fileno(f))) == -1) {
		fclose(f);
		return MHD_NO;
	}
	fclose(f);
	log_info("snapshot of %zu objects at position %lld sent", count, seq);
	if ((r = MHD_create_response_from_fd_at_offset64(size, fd, 0)) ==
	    NULL) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/xml");
	snprintf(v, sizeof(v), "%d", BC_FEED_PROTOCOL);
	MHD_add_response_header(r, BCSYNC_PROTOCOL_HEADER, v);
	snprintf(v, sizeof(v), "%lld", seq);
	MHD_add_response_header(r, BCSYNC_SEQ_HEADER, v);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static MHD_RESULT
json_reply(struct MHD_Connection *c, struct bcsync *b, json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	size_t n;

	json_decref(j);
	if (s == NULL)
		return MHD_NO;
	n = strlen(s);
	/* a final newline, for the terminal */
	s = realloc(s, n + 2);
	if (s == NULL)
		return MHD_NO;
	s[n] = '\n';
	s[n + 1] = '\0';
	return reply(c, MHD_HTTP_OK, "application/json", s, n + 1, b);
}

static MHD_RESULT
digest(struct MHD_Connection *c, struct bcsync *b)
{
	struct bc_feed_digest d[BC_FEED_KINDS];
	struct bc_err err;
	bc_store *s = NULL;
	json_t *j, *kinds, *k, *buckets;
	long long seq;
	size_t i, n;

	if (open_store(b, &s, &err) != BC_OK ||
	    bc_feed_digest(s, d, &seq, &err) != BC_OK) {
		bc_store_close(s);
		return reply_text(c, status_of(err.status, 0), b, "%s\n",
		    err.msg);
	}
	bc_store_close(s);
	kinds = json_object();
	for (i = 0; i < BC_FEED_KINDS; i++) {
		buckets = json_array();
		for (n = 0; n < BC_FEED_BUCKETS; n++)
			json_array_append_new(buckets,
			    json_string(d[i].bucket[n]));
		k = json_pack("{s:I, s:s, s:o}", "count",
		    (json_int_t)d[i].count, "digest", d[i].digest, "buckets",
		    buckets);
		json_object_set_new(kinds, d[i].kind, k);
	}
	pthread_mutex_lock(&b->lock);
	j = json_pack("{s:i, s:s?, s:I, s:o}", "protocol", BC_FEED_PROTOCOL,
	    "site", b->conf.site_name, "seq", (json_int_t)seq, "kinds", kinds);
	pthread_mutex_unlock(&b->lock);
	return json_reply(c, b, j);
}

/* The state read from the store, and the daemon's own counters. */
static int
state(struct bcsync *b, struct bc_feed_state *st, struct bcsync_stats *sx,
    char **peer, struct bc_err *err)
{
	bc_store *s = NULL;
	int rc;

	pthread_mutex_lock(&b->lock);
	*sx = b->stats;
	*peer = b->conf.peer_name != NULL ? strdup(b->conf.peer_name) : NULL;
	pthread_mutex_unlock(&b->lock);
	if ((rc = open_store(b, &s, err)) == BC_OK)
		rc = bc_feed_state_get(s, *peer, st, err);
	/* an acknowledgement the watcher has not stored yet */
	if (rc == BC_OK && *peer != NULL && sx->acked > st->acked &&
	    (rc = bc_feed_pending(s, st, sx->acked, err)) == BC_OK)
		st->acked_at = sx->acked_at;
	bc_store_close(s);
	return rc;
}

static MHD_RESULT
status(struct MHD_Connection *c, struct bcsync *b)
{
	struct bc_feed_state st;
	struct bcsync_stats sx;
	struct bc_err err;
	char *peer = NULL;
	json_t *j;

	if (state(b, &st, &sx, &peer, &err) != BC_OK) {
		free(peer);
		return reply_text(c, status_of(err.status, 0), b, "%s\n",
		    err.msg);
	}
	j = json_pack("{s:i, s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "protocol", BC_FEED_PROTOCOL, "site", st.site, "peer", peer,
	    "seq", (json_int_t)st.seq, "floor", (json_int_t)st.floor,
	    "applied", (json_int_t)st.applied,
	    "applied_at", (json_int_t)st.applied_at,
	    "acked", (json_int_t)st.acked,
	    "acked_at", (json_int_t)st.acked_at,
	    "pending", (json_int_t)st.pending,
	    "peer_up", sx.peer_up,
	    "peer_seq", (json_int_t)sx.peer_seq,
	    "lag_changes", (json_int_t)(sx.peer_seq > st.applied ?
	    sx.peer_seq - st.applied : 0),
	    "lag_ms", (json_int_t)sx.lag_ms,
	    "skew_ms", (json_int_t)sx.skew_ms,
	    "conflicts", (json_int_t)st.conflicts,
	    "applied_objects", (json_int_t)sx.applied,
	    "hlc", (json_int_t)st.hlc);
	bc_feed_state_clear(&st);
	free(peer);
	return json_reply(c, b, j);
}

static MHD_RESULT
metrics(struct MHD_Connection *c, struct bcsync *b)
{
	struct bc_feed_state st;
	struct bcsync_stats sx;
	struct bc_err err;
	char *peer = NULL, *out = NULL;
	int n;

	if (state(b, &st, &sx, &peer, &err) != BC_OK) {
		free(peer);
		return reply_text(c, status_of(err.status, 0), b, "%s\n",
		    err.msg);
	}
	n = asprintf(&out,
	    "# HELP bcsync_seq Last feed position of this site.\n"
	    "# TYPE bcsync_seq gauge\nbcsync_seq %lld\n"
	    "# HELP bcsync_sent_seq Last position sent to the peer.\n"
	    "# TYPE bcsync_sent_seq gauge\nbcsync_sent_seq %lld\n"
	    "# HELP bcsync_acked_seq Position of ours the peer applied.\n"
	    "# TYPE bcsync_acked_seq gauge\nbcsync_acked_seq %lld\n"
	    "# HELP bcsync_applied_seq Position of the peer's feed applied "
	    "here.\n"
	    "# TYPE bcsync_applied_seq gauge\nbcsync_applied_seq %lld\n"
	    "# HELP bcsync_lag_changes Peer positions not applied here yet.\n"
	    "# TYPE bcsync_lag_changes gauge\nbcsync_lag_changes %lld\n"
	    "# HELP bcsync_lag_seconds Age of the oldest peer change not "
	    "applied here.\n"
	    "# TYPE bcsync_lag_seconds gauge\nbcsync_lag_seconds %.3f\n"
	    "# HELP bcsync_applied_total Objects changed here by the peer.\n"
	    "# TYPE bcsync_applied_total counter\nbcsync_applied_total %lu\n"
	    "# HELP bcsync_conflicts_total Conflicts met applying the peer's "
	    "changes.\n"
	    "# TYPE bcsync_conflicts_total counter\n"
	    "bcsync_conflicts_total %lu\n"
	    "# HELP bcsync_conflicts_open Conflicts not resolved.\n"
	    "# TYPE bcsync_conflicts_open gauge\nbcsync_conflicts_open %lld\n"
	    "# HELP bcsync_snapshots_total Bootstraps from the peer's "
	    "snapshot.\n"
	    "# TYPE bcsync_snapshots_total counter\n"
	    "bcsync_snapshots_total %lu\n"
	    "# HELP bcsync_refused_total Peer documents refused whole.\n"
	    "# TYPE bcsync_refused_total counter\nbcsync_refused_total %lu\n"
	    "# HELP bcsync_unauthorized_total Requests refused with 401.\n"
	    "# TYPE bcsync_unauthorized_total counter\n"
	    "bcsync_unauthorized_total %lu\n"
	    "# HELP bcsync_peer_up 1 when the peer answered the last "
	    "request.\n"
	    "# TYPE bcsync_peer_up gauge\nbcsync_peer_up %d\n"
	    "# HELP bcsync_hlc_skew_seconds Peer clock minus this site's, "
	    "last seen.\n"
	    "# TYPE bcsync_hlc_skew_seconds gauge\n"
	    "bcsync_hlc_skew_seconds %.3f\n",
	    st.seq, sx.sent_seq, st.acked, st.applied,
	    sx.peer_seq > st.applied ? sx.peer_seq - st.applied : 0,
	    sx.lag_ms / 1000.0, sx.applied, sx.conflicts, st.conflicts,
	    sx.snapshots, sx.refused, sx.unauthorized, sx.peer_up,
	    sx.skew_ms / 1000.0);
	bc_feed_state_clear(&st);
	free(peer);
	if (n < 0)
		return MHD_NO;
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", out,
	    (size_t)n, b);
}

/* POST /v1/changes: a document pushed by 'bcadm sync' at the peer. */
static MHD_RESULT
push(struct MHD_Connection *c, struct bcsync *b, struct request *rq)
{
	struct bc_feed_result res;
	struct bc_err err;
	bc_store *s = NULL;
	char *peer;
	unsigned flags = arg_ll(c, "force", 0) == 1 ? BC_FEED_FORCE : 0;
	int rc;

	pthread_mutex_lock(&b->lock);
	peer = b->conf.peer_name != NULL ? strdup(b->conf.peer_name) : NULL;
	pthread_mutex_unlock(&b->lock);
	if (peer == NULL)
		return reply_text(c, MHD_HTTP_CONFLICT, b, "no [peer] name in "
		    "%s\n", b->conf_path);
	if ((rc = open_store(b, &s, &err)) == BC_OK)
		rc = bc_feed_apply(s, peer, rq->body != NULL ? rq->body : "",
		    rq->len, flags, &res, &err);
	bc_store_close(s);
	free(peer);
	if (rc != BC_OK) {
		pthread_mutex_lock(&b->lock);
		b->stats.refused++;
		pthread_mutex_unlock(&b->lock);
		log_warnx("pushed document refused: %s", err.msg);
		return reply_text(c, status_of(rc, 1), b, "%s\n", err.msg);
	}
	log_info("pushed document: %zu objects, %zu applied, %zu conflicts",
	    res.objects, res.applied, res.conflicts);
	return reply_text(c, MHD_HTTP_OK, b, "%zu applied\n", res.applied);
}

/* With [sync] tls_client_ca: a client certificate signed by it. */
static int
client_cert_ok(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	gnutls_session_t tls;
	unsigned int list, verdict = 0;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || (tls = ci->tls_session) == NULL)
		return 0;
	if (gnutls_certificate_get_peers(tls, &list) == NULL || list == 0)
		return 0;
	return gnutls_certificate_verify_peers2(tls, &verdict) == 0 &&
	    verdict == 0;
}

static MHD_RESULT
handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct bcsync *b = cls;
	struct request *rq = *con_cls;
	const char *auth, *proto;
	int post = strcmp(method, "POST") == 0, ok, need_cert;
	size_t max;

	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		*con_cls = rq;
		/* the headers are all here: a body of a request without
		 * the token is never kept */
		auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_AUTHORIZATION);
		pthread_mutex_lock(&b->lock);	/* SIGHUP may replace them */
		ok = auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
		    token_ok(b->token, auth + 7);
		need_cert = b->conf.sync_tls_client_ca != NULL;
		pthread_mutex_unlock(&b->lock);
		rq->authorized = ok && (!need_cert || client_cert_ok(c));
		return MHD_YES;
	}
	if (*upload_size > 0) {
		pthread_mutex_lock(&b->lock);
		max = (size_t)b->conf.sync_max_body;
		pthread_mutex_unlock(&b->lock);
		if (!rq->authorized)
			;	/* dropped */
		else if (!rq->too_big && rq->len + *upload_size <= max) {
			char *nb = realloc(rq->body, rq->len + *upload_size +
			    1);

			if (nb == NULL)
				return MHD_NO;
			rq->body = nb;
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
			rq->body[rq->len] = '\0';
		} else
			rq->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&b->lock);
	b->stats.requests++;
	if (!rq->authorized)
		b->stats.unauthorized++;
	pthread_mutex_unlock(&b->lock);
	if (!rq->authorized) {
		log_info("%s %s: unauthorized", method, url);
		return unauthorized(c);
	}
	proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    BCSYNC_PROTOCOL_HEADER);
	if (proto != NULL && atoi(proto) != BC_FEED_PROTOCOL) {
		log_warnx("%s %s: the peer speaks feed protocol %s, this side "
		    "%d: refused", method, url, proto, BC_FEED_PROTOCOL);
		return reply_text(c, MHD_HTTP_BAD_REQUEST, b, "protocol %s not "
		    "supported, this side speaks %d\n", proto,
		    BC_FEED_PROTOCOL);
	}
	if (rq->too_big)
		return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE, b,
		    "document larger than [sync] max_body\n");
	if (strcmp(url, "/v1/changes") == 0 && post)
		return push(c, b, rq);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, b,
		    "method not allowed\n");
	if (strcmp(url, "/v1/changes") == 0)
		return changes(c, b);
	if (strcmp(url, "/v1/snapshot") == 0)
		return snapshot(c, b);
	if (strcmp(url, "/v1/digest") == 0)
		return digest(c, b);
	if (strcmp(url, "/v1/status") == 0)
		return status(c, b);
	if (strcmp(url, "/metrics") == 0)
		return metrics(c, b);
	return reply_text(c, MHD_HTTP_NOT_FOUND, b, "no such resource\n");
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq != NULL) {
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

static char *
slurp(const char *path, struct bc_err *err)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if ((f = fopen(path, "r")) == NULL) {
		bc_err_set(err, BC_ECONFIG, "cannot read %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *nb = realloc(buf, len + n + 1);

		if (nb == NULL || len + n > 1024 * 1024) {
			free(nb != NULL ? nb : buf);
			fclose(f);
			bc_err_set(err, BC_ECONFIG, "%s: too large", path);
			return NULL;
		}
		buf = nb;
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	}
	fclose(f);
	if (buf == NULL)
		bc_err_set(err, BC_ECONFIG, "%s is empty", path);
	return buf;
}

/* "127.0.0.1:8443", "[::1]:8443" */
static int
parse_listen(const char *v, struct sockaddr_storage *ss, int *v6,
    struct bc_err *err)
{
	struct addrinfo hints, *ai;
	char host[256];
	const char *port, *close;
	int rc;

	if (*v == '[') {
		if ((close = strchr(v, ']')) == NULL || close[1] != ':')
			return bc_err_set(err, BC_ECONFIG, "[sync] listen '%s': "
			    "expected [ADDRESS]:PORT", v);
		snprintf(host, sizeof(host), "%.*s", (int)(close - v - 1),
		    v + 1);
		port = close + 2;
	} else {
		if ((port = strrchr(v, ':')) == NULL)
			return bc_err_set(err, BC_ECONFIG, "[sync] listen '%s': "
			    "expected ADDRESS:PORT", v);
		snprintf(host, sizeof(host), "%.*s", (int)(port - v), v);
		port++;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		return bc_err_set(err, BC_ECONFIG, "[sync] listen '%s': %s", v,
		    gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*v6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);
	return BC_OK;
}

int
server_start(struct bcsync *b, struct bc_err *err)
{
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD;
	char *cert = NULL, *key = NULL, *ca = NULL;
	int v6 = 0, rc;

	if (b->conf.sync_listen == NULL)
		return bc_err_set(err, BC_ECONFIG, "%s: no [sync] listen",
		    b->conf_path);
	if ((rc = parse_listen(b->conf.sync_listen, &ss, &v6, err)))
		return rc;
	if (v6)
		flags |= MHD_USE_IPv6;
	if ((b->conf.sync_tls_cert == NULL) != (b->conf.sync_tls_key == NULL))
		return bc_err_set(err, BC_ECONFIG, "%s: [sync] tls_cert and "
		    "tls_key go together", b->conf_path);
	if (b->conf.sync_tls_cert != NULL) {
		if ((cert = slurp(b->conf.sync_tls_cert, err)) == NULL ||
		    (key = slurp(b->conf.sync_tls_key, err)) == NULL ||
		    (b->conf.sync_tls_client_ca != NULL &&
		    (ca = slurp(b->conf.sync_tls_client_ca, err)) == NULL)) {
			free(cert);
			free(key);
			return err->status;
		}
		flags |= MHD_USE_TLS;
	}
	d = MHD_start_daemon(flags, 0, NULL, NULL, handler, b,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, b,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(BCSYNC_WAIT_MAX + 30),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	    MHD_OPTION_HTTPS_MEM_KEY, key,
	    ca != NULL ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, ca,
	    MHD_OPTION_END);
	free(cert);
	free(key);
	free(ca);
	if (d == NULL)
		return bc_err_set(err, BC_EIO, "cannot listen on %s (in use, "
		    "or a bad certificate or key)", b->conf.sync_listen);
	b->server = d;
	log_info("serving the feed of %s on %s://%s", b->store,
	    b->conf.sync_tls_cert != NULL ? "https" : "http",
	    b->conf.sync_listen);
	return BC_OK;
}

void
server_stop(struct bcsync *b)
{
	if (b->server != NULL) {
		watch_wake(b);	/* long polls return */
		MHD_stop_daemon(b->server);
		b->server = NULL;
	}
}
