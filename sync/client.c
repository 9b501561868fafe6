/*
 * client.c -- pulls the peer's feed with libcurl and applies it here.
 *
 * One long poll at a time: GET /v1/changes?after=APPLIED&wait=... where
 * APPLIED is the position this store recorded in the transaction of the
 * last document applied, so a restart resumes exactly there.  A 410
 * (our position was purged at the peer) bootstraps from /v1/snapshot.
 * A peer that does not answer is retried every [sync] retry ms.  After
 * a document changed something, the [sync] hook runs.
 *
 * While a "changes" document is applied and the peer has more, the next
 * one is fetched ahead by a second thread with its own curl handle
 * (after= the c:seq of the document being applied, applied= the
 * position this store has committed, so the peer does not take as
 * applied what is not yet).
 * It is used only when its c:after equals the position this store
 * recorded once the apply transaction ended; anything else (the apply
 * was refused, a 410, an error, another peer) is discarded and the next
 * document is asked for again as above: exactly once still.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "bc-feed.h"
#include "bc-sync.h"
#include "bcsync.h"
#include "daemon.h"

#define POLL_WAIT	25	/* seconds the peer may hold a poll */

struct body {
	char	*buf;
	size_t	 len;
	size_t	 max;
	int	 too_big;
	long	 protocol;	/* the X-Bcsync-Protocol header, -1: none */
	long long seq;		/* X-Bcsync-Seq */
	long long time_ms;	/* X-Bcsync-Time: the peer's clock */
	struct bcsync *b;	/* stop aborts the transfer */
};

/* A copy of what the request needs, taken under the lock. */
struct peer {
	char	*name;
	char	*url;
	char	*token;
	char	*ca, *cert, *key;
	char	*hook;
	char	*self;
	long	 batch;
	long	 retry;
	size_t	 max;
};

static void
peer_clear(struct peer *p)
{
	free(p->name);
	free(p->url);
	free(p->token);
	free(p->ca);
	free(p->cert);
	free(p->key);
	free(p->hook);
	free(p->self);
	memset(p, 0, sizeof(*p));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
peer_get(struct bcsync *b, struct peer *p)
{
	pthread_mutex_lock(&b->lock);
	p->name = dup_or_null(b->conf.peer_name);
	p->url = dup_or_null(b->conf.peer_url);
	p->token = dup_or_null(b->peer_token);
	p->ca = dup_or_null(b->conf.peer_tls_ca);
	p->cert = dup_or_null(b->conf.peer_tls_cert);
	p->key = dup_or_null(b->conf.peer_tls_key);
	p->hook = dup_or_null(b->conf.sync_hook);
	p->self = dup_or_null(b->conf.site_name);
	p->batch = b->conf.sync_batch;
	p->retry = b->conf.sync_retry;
	p->max = (size_t)b->conf.sync_max_body;
	pthread_mutex_unlock(&b->lock);
}

static size_t
on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct body *bd = arg;
	size_t len = size * n;
	char *nb;

	if (bd->len + len > bd->max) {
		bd->too_big = 1;
		return 0;	/* aborts the transfer */
	}
	if ((nb = realloc(bd->buf, bd->len + len + 1)) == NULL)
		return 0;
	bd->buf = nb;
	memcpy(bd->buf + bd->len, ptr, len);
	bd->len += len;
	bd->buf[bd->len] = '\0';
	return len;
}

