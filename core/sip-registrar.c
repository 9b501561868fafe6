/*
 * sip-registrar.c -- the registrar of bcsipd (RFC 3261 section 10) and
 * the location service it fills: an in-memory directory of the store's
 * numbers with their bindings, re-read when the store changes, written
 * back in batches.
 *
 * The directory is a hash table of struct sip_dn, one per number.  A
 * number is registrable when an enabled extension DN with register flag
 * true or on-demand has it.  Bindings change in memory at once; changed
 * numbers go on a dirty list that bc_sip_server_flush() writes in one
 * transaction, every [sip] flush_interval, so the store does not limit
 * the REGISTER rate.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sip-internal.h"

static size_t
hash(const char *s)
{
	size_t h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void
dn_free(struct sip_dn *d)
{
	size_t i;

	for (i = 0; i < d->nb; i++)
		bc_binding_clear(&d->b[i]);
	free(d->b);
	free(d->number);
	free(d->password);
	free(d->cpp_contact);
	free(d);
}

struct sip_dn *
sip_dn_find(bc_sip_server *srv, const char *number)
{
	struct sip_dn *d;

	if (srv->tab == NULL)
		return NULL;
	for (d = srv->tab[hash(number) % srv->tabsize]; d != NULL;
	    d = d->next)
		if (strcmp(d->number, number) == 0)
			return d;
	return NULL;
}

/* Finds or adds the entry of number in table tab. */
static struct sip_dn *
tab_get(struct sip_dn **tab, size_t size, const char *number)
{
	struct sip_dn *d;
	size_t h = hash(number) % size;

	for (d = tab[h]; d != NULL; d = d->next)
		if (strcmp(d->number, number) == 0)
			return d;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->number = strdup(number)) == NULL) {
		free(d);
		return NULL;
	}
	d->next = tab[h];
	tab[h] = d;
	return d;
}

static void
mark_dirty(bc_sip_server *srv, struct sip_dn *d)
{
	if (d->dirty)
		return;
	d->dirty = 1;
	d->dirty_next = srv->dirty;
	srv->dirty = d;
}

struct load {
	struct sip_dn	**tab;
	size_t		  size;
	size_t		  count;
	int		  nomem;
};

static int
load_dn(const struct bc_dn *dn, void *arg)
{
	struct load *l = arg;
	struct sip_dn *d;

	if ((d = tab_get(l->tab, l->size, dn->number)) == NULL) {
		l->nomem = 1;
		return 1;
	}
	if (!d->known)
		l->count++;
	d->known = 1;
	if (dn->type == BC_DN_EXTENSION && dn->enabled &&
	    dn->reg != BC_REG_FALSE) {
		d->ext = 1;
		if (dn->password != NULL && *dn->password != '\0' &&
		    (d->password = strdup(dn->password)) == NULL) {
			l->nomem = 1;
			return 1;
		}
	}
	if (dn->type == BC_DN_CALL_PROCESSING_PORT && dn->enabled &&
	    dn->contact != NULL && d->cpp_contact == NULL &&
	    (d->cpp_contact = strdup(dn->contact)) == NULL) {
		l->nomem = 1;
		return 1;
	}
	return 0;
}

static void
tab_free(struct sip_dn **tab, size_t size)
{
	struct sip_dn *d, *n;
	size_t i;

	if (tab == NULL)
		return;
	for (i = 0; i < size; i++)
		for (d = tab[i]; d != NULL; d = n) {
			n = d->next;
			dn_free(d);
		}
	free(tab);
}

/*
 * Re-reads every DN into a new table.  Bindings of numbers that stay
 * registrable move over; the others are dropped and their rows deleted
 * at the next flush.
 */