static size_t
on_header(char *ptr, size_t size, size_t n, void *arg)
{
	struct body *bd = arg;
	size_t len = size * n;
	size_t hl;

	hl = strlen(BCSYNC_PROTOCOL_HEADER);
	if (len > hl + 1 && strncasecmp(ptr, BCSYNC_PROTOCOL_HEADER, hl) == 0 &&
	    ptr[hl] == ':')
		bd->protocol = strtol(ptr + hl + 1, NULL, 10);
	hl = strlen(BCSYNC_SEQ_HEADER);
	if (len > hl + 1 && strncasecmp(ptr, BCSYNC_SEQ_HEADER, hl) == 0 &&
	    ptr[hl] == ':')
		bd->seq = strtoll(ptr + hl + 1, NULL, 10);
	hl = strlen(BCSYNC_TIME_HEADER);
	if (len > hl + 1 && strncasecmp(ptr, BCSYNC_TIME_HEADER, hl) == 0 &&
	    ptr[hl] == ':')
		bd->time_ms = strtoll(ptr + hl + 1, NULL, 10);
	return len;
}

static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct body *bd = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return bd->b->stop ? 1 : 0;
}

/*
 * GET url+path into bd; returns the HTTP status, or 0 when the peer
 * could not be reached (why gets curl's reason).
 */
static long
get(struct bcsync *b, CURL *h, const struct peer *p, const char *path,
    long timeout, struct body *bd, char *why, size_t whylen)
{
	struct curl_slist *hdr = NULL;
	char url[2048], line[1024];
	long code = 0;
	CURLcode rc;

	memset(bd, 0, sizeof(*bd));
	bd->max = p->max;
	bd->protocol = -1;
	bd->b = b;
	snprintf(url, sizeof(url), "%s%s", p->url, path);
	snprintf(line, sizeof(line), "Authorization: Bearer %s",
	    p->token != NULL ? p->token : "");
	hdr = curl_slist_append(hdr, line);
	snprintf(line, sizeof(line), "%s: %d", BCSYNC_PROTOCOL_HEADER,
	    BC_FEED_PROTOCOL);
	hdr = curl_slist_append(hdr, line);
	snprintf(line, sizeof(line), "%s: %s", BCSYNC_SITE_HEADER,
	    p->self != NULL ? p->self : "");
	hdr = curl_slist_append(hdr, line);
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, bd);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, bd);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, bd);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (p->ca != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, p->ca);
	if (p->cert != NULL)
		curl_easy_setopt(h, CURLOPT_SSLCERT, p->cert);
	if (p->key != NULL)
		curl_easy_setopt(h, CURLOPT_SSLKEY, p->key);
	rc = curl_easy_perform(h);
	curl_slist_free_all(hdr);
	if (rc != CURLE_OK) {
		snprintf(why, whylen, "%s", bd->too_big ? "document larger "
		    "than [sync] max_body" : curl_easy_strerror(rc));
		return bd->too_big ? -1 : 0;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

/*
 * The next document fetched ahead while one is applied (see above).
 * The thread owns h and bd until prefetch_join().
 */
struct prefetch {
	pthread_t	 thread;
	int		 running;	/* the thread was started */
	int		 ready;		/* code, bd and why hold its result */
	struct bcsync	*b;
	CURL		*h;
	const struct peer *p;		/* borrowed until joined */
	char		*url, *name;	/* of the peer it asked */
	long long	 after;		/* the position it asked after */
	char		 path[256];
	long		 code;
	struct body	 bd;
	bc_feed_doc	*doc;		/* bd read, when it could be */
	char		 why[CURL_ERROR_SIZE + 64];
	pthread_t	 reaper;	/* frees an applied document */
	int		 reaping;	/* reaper was started */
};

/*
 * Fetches the next document and reads it too (XML into objects: about a
 * fifth of applying one), on this thread while the other applies.  A
 * document it cannot read is read again by the apply, which says why.
 */
static void *
prefetch_main(void *arg)
{
	struct prefetch *pf = arg;
	struct bc_err err;

	pf->code = get(pf->b, pf->h, pf->p, pf->path, POLL_WAIT + 10,
	    &pf->bd, pf->why, sizeof(pf->why));
	if (pf->code == 200 && pf->bd.protocol == BC_FEED_PROTOCOL &&
	    pf->bd.buf != NULL &&
	    bc_feed_read(pf->name, pf->bd.buf, pf->bd.len, &pf->doc,
	    &err) != BC_OK)
		pf->doc = NULL;
	return NULL;
}

static void *
reap_main(void *arg)
{
	bc_feed_doc_free(arg);
	return NULL;
}

static void
reap_join(struct prefetch *pf)
{
	if (!pf->reaping)
		return;
	pthread_join(pf->reaper, NULL);
	pf->reaping = 0;
}

/*
 * Frees an applied document on a thread of its own: 20 000 objects'
 * worth of small allocations, a twentieth of applying them, which this
 * thread would spend before it applies the next (the previous reaper
 * ended long ago: it is joined first).
 */
static void
reap(struct prefetch *pf, bc_feed_doc *doc)
{
	if (doc == NULL)
		return;
	reap_join(pf);
	if (pthread_create(&pf->reaper, NULL, reap_main, doc) != 0) {
		bc_feed_doc_free(doc);
		return;
	}
	pf->reaping = 1;
}

static void
prefetch_drop(struct prefetch *pf)
{
	free(pf->bd.buf);
	free(pf->url);
	free(pf->name);
	bc_feed_doc_free(pf->doc);
	pf->doc = NULL;
	pf->bd.buf = pf->url = pf->name = NULL;
	pf->ready = 0;
}

/*
 * Asks for the changes after 'after' in the background; applied is the
 * position this store committed (the peer takes it as acknowledged).
 */
static void
prefetch_start(struct bcsync *b, struct prefetch *pf, const struct peer *p,
    long long after, long long applied)
{
	int e;

	prefetch_drop(pf);
	if (pf->h == NULL && (pf->h = curl_easy_init()) == NULL)
		return;
	pf->b = b;
	pf->p = p;
	pf->after = after;
	pf->url = strdup(p->url);
	pf->name = strdup(p->name);
	if (pf->url == NULL || pf->name == NULL) {
		prefetch_drop(pf);
		return;
	}
	snprintf(pf->path, sizeof(pf->path), "/v1/changes?after=%lld&wait=%d&"
	    "limit=%ld&applied=%lld", after, POLL_WAIT, p->batch, applied);
	memset(&pf->bd, 0, sizeof(pf->bd));
	pf->code = 0;
	if ((e = pthread_create(&pf->thread, NULL, prefetch_main, pf)) != 0) {
		log_warnx("prefetch: %s", strerror(e));
		prefetch_drop(pf);
		return;
	}
	pf->running = 1;
}

static void
prefetch_join(struct prefetch *pf)
{
	if (!pf->running)
		return;
	pthread_join(pf->thread, NULL);
	pf->running = 0;
	pf->ready = 1;
}

/*
 * Takes the document fetched ahead into bd when it follows exactly what
 * this store applied (applied) from the same peer; returns 1 then.  Any
 * other is dropped.
 */
static int
prefetch_take(struct prefetch *pf, const struct peer *p, long long applied,
    struct body *bd, bc_feed_doc **doc)
{
	struct bc_err err;
	long long after, seq;
	int snapshot, ok;

	if (!pf->ready)
		return 0;
	ok = pf->code == 200 && pf->after == applied &&
	    strcmp(pf->url, p->url) == 0 && strcmp(pf->name, p->name) == 0 &&
	    pf->bd.protocol == BC_FEED_PROTOCOL && pf->bd.buf != NULL &&
	    bc_feed_peek(pf->bd.buf, pf->bd.len, &snapshot, &after, &seq,
	    &err) == BC_OK && !snapshot && after == applied;
	if (!ok) {
		log_debug("document fetched ahead after %lld dropped (this "
		    "store is at %lld)", pf->after, applied);
		prefetch_drop(pf);
		return 0;
	}
	*bd = pf->bd;
	pf->bd.buf = NULL;
	*doc = pf->doc;
	pf->doc = NULL;
	prefetch_drop(pf);
	log_debug("document fetched ahead after %lld taken", applied);
	return 1;
}

static void
run_hook(const char *hook)
{
	pid_t pid;

	if (hook == NULL)
		return;
	if ((pid = fork()) == -1) {
		log_warn("hook");
		return;
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", hook, (char *)NULL);
		_exit(127);
	}
	log_debug("hook started: %s (pid %ld)", hook, (long)pid);
}

static void
peer_state(struct bcsync *b, int up, const char *why)
{
	static int known;	/* the client thread's only: a first
				   failure is told too, not only a change */
	int was;

	pthread_mutex_lock(&b->lock);
	was = b->stats.peer_up;
	b->stats.peer_up = up;
	if (up)
		b->stats.peer_seen = daemon_wall_ms();
	pthread_mutex_unlock(&b->lock);
	if (up && !was)
		log_info("peer is up");
	else if (!up && (was || !known))
		log_warnx("peer is down: %s", why);
	known = 1;
}

/* Applies a document; returns 0, or -1 when it was refused. */
static int
apply(struct bcsync *b, bc_store *s, const struct peer *p,
    const struct body *bd, bc_feed_doc *doc)
{
	struct bc_feed_result res;
	struct bc_err err;

	if (bd->protocol != BC_FEED_PROTOCOL) {
		log_warnx("the peer speaks feed protocol %ld, this side %d: "
		    "nothing applied", bd->protocol, BC_FEED_PROTOCOL);
		pthread_mutex_lock(&b->lock);
		b->stats.refused++;
		pthread_mutex_unlock(&b->lock);
		return -1;
	}
	if ((doc != NULL ? bc_feed_apply_doc(s, p->name, doc, 0, &res, &err) :
	    bc_feed_apply(s, p->name, bd->buf != NULL ? bd->buf : "", bd->len,
	    0, &res, &err)) != BC_OK) {
		log_warnx("document from %s refused: %s", p->name, err.msg);
		pthread_mutex_lock(&b->lock);
		b->stats.refused++;
		pthread_mutex_unlock(&b->lock);
		return -1;
	}
	pthread_mutex_lock(&b->lock);
	b->stats.applied_seq = res.seq;
	b->stats.applied += res.applied + res.deleted;
	b->stats.conflicts += res.conflicts;
	if (bd->seq > b->stats.peer_seq)
		b->stats.peer_seq = bd->seq;
	if (res.seq < b->stats.peer_seq && res.max_hlc > 0)
		b->stats.lag_ms = daemon_wall_ms() - bc_hlc_millis(res.max_hlc);
	else
		b->stats.lag_ms = 0;
	if (bd->time_ms > 0)
		b->stats.skew_ms = bd->time_ms - daemon_wall_ms();
	if (res.snapshot)
		b->stats.snapshots++;
	pthread_mutex_unlock(&b->lock);
	if (res.applied + res.deleted > 0 || res.conflicts > 0)
		log_debug("applied %zu of %zu objects up to %lld (%zu "
		    "conflicts)", res.applied + res.deleted, res.objects,
		    res.seq, res.conflicts);
	if (res.conflicts > 0)
		log_warnx("%zu conflicts with %s recorded: see bcadm "
		    "conflicts", res.conflicts, p->name);
	if (res.applied + res.deleted > 0)
		run_hook(p->hook);
	return 0;
}

/*
 * One exchange with the peer; returns how long to pause after it.  A
 * document fetched ahead in pf is used when it follows what this store
 * applied; while a "changes" document is applied, the next is fetched
 * into pf.
 */
static long
exchange(struct bcsync *b, CURL *h, bc_store *s, const struct peer *p,
    struct prefetch *pf)
{
	struct bc_err err;
	struct body bd;
	bc_feed_doc *doc = NULL;	/* bd read ahead */
	char path[256], why[CURL_ERROR_SIZE + 64];
	long long applied, after, seq;
	long code, pause = 0;
	int snapshot;

	if (bc_feed_applied(s, p->name, &applied, &err) != BC_OK) {
		log_warnx("%s", err.msg);
		prefetch_drop(pf);
		return p->retry;
	}
	if (prefetch_take(pf, p, applied, &bd, &doc))
		code = 200;
	else {
		snprintf(path, sizeof(path), "/v1/changes?after=%lld&wait=%d&"
		    "limit=%ld", applied, POLL_WAIT, p->batch);
		code = get(b, h, p, path, POLL_WAIT + 10, &bd, why,
		    sizeof(why));
	}
	if (code == 0 && b->stop) {
		pause = 0;	/* our own abort */
	} else if (code == 0) {
		peer_state(b, 0, why);
		pause = p->retry;
	} else if (code == -1) {
		log_warnx("peer document refused: %s", why);
		pause = p->retry;
	} else if (code == 200) {
		peer_state(b, 1, NULL);
		/*
		 * The next document while this one is applied, when the
		 * peer has more (its X-Bcsync-Seq beyond this document):
		 * else the next request is a long poll, asked once this one
		 * is committed, which acknowledges it at once.
		 */
		if (!b->stop && bd.protocol == BC_FEED_PROTOCOL &&
		    bd.buf != NULL && bc_feed_peek(bd.buf, bd.len, &snapshot,
		    &after, &seq, &err) == BC_OK && !snapshot &&
		    after == applied && bd.seq > seq)
			prefetch_start(b, pf, p, seq, applied);
		if (apply(b, s, p, &bd, doc) != 0)
			pause = p->retry;
		prefetch_join(pf);
	} else if (code == 410) {
		peer_state(b, 1, NULL);
		log_info("our position in the feed of %s was purged there: "
		    "bootstrapping from its snapshot", p->name);
		free(bd.buf);
		code = get(b, h, p, "/v1/snapshot", 600, &bd, why, sizeof(why));
		if (code != 200) {
			log_warnx("snapshot from %s: %s", p->name, code == 0 ?
			    why : "refused");
			pause = p->retry;
		} else if (apply(b, s, p, &bd, NULL) != 0)
			pause = p->retry;
		else
			log_info("bootstrapped from the snapshot of %s",
			    p->name);
	} else {
		peer_state(b, 1, NULL);
		log_warnx("peer answered %ld: %.200s", code,
		    bd.buf != NULL ? bd.buf : "");
		pause = p->retry;
	}
	free(bd.buf);
	reap(pf, doc);
	return pause;
}

void
client_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void *
client_main(void *arg)
{
	struct bcsync *b = arg;
	struct bc_err err;
	struct prefetch pf;
	struct peer p;
	bc_store *s = NULL;
	CURL *h;
	long pause;

	memset(&pf, 0, sizeof(pf));

	if ((h = curl_easy_init()) == NULL) {
		log_warnx("client: cannot start libcurl");
		return NULL;
	}
	if (bc_store_open(&s, b->store, BC_OPEN_NO_CHECKPOINT,
	    b->conf.busy_timeout, &err) != BC_OK) {
		log_warnx("client: %s", err.msg);
		curl_easy_cleanup(h);
		return NULL;
	}
	while (!b->stop) {
		peer_get(b, &p);
		if (p.url == NULL || p.name == NULL) {
			peer_clear(&p);
			bcsync_pause(b, 1000);	/* single-site: serve only */
			continue;
		}
		pause = exchange(b, h, s, &p, &pf);
		peer_clear(&p);	/* pf no longer runs: it was joined */
		if (pause > 0)
			prefetch_drop(&pf);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;	/* hooks that ended */
		bcsync_pause(b, pause);
	}
	prefetch_drop(&pf);
	reap_join(&pf);
	if (pf.h != NULL)
		curl_easy_cleanup(pf.h);
	bc_store_close(s);
	curl_easy_cleanup(h);
	return NULL;
}