static int
reload(bc_sip_server *srv, struct bc_err *err)
{
	struct bc_dn_filter f = { -1, NULL };
	struct load l;
	struct sip_dn *d, *nd;
	size_t i;
	int rc;

	memset(&l, 0, sizeof(l));
	l.size = 1024;
	while (l.size < srv->count * 2)
		l.size *= 2;
	if ((l.tab = calloc(l.size, sizeof(*l.tab))) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	rc = bc_dn_foreach(srv->store, &f, load_dn, &l, err);
	if (l.nomem)
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
	if (rc != BC_OK) {
		tab_free(l.tab, l.size);
		return rc;
	}
	/* carry bindings and pending writes over */
	srv->dirty = NULL;
	for (i = 0; srv->tab != NULL && i < srv->tabsize; i++)
		for (d = srv->tab[i]; d != NULL; d = d->next) {
			if (d->nb == 0 && !d->dirty)
				continue;
			if ((nd = tab_get(l.tab, l.size, d->number)) == NULL) {
				tab_free(l.tab, l.size);
				return bc_err_set(err, BC_ENOMEM,
				    "out of memory");
			}
			if (nd->ext) {
				nd->b = d->b;
				nd->nb = d->nb;
				d->b = NULL;
				d->nb = 0;
				if (d->dirty)
					mark_dirty(srv, nd);
			} else if (d->nb > 0 || d->dirty)
				mark_dirty(srv, nd);	/* delete its rows */
		}
	tab_free(srv->tab, srv->tabsize);
	srv->tab = l.tab;
	srv->tabsize = l.size;
	srv->count = l.count;
	srv->stats.reloads++;
	return BC_OK;
}

/* Adds binding b (copied) to d. */
static int
binding_add(struct sip_dn *d, const struct bc_binding *b)
{
	struct bc_binding *v, *n;

	if ((v = realloc(d->b, (d->nb + 1) * sizeof(*v))) == NULL)
		return -1;
	d->b = v;
	n = &v[d->nb];
	memset(n, 0, sizeof(*n));
	n->contact = strdup(b->contact);
	n->call_id = strdup(b->call_id);
	n->received = b->received != NULL ? strdup(b->received) : NULL;
	n->user_agent = b->user_agent != NULL ? strdup(b->user_agent) : NULL;
	if (n->contact == NULL || n->call_id == NULL ||
	    (b->received != NULL && n->received == NULL) ||
	    (b->user_agent != NULL && n->user_agent == NULL)) {
		bc_binding_clear(n);
		return -1;
	}
	n->expires_at = b->expires_at;
	n->cseq = b->cseq;
	n->q = b->q;
	n->updated_at = b->updated_at;
	d->nb++;
	return 0;
}

static void
binding_del(struct sip_dn *d, size_t i)
{
	bc_binding_clear(&d->b[i]);
	memmove(&d->b[i], &d->b[i + 1], (d->nb - i - 1) * sizeof(d->b[0]));
	d->nb--;
}

struct restore {
	bc_sip_server	*srv;
	int		 nomem;
};

static int
restore_one(const struct bc_binding *b, void *arg)
{
	struct restore *r = arg;
	struct sip_dn *d = sip_dn_find(r->srv, b->number);

	if (d == NULL || !d->ext) {
		if (d != NULL)
			mark_dirty(r->srv, d);
		return 0;	/* deleted while we were down */
	}
	if (d->nb >= (size_t)r->srv->conf.max_contacts)
		return 0;
	if (binding_add(d, b) != 0) {
		r->nomem = 1;
		return 1;
	}
	return 0;
}

/* Numbers of bindings whose DN is gone: delete them at the first flush. */
struct orphan {
	bc_sip_server	*srv;
	char		**v;
	size_t		  n;
};

static int
orphan_one(const struct bc_binding *b, void *arg)
{
	struct orphan *o = arg;
	char **v;

	if (sip_dn_find(o->srv, b->number) != NULL)
		return 0;
	if (o->n > 0 && strcmp(o->v[o->n - 1], b->number) == 0)
		return 0;
	if ((v = realloc(o->v, (o->n + 1) * sizeof(*v))) == NULL)
		return 1;
	o->v = v;
	if ((v[o->n] = strdup(b->number)) == NULL)
		return 1;
	o->n++;
	return 0;
}

static int
read_secret(unsigned char *out, size_t len, const char *path,
    struct bc_err *err)
{
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return bc_err_set(err, BC_ECONFIG, "cannot read nonce secret "
		    "'%s'", path);
	while (got < len && (n = read(fd, out + got, len - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (got == 0)
		return bc_err_set(err, BC_ECONFIG, "nonce secret '%s' is "
		    "empty", path);
	return BC_OK;
}

int
bc_sip_server_create(bc_sip_server **out, bc_store *store,
    const struct bc_sip_conf *conf, const char *site,
    const unsigned char *secret, size_t secretlen, long long now,
    struct bc_err *err)
{
	bc_sip_server *srv;
	struct restore r;
	struct orphan o;
	size_t i;
	int rc;

	*out = NULL;
	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->inv = calloc(SIP_INV_SLOTS, sizeof(*srv->inv))) == NULL ||
	    (srv->nc = calloc(SIP_NC_SETS, sizeof(*srv->nc))) == NULL) {
		if (srv != NULL)
			free(srv->inv);
		free(srv);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	srv->store = store;
	srv->conf = *conf;
	srv->conf.realm = NULL;
	srv->conf.nonce_secret_file = NULL;
	srv->realm = strdup(conf->realm != NULL ? conf->realm :
	    site != NULL ? site : "sipbc");
	if (srv->realm == NULL) {
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
		goto fail;
	}
	if (srv->conf.default_expires > srv->conf.max_expires)
		srv->conf.default_expires = srv->conf.max_expires;
	if (secret != NULL && secretlen > 0) {
		for (i = 0; i < SIP_SECRET_LEN; i++)
			srv->secret[i] = secret[i % secretlen];
	} else if (conf->nonce_secret_file != NULL) {
		if ((rc = read_secret(srv->secret, sizeof(srv->secret),
		    conf->nonce_secret_file, err)))
			goto fail;
	} else if ((rc = read_secret(srv->secret, sizeof(srv->secret),
	    "/dev/urandom", err)))
		goto fail;

	/* nonces of a restart never repeat those of the run before */
	{
		struct bc_err e;
		unsigned char b[4] = { 0, 0, 0, 0 };

		(void)read_secret(b, sizeof(b), "/dev/urandom", &e);
		srv->nonce_serial = (unsigned)b[0] << 24 |
		    (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
	}
	/*
	 * The nonce counts of a run before are unknown: its nonces (with
	 * a nonce_secret_file they would still verify) are stale here.
	 * The second of the start itself stays open, or the first
	 * challenges would loop.
	 */
	for (i = 0; i < SIP_NC_SETS; i++)
		srv->nc[i].floor = now - 1;
	if ((rc = bc_reg_writer(store, err)) ||
	    (rc = bc_store_data_version(store, &srv->data_version, err)) ||
	    (rc = reload(srv, err)))
		goto fail;
	/* bindings that outlived a restart */
	if ((rc = bc_reg_expire(store, now, NULL, err)))
		goto fail;
	r.srv = srv;
	r.nomem = 0;
	rc = bc_reg_foreach(store, NULL, now, restore_one, &r, err);
	if (r.nomem)
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
	if (rc != BC_OK)
		goto fail;
	memset(&o, 0, sizeof(o));
	o.srv = srv;
	rc = bc_reg_foreach(store, NULL, 0, orphan_one, &o, err);
	if (rc == 1)
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
	for (i = 0; rc == BC_OK && i < o.n; i++)
		rc = bc_reg_replace(store, o.v[i], NULL, 0, err);
	for (i = 0; i < o.n; i++)
		free(o.v[i]);
	free(o.v);
	if (rc != BC_OK || (rc = bc_sip_server_flush(srv, err)))
		goto fail;
	srv->last_expire = now;
	*out = srv;
	return BC_OK;
fail:
	srv->dirty = NULL;
	bc_sip_server_free(srv);
	return rc;
}

void
bc_sip_server_free(bc_sip_server *srv)
{
	struct bc_err e;

	if (srv == NULL)
		return;
	if (srv->dirty != NULL)
		(void)bc_sip_server_flush(srv, &e);
	tab_free(srv->tab, srv->tabsize);
	free(srv->inv);
	sip_forks_free(srv);
	free(srv->nc);
	free(srv->realm);
	free(srv);
}

int
bc_sip_server_reconf(bc_sip_server *srv, const struct bc_sip_conf *conf,
    const char *site, struct bc_err *err)
{
	char *realm;

	if (conf->nlisten == 0 || conf->min_expires > conf->max_expires)
		return bc_err_set(err, BC_ECONFIG, "[sip]: no listen address "
		    "or min_expires above max_expires");
	if ((realm = strdup(conf->realm != NULL ? conf->realm :
	    site != NULL ? site : "sipbc")) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	free(srv->realm);
	srv->realm = realm;
	srv->conf = *conf;
	srv->conf.realm = NULL;
	srv->conf.nonce_secret_file = NULL;
	if (srv->conf.default_expires > srv->conf.max_expires)
		srv->conf.default_expires = srv->conf.max_expires;
	return BC_OK;
}

const struct bc_sip_stats *
bc_sip_server_stats(const bc_sip_server *srv)
{
	return &srv->stats;
}

int
bc_sip_server_flush(bc_sip_server *srv, struct bc_err *err)
{
	struct sip_dn *d;
	int rc;

	if (srv->dirty == NULL)
		return BC_OK;
	if ((rc = bc_tx_begin(srv->store, err)))
		return rc;
	for (d = srv->dirty; d != NULL; d = d->dirty_next)
		if ((rc = bc_reg_replace(srv->store, d->number, d->b, d->nb,
		    err)))
			break;
	if ((rc = bc_tx_end(srv->store, rc, err)))
		return rc;	/* stays dirty: tried again next time */
	while ((d = srv->dirty) != NULL) {
		srv->dirty = d->dirty_next;
		d->dirty = 0;
		d->dirty_next = NULL;
	}
	srv->stats.flushes++;
	/* our own commits leave data_version alone: nothing to update */
	return BC_OK;
}

/* ---- batches for a writer on another connection ---- */

struct batch_num {
	char			*number;
	struct bc_binding	*b;
	size_t			 nb;
};

struct bc_sip_batch {
	struct batch_num	*v;
	size_t			 n;
	long long		 expire_at;	/* 0: no expiry to write */
};

void
bc_sip_server_defer_writes(bc_sip_server *srv)
{
	srv->deferred = 1;
}

void
bc_sip_batch_free(bc_sip_batch *b)
{
	size_t i, j;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < b->v[i].nb; j++)
			bc_binding_clear(&b->v[i].b[j]);
		free(b->v[i].b);
		free(b->v[i].number);
	}
	free(b->v);
	free(b);
}

size_t
bc_sip_batch_count(const bc_sip_batch *b)
{
	return b != NULL ? b->n : 0;
}

int
bc_sip_server_take_batch(bc_sip_server *srv, bc_sip_batch **out,
    struct bc_err *err)
{
	struct sip_dn *d;
	bc_sip_batch *b;
	size_t n = 0, i;

	*out = NULL;
	if (srv->dirty == NULL && srv->expire_pending == 0)
		return BC_OK;
	for (d = srv->dirty; d != NULL; d = d->dirty_next)
		n++;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (n > 0 && (b->v = calloc(n, sizeof(*b->v))) == NULL)) {
		free(b);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	for (d = srv->dirty; d != NULL; d = d->dirty_next) {
		struct batch_num *bn = &b->v[b->n++];
		struct sip_dn tmp;

		/* binding_add copies into a scratch entry */
		memset(&tmp, 0, sizeof(tmp));
		if ((bn->number = strdup(d->number)) == NULL)
			goto nomem;
		for (i = 0; i < d->nb; i++)
			if (binding_add(&tmp, &d->b[i]) != 0) {
				bn->b = tmp.b;
				bn->nb = tmp.nb;
				goto nomem;
			}
		bn->b = tmp.b;
		bn->nb = tmp.nb;
	}
	b->expire_at = srv->expire_pending;
	srv->expire_pending = 0;
	while ((d = srv->dirty) != NULL) {
		srv->dirty = d->dirty_next;
		d->dirty = 0;
		d->dirty_next = NULL;
	}
	srv->stats.flushes++;
	*out = b;
	return BC_OK;
nomem:
	bc_sip_batch_free(b);
	return bc_err_set(err, BC_ENOMEM, "out of memory");
}

int
bc_sip_batch_write(bc_store *s, const bc_sip_batch *b, struct bc_err *err)
{
	size_t i;
	int rc;

	if (b == NULL)
		return BC_OK;
	if ((rc = bc_tx_begin(s, err)))
		return rc;
	for (i = 0; i < b->n && rc == BC_OK; i++)
		rc = bc_reg_replace(s, b->v[i].number, b->v[i].b, b->v[i].nb,
		    err);
	if (rc == BC_OK && b->expire_at != 0)
		rc = bc_reg_expire(s, b->expire_at, NULL, err);
	return bc_tx_end(s, rc, err);
}

/* Drops expired bindings from memory (the store's go in tick). */
static void
expire(bc_sip_server *srv, long long now)
{
	struct sip_dn *d;
	size_t i, j;

	for (i = 0; i < srv->tabsize; i++)
		for (d = srv->tab[i]; d != NULL; d = d->next)
			for (j = d->nb; j > 0; j--)
				if (d->b[j - 1].expires_at <= now)
					binding_del(d, j - 1);
}

int
bc_sip_server_tick(bc_sip_server *srv, long long now, int force,
    struct bc_err *err)
{
	long long v;
	int rc;

	if (srv->deferred) {
		/* the caller watches the store and writes the batches */
		if (force && (rc = reload(srv, err)))
			return rc;
		if (now != srv->last_expire) {
			expire(srv, now);
			srv->last_expire = now;
			srv->expire_pending = now;
		}
		return BC_OK;
	}
	if ((rc = bc_store_data_version(srv->store, &v, err)))
		return rc;
	if (force || v != srv->data_version) {
		if ((rc = reload(srv, err)))
			return rc;
		srv->data_version = v;
	}
	if (now != srv->last_expire) {
		expire(srv, now);
		srv->last_expire = now;
		if ((rc = bc_reg_expire(srv->store, now, NULL, err)))
			return rc;
	}
	return bc_sip_server_flush(srv, err);
}

const struct bc_binding *
sip_dn_best(const struct sip_dn *d, long long now)
{
	const struct bc_binding *best = NULL;
	size_t i;

	for (i = 0; i < d->nb; i++) {
		const struct bc_binding *b = &d->b[i];

		if (b->expires_at <= now)
			continue;
		if (best == NULL || b->q > best->q ||
		    (b->q == best->q && b->updated_at >= best->updated_at))
			best = b;
	}
	return best;
}

/* ---- REGISTER ---------------------------------------------------- */

struct reg_contact {
	char	*uri;
	long	 expires;
	int	 q;
};

/* Response with the current bindings as Contact headers. */
static int
reply_bindings(bc_sip_server *srv, const bc_sipmsg *req,
    const struct bc_sip_peer *peer, const struct sip_dn *d, long long now,
    struct bc_sip_out *out)
{
	const char *hv[2 * 16 + 2];
	char vals[16][600];
	size_t i, n = 0;

	for (i = 0; i < d->nb && n < 16; i++) {
		const struct bc_binding *b = &d->b[i];

		if (b->expires_at <= now)
			continue;
		if (b->q != 1000)
			snprintf(vals[n], sizeof(vals[n]),
			    "<%s>;expires=%lld;q=%d.%03d", b->contact,
			    b->expires_at - now, b->q / 1000, b->q % 1000);
		else
			snprintf(vals[n], sizeof(vals[n]), "<%s>;expires=%lld",
			    b->contact, b->expires_at - now);
		hv[2 * n] = "Contact";
		hv[2 * n + 1] = vals[n];
		n++;
	}
	hv[2 * n] = NULL;
	return sip_reply(srv, req, peer, 200, "OK", hv, out);
}

static int
challenge(bc_sip_server *srv, const bc_sipmsg *req,
    const struct bc_sip_peer *peer, long long now, int stale,
    struct bc_sip_out *out)
{
	char nonce[SIP_NONCE_LEN + 1], v[512];
	const char *hv[3];

	sip_nonce_make(srv, now, nonce);
	snprintf(v, sizeof(v), "Digest realm=\"%s\", nonce=\"%s\", "
	    "algorithm=MD5, qop=\"auth\"%s", srv->realm, nonce,
	    stale ? ", stale=true" : "");
	hv[0] = "WWW-Authenticate";
	hv[1] = v;
	hv[2] = NULL;
	return sip_reply(srv, req, peer, 401, "Unauthorized", hv, out);
}

/*
 * Digest check of a REGISTER for d: 0 when authorized, else the response
 * is in out and the return is 1.
 */
static int
authorize(bc_sip_server *srv, const bc_sipmsg *req,
    const struct bc_sip_peer *peer, const struct sip_dn *d, long long now,
    struct bc_sip_out *out)
{
	struct bc_sipauth a;
	int rc;

	rc = bc_sipmsg_authorization(req, &a);
	if (rc < 0) {
		sip_reply(srv, req, peer, 400, "Bad Authorization", NULL, out);
		return 1;
	}
	if (rc == 1 || strcasecmp(a.scheme, "Digest") != 0 ||
	    strcmp(a.realm, srv->realm) != 0 ||
	    (a.algorithm[0] != '\0' && strcasecmp(a.algorithm, "MD5") != 0) ||
	    (a.qop[0] != '\0' && strcmp(a.qop, "auth") != 0)) {
		challenge(srv, req, peer, now, 0, out);
		return 1;
	}
	if (strcmp(a.username, d->number) != 0) {
		sip_reply(srv, req, peer, 403, "Forbidden", NULL, out);
		return 1;
	}
	rc = sip_nonce_check(srv, a.nonce, now);
	if (rc != 0) {
		challenge(srv, req, peer, now, rc == 1, out);
		return 1;
	}
	if (sip_digest_check(&a, "REGISTER", d->password) != 0) {
		sip_reply(srv, req, peer, 403, "Forbidden", NULL, out);
		return 1;
	}
	/*
	 * Right credentials: a nonce count used before is a replay (RFC
	 * 7616 3.4).  It gets 401 stale=true with a new nonce, as a stale
	 * nonce: the client knows the password and registers again at
	 * once, without asking its user; a replayer cannot.
	 */
	rc = sip_nc_use(srv, a.nonce, a.qop[0] != '\0' ? a.nc : NULL, now);
	if (rc < 0) {
		sip_reply(srv, req, peer, 400, "Bad Nonce Count", NULL, out);
		return 1;
	}
	if (rc > 0) {
		srv->stats.replays++;
		challenge(srv, req, peer, now, 1, out);
		return 1;
	}
	return 0;
}

static void
contacts_free(struct reg_contact *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i].uri);
}

int
sip_register(bc_sip_server *srv, bc_sipmsg *req,
    const struct bc_sip_peer *peer, long long now, struct bc_sip_out *out)
{
	struct reg_contact c[16];
	struct bc_sipuri to;
	struct bc_binding nb;
	struct sip_dn *d;
	char callid[512], received[300], mexp[16];
	const char *hv[3];
	unsigned long cseq;
	long hexp, e;
	size_t i, j, nc = 0, n;
	int star = 0, st, q, rc = BC_OK;

	srv->stats.registers++;
	if (bc_sipmsg_to_uri(req, &to) != 0 || to.user[0] == '\0')
		return sip_reply(srv, req, peer, 400, "Bad To", NULL, out);
	d = sip_dn_find(srv, to.user);
	if (d == NULL || !d->ext)
		return sip_reply(srv, req, peer, 404, "Not Found", NULL, out);
	if (d->password != NULL && authorize(srv, req, peer, d, now, out))
		return BC_OK;
	if (bc_sipmsg_call_id(req, callid, sizeof(callid)) != 0 ||
	    (cseq = bc_sipmsg_cseq(req, NULL)) == 0)
		return sip_reply(srv, req, peer, 400, "Bad Call-ID or CSeq",
		    NULL, out);
	if ((hexp = bc_sipmsg_expires(req)) == -2)
		return sip_reply(srv, req, peer, 400, "Bad Expires", NULL, out);

	n = (size_t)bc_sipmsg_contact_count(req);
	if (n > sizeof(c) / sizeof(c[0]))
		return sip_reply(srv, req, peer, 400, "Too Many Contacts",
		    NULL, out);
	for (i = 0; i < n; i++) {
		if (bc_sipmsg_contact(req, (int)i, &c[nc].uri, &c[nc].expires,
		    &c[nc].q, &st) != 0) {
			contacts_free(c, nc);
			return sip_reply(srv, req, peer, 400, "Bad Contact",
			    NULL, out);
		}
		if (st) {
			star = 1;
			continue;
		}
		nc++;
	}
	if (star && (nc > 0 || hexp != 0)) {
		contacts_free(c, nc);
		return sip_reply(srv, req, peer, 400, "Bad Wildcard Contact",
		    NULL, out);
	}
	if (star) {
		for (i = 0; i < d->nb; i++)
			if (strcmp(d->b[i].call_id, callid) == 0 &&
			    d->b[i].cseq > cseq)
				return sip_reply(srv, req, peer, 500,
				    "Out Of Order", NULL, out);
		while (d->nb > 0)
			binding_del(d, d->nb - 1);
		mark_dirty(srv, d);
		return reply_bindings(srv, req, peer, d, now, out);
	}
	/* check every contact before changing anything */
	for (i = 0; i < nc; i++) {
		e = c[i].expires >= 0 ? c[i].expires : hexp >= 0 ? hexp :
		    srv->conf.default_expires;
		if (e > 0 && e < srv->conf.min_expires) {
			contacts_free(c, nc);
			snprintf(mexp, sizeof(mexp), "%d",
			    srv->conf.min_expires);
			hv[0] = "Min-Expires";
			hv[1] = mexp;
			hv[2] = NULL;
			return sip_reply(srv, req, peer, 423,
			    "Interval Too Brief", hv, out);
		}
		c[i].expires = e > srv->conf.max_expires ?
		    srv->conf.max_expires : e;
		for (j = 0; j < d->nb; j++)
			if (strcmp(d->b[j].contact, c[i].uri) == 0 &&
			    strcmp(d->b[j].call_id, callid) == 0 &&
			    d->b[j].cseq > cseq) {
				contacts_free(c, nc);
				return sip_reply(srv, req, peer, 500,
				    "Out Of Order", NULL, out);
			}
	}
	snprintf(received, sizeof(received), strchr(peer->host, ':') ?
	    "%s:[%s]:%u" : "%s:%s:%u", bc_sip_transport_name(peer->transport),
	    peer->host, (unsigned)peer->port);
	for (i = 0; i < nc; i++) {
		for (j = 0; j < d->nb; j++)
			if (strcmp(d->b[j].contact, c[i].uri) == 0)
				break;
		if (j < d->nb)
			binding_del(d, j);
		if (c[i].expires == 0)
			continue;
		if (d->nb >= (size_t)srv->conf.max_contacts) {
			mark_dirty(srv, d);
			contacts_free(c, nc);
			return sip_reply(srv, req, peer, 403,
			    "Too Many Contacts", NULL, out);
		}
		q = c[i].q >= 0 ? c[i].q : 1000;
		memset(&nb, 0, sizeof(nb));
		nb.contact = c[i].uri;
		nb.call_id = callid;
		nb.cseq = cseq;
		nb.q = q;
		nb.expires_at = now + c[i].expires;
		nb.updated_at = now;
		nb.received = received;
		nb.user_agent = (char *)bc_sipmsg_header(req, "user-agent");
		if (binding_add(d, &nb) != 0) {
			rc = BC_ENOMEM;
			break;
		}
	}
	contacts_free(c, nc);
	if (nc > 0)
		mark_dirty(srv, d);
	if (rc != BC_OK)
		return sip_reply(srv, req, peer, 500, "Out Of Memory", NULL,
		    out);
	return reply_bindings(srv, req, peer, d, now, out);
}
