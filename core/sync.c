/*
 * sync.c -- diff, one-way and two-way synchronization of two site stores.
 *
 * Both stores' sync_meta tables are read as streams in (kind, key) order
 * and merged, so memory does not grow with the number of objects.  Only
 * objects whose metadata differ are looked at further.
 *
 * A synchronization applies changes in an order that keeps every rule of
 * the store true at each step: agent logins and DNs first, then places,
 * then persons; deletions the other way round.  Each phase merges the
 * metadata of one kind again (the plan is never held in memory).  The
 * metadata of copied objects is written last, from a temporary table, so
 * that the streams being merged are never modified under them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bc-sync.h"
#include "rows.h"
#include "store-internal.h"
#include "sync-internal.h"

static const char *const kinds[] = { "dn", "login", "person", "place" };
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/* ---- metadata streams ---------------------------------------------- */

struct cur {
	sqlite3_stmt	*st;
	int		 has;
	const char	*key;
	long long	 hlc;
	const char	*origin;
	const char	*hash;	/* NULL for a tombstone */
	int		 deleted;
};

static const char SQL_META_KIND[] = "SELECT key, hlc, origin, hash, deleted "
    "FROM sync_meta WHERE kind = ?1 ORDER BY key";

static int
cur_next(bc_store *s, struct cur *c, struct bc_err *err)
{
	int rc = sqlite3_step(c->st);

	c->has = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read metadata");
	if (c->has) {
		c->key = (const char *)sqlite3_column_text(c->st, 0);
		c->hlc = sqlite3_column_int64(c->st, 1);
		c->origin = (const char *)sqlite3_column_text(c->st, 2);
		c->hash = (const char *)sqlite3_column_text(c->st, 3);
		c->deleted = sqlite3_column_int(c->st, 4);
	}
	return BC_OK;
}

static int
cur_open(bc_store *s, const char *kind, struct cur *c, struct bc_err *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	rc = sqlite3_prepare_v2(s->db, SQL_META_KIND, -1, &c->st, NULL);
	if (rc != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, "read metadata");
	sqlite3_bind_text(c->st, 1, kind, -1, SQLITE_STATIC);
	return cur_next(s, c, err);
}

static void
cur_close(struct cur *c)
{
	sqlite3_finalize(c->st);
	c->st = NULL;
}

static int
alive(const struct cur *c)
{
	return c != NULL && c->has && !c->deleted;
}

/*
 * Merges the metadata of one kind of both stores; calls fn with the rows
 * of each key (NULL where a store has none).
 */
typedef int (*pair_fn)(const char *kind, const struct cur *a,
    const struct cur *b, void *);

static int
merge(bc_store *sa, bc_store *sb, const char *kind, pair_fn fn, void *arg,
    struct bc_err *err)
{
	struct cur a, b;
	int rc, c;

	if ((rc = cur_open(sa, kind, &a, err)))
		return rc;
	if ((rc = cur_open(sb, kind, &b, err))) {
		cur_close(&a);
		return rc;
	}
	while (rc == BC_OK && (a.has || b.has)) {
		c = !a.has ? 1 : !b.has ? -1 : strcmp(a.key, b.key);
		rc = fn(kind, c <= 0 ? &a : NULL, c >= 0 ? &b : NULL, arg);
		if (rc == BC_OK && c <= 0)
			rc = cur_next(sa, &a, err);
		if (rc == BC_OK && c >= 0)
			rc = cur_next(sb, &b, err);
	}
	cur_close(&a);
	cur_close(&b);
	return rc;
}

/* ---- diff ---------------------------------------------------------- */

struct diff_ctx {
	bc_store	*a, *b;
	bc_diff_cb	 cb;
	void		*arg;
	size_t		 count;
	struct bc_err	*err;
};

static int
diff_pair(const char *kind, const struct cur *a, const struct cur *b,
    void *arg)
{
	struct diff_ctx *d = arg;
	struct bc_diff_item it;
	char *doc_a = NULL, *doc_b = NULL;
	int rc;

	if (!alive(a) && !alive(b))
		return BC_OK;
	if (alive(a) && alive(b) && strcmp(a->hash, b->hash) == 0)
		return BC_OK;
	it.kind = kind;
	it.key = alive(a) ? a->key : b->key;
	it.what = !alive(b) ? BC_DIFF_ONLY_A : !alive(a) ? BC_DIFF_ONLY_B :
	    BC_DIFF_CHANGED;
	if ((alive(a) && (rc = bc_doc_get(d->a, kind, it.key, &doc_a,
	    d->err))) || (alive(b) && (rc = bc_doc_get(d->b, kind, it.key,
	    &doc_b, d->err))))
		goto done;
	it.doc_a = doc_a;
	it.doc_b = doc_b;
	d->count++;
	rc = d->cb(&it, d->arg);
done:
	free(doc_a);
	free(doc_b);
	return rc;
}

int
bc_diff(bc_store *a, bc_store *b, bc_diff_cb cb, void *arg, size_t *count,
    struct bc_err *err)
{
	struct diff_ctx d = { a, b, cb, arg, 0, err };
	size_t i;
	int rc;

	*count = 0;
	if ((rc = bc_meta_catch_up(a, err)) ||
	    (rc = bc_meta_catch_up(b, err)))
		return rc;
	if ((rc = bc_read_begin(a, err)))
		return rc;
	if ((rc = bc_read_begin(b, err))) {
		bc_read_end(a);
		return rc;
	}
	for (i = 0; rc == BC_OK && i < NKINDS; i++)
		rc = merge(a, b, kinds[i], diff_pair, &d, err);
	bc_read_end(b);
	bc_read_end(a);
	*count = d.count;
	return rc;
}

/* ---- deciding ------------------------------------------------------ */

enum act {
	ACT_NONE,
	ACT_UPSERT,	/* make the loser equal the winner */
	ACT_DELETE,	/* delete at the loser */
	ACT_META	/* same content: align the metadata only */
};

struct decision {
	enum act		 act;
	int			 to_a;		/* the loser is A */
	int			 create;	/* the loser lacks it */
	int			 conflict;
	const struct cur	*win;		/* winner's metadata, or NULL */
};

struct sync_ctx {
	bc_store			*s[2];		/* A, B */
	char				*site[2];
	const struct bc_sync_opts	*opts;
	struct bc_sync_stats		*stats;
	int				 twoway;
	long long			 last;		/* last two-way run */
	size_t				 done, total;
	size_t				 deletes[2];	/* planned, at B, at A */
	size_t				 live[2];
	struct bc_err			*err;
};

static int
same_state(const struct cur *a, const struct cur *b)
{
	if (a->deleted || b->deleted)
		return a->deleted && b->deleted;
	return strcmp(a->hash, b->hash) == 0;
}

/* Does b's change order after a's?  HLC, then the site name. */
static int
newer(const struct cur *a, const struct cur *b)
{
	if (a->hlc != b->hlc)
		return b->hlc > a->hlc;
	return strcmp(b->origin, a->origin) > 0;
}

static void
decide_oneway(const struct sync_ctx *x, const struct cur *a,
    const struct cur *b, struct decision *d)
{
	memset(d, 0, sizeof(*d));
	if (alive(a) && (!alive(b) || strcmp(a->hash, b->hash) != 0)) {
		d->act = ACT_UPSERT;
		d->create = !alive(b);
		d->win = a;
	} else if (alive(a) && (a->hlc != b->hlc ||
	    strcmp(a->origin, b->origin) != 0)) {
		d->act = ACT_META;
		d->win = a;
	} else if (!alive(a) && alive(b) && x->opts->delete) {
		d->act = ACT_DELETE;
		d->win = a != NULL && a->has ? a : NULL;
	}
}

static void
decide_twoway(const struct sync_ctx *x, const struct cur *a,
    const struct cur *b, struct decision *d)
{
	const struct cur *win, *lose;
	int a_wins;

	memset(d, 0, sizeof(*d));
	if (a == NULL || b == NULL) {
		a_wins = b == NULL;
	} else if (same_state(a, b)) {
		if (a->hlc == b->hlc && strcmp(a->origin, b->origin) == 0)
			return;
		/* the same change on both sides: no conflict */
		a_wins = !newer(a, b);
		d->act = ACT_META;
		d->to_a = !a_wins;
		d->win = a_wins ? a : b;
		return;
	} else {
		d->conflict = x->last > 0 && a->hlc > x->last &&
		    b->hlc > x->last;
		if (d->conflict && x->opts->prefer == BC_PREFER_A)
			a_wins = 1;
		else if (d->conflict && x->opts->prefer == BC_PREFER_B)
			a_wins = 0;
		else
			a_wins = !newer(a, b);
	}
	win = a_wins ? a : b;
	lose = a_wins ? b : a;
	d->to_a = !a_wins;
	d->win = win;
	if (!win->deleted) {
		d->act = ACT_UPSERT;
		d->create = !alive(lose);
	} else if (alive(lose))
		d->act = ACT_DELETE;
	else
		d->act = ACT_META;	/* record the tombstone */
}

static void
decide(const struct sync_ctx *x, const struct cur *a, const struct cur *b,
    struct decision *d)
{
	if (x->twoway)
		decide_twoway(x, a, b, d);
	else
		decide_oneway(x, a, b, d);
}

/* ---- plan: count, check, report ------------------------------------ */

static int
report(struct sync_ctx *x, const char *kind, const char *key,
    const struct decision *d)
{
	struct bc_sync_step step;

	if (x->opts->cb == NULL)
		return BC_OK;
	step.kind = kind;
	step.key = key;
	step.action = d->act == ACT_DELETE ? BC_SYNC_DELETE :
	    d->create ? BC_SYNC_CREATE : BC_SYNC_UPDATE;
	step.at_a = d->to_a;
	step.conflict = d->conflict;
	step.done = x->done;
	step.total = x->total;
	return x->opts->cb(&step, x->opts->arg);
}

static int
plan_pair(const char *kind, const struct cur *a, const struct cur *b,
    void *arg)
{
	struct sync_ctx *x = arg;
	struct decision d;

	if (alive(a))
		x->live[1]++;
	if (alive(b))
		x->live[0]++;
	decide(x, a, b, &d);
	if (d.act == ACT_NONE || d.act == ACT_META)
		return BC_OK;
	x->total++;
	if (d.act == ACT_DELETE)
		x->deletes[d.to_a]++;
	if (x->opts->dry_run) {
		x->done++;
		return report(x, kind, a != NULL ? a->key : b->key, &d);
	}
	return BC_OK;
}

/* ---- applying ------------------------------------------------------ */

/*
 * Copied metadata is collected in the store (struct bc_copy), in the
 * order it comes; an object added again takes the place of the last
 * addition (what INSERT OR REPLACE into a table did).  At the end the
 * objects' marks go, and each row is written with the next feed position
 * in that order.
 */
static const char SQL_COPY_DIRTY[] = "SELECT kind, key FROM sync_dirty";
static const char SQL_COPY_UNMARK[] =
    "DELETE FROM sync_dirty WHERE kind = ?1 AND key = ?2";
/* the rows, in the order they were added, from bc_copy_rows (below) */
static const char SQL_COPY_APPLY[] = "INSERT INTO sync_meta "
    "(kind, key, hlc, origin, hash, deleted, seq) "
    "SELECT c0, c1, c2, c3, c4, c5, bc_seq() FROM bc_copy_rows(?1) "
    "WHERE true ON CONFLICT (kind, key) DO UPDATE SET hlc = excluded.hlc, "
    "origin = excluded.origin, hash = excluded.hash, "
    "deleted = excluded.deleted, seq = excluded.seq";
/* (not from the object itself, ?3 / ?2: its update reassigns them) */
static const char SQL_RELEASE_DN[] =
    "UPDATE dn SET place_id = NULL WHERE type = CAST(?1 AS TEXT) AND "
    "number = ?2 AND place_id IS NOT NULL AND "
    "place_id IS NOT (SELECT id FROM place WHERE name = ?3)";
static const char SQL_RELEASE_LOGIN[] = "DELETE FROM person_login WHERE "
    "login_id = (SELECT id FROM agent_login WHERE code = ?1) AND "
    "person_id IS NOT (SELECT id FROM person WHERE username = ?2)";
static const char SQL_CONFLICT_ADD[] = "INSERT INTO conflict (kind, key, "
    "local_site, local_hlc, local_doc, peer_site, peer_hlc, peer_doc, kept, "
    "detected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

void
bc_sync_copy_clear(bc_store *s)
{
	size_t i;

	for (i = 0; i < s->ncopy; i++)
		free(s->copy[i].kind);
	s->ncopy = 0;
}

int
bc_sync_copy_add(bc_store *s, const char *kind, const char *key,
    long long hlc, const char *origin, const char *hash, int deleted,
    struct bc_err *err)
{
	struct bc_copy *c, *nv;
	size_t lk, lkey, lo, lh;
	char *p;

	if (origin == NULL)
		return bc_err_set(err, BC_EINTERNAL, "record copy of %s '%s': "
		    "no origin", kind, key);
	/* sync_meta's CHECK constraints, which the write leaves to this
	 * (copy_write()) */
	if (strcmp(kind, "dn") != 0 && strcmp(kind, "place") != 0 &&
	    strcmp(kind, "person") != 0 && strcmp(kind, "login") != 0)
		return bc_err_set(err, BC_EINTERNAL, "record copy of %s '%s': "
		    "unknown kind", kind, key);
	if (s->ncopy == s->copy_cap) {
		size_t cap = s->copy_cap == 0 ? 256 : s->copy_cap * 2;

		if ((nv = realloc(s->copy, cap * sizeof(*nv))) == NULL)
			return bc_err_set(err, BC_ENOMEM, "out of memory");
		s->copy = nv;
		s->copy_cap = cap;
	}
	lk = strlen(kind) + 1;
	lkey = strlen(key) + 1;
	lo = strlen(origin) + 1;
	lh = hash != NULL ? strlen(hash) + 1 : 0;
	if ((p = malloc(lk + lkey + lo + lh)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	c = &s->copy[s->ncopy++];
	c->kind = memcpy(p, kind, lk);
	c->key = memcpy(p + lk, key, lkey);
	c->origin = memcpy(p + lk + lkey, origin, lo);
	c->hash = hash != NULL ? memcpy(p + lk + lkey + lo, hash, lh) : NULL;
	c->hlc = hlc;
	c->deleted = deleted != 0;
	return BC_OK;
}

/* Records the winner's metadata for the loser, written at the end. */
static int
copy_meta(bc_store *s, const char *kind, const struct cur *w,
    struct bc_err *err)
{
	return bc_sync_copy_add(s, kind, w->key, w->hlc, w->origin, w->hash,
	    w->deleted, err);
}

/*
 * Copies the winner's metadata when the loser now holds exactly the
 * winner's document.  When it does not (a reference was left out, see
 * bc_doc_apply()), the object stays marked and is recorded as this
 * store's own change at commit: equal content, equal hash, so the stores
 * compare equal and converge.
 */
static int
copy_if_same(bc_store *s, const char *kind, const char *key,
    const char *win_doc, const struct cur *w, struct bc_err *err)
{
	char *now = NULL;
	int rc, same;

	if (w == NULL)
		return BC_OK;
	if (win_doc == NULL)
		return copy_meta(s, kind, w, err);	/* a tombstone */
	if ((rc = bc_doc_get(s, kind, key, &now, err)))
		return rc;
	same = now != NULL && strcmp(now, win_doc) == 0;
	free(now);
	return same ? copy_meta(s, kind, w, err) : BC_OK;
}

/*
 * Frees one DN ("TYPE:NUMBER", place) or agent login (person) from any
 * other object than key, the one about to claim it (which releases and
 * reassigns what it holds itself when it is updated).
 */
static int
release_one(bc_store *s, int place, const char *key, const char *v,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	const char *colon;
	enum bc_dn_type type;
	char tname[32];
	size_t n;

	if (v == NULL)
		return BC_OK;
	if (place) {
		if ((colon = strchr(v, ':')) == NULL ||
		    (n = (size_t)(colon - v)) >= sizeof(tname))
			return BC_OK;
		memcpy(tname, v, n);
		tname[n] = '\0';
		if (bc_dn_type_parse(tname, &type) != 0)
			return BC_OK;
		if ((st = bc_stmt(s, SQL_RELEASE_DN, err)) == NULL)
			return err->status;
		bc_bind_text(st, 1, bc_dn_type_name(type));
		bc_bind_text(st, 2, colon + 1);
		bc_bind_text(st, 3, key);
	} else {
		if ((st = bc_stmt(s, SQL_RELEASE_LOGIN, err)) == NULL)
			return err->status;
		bc_bind_text(st, 1, v);
		bc_bind_text(st, 2, key);
	}
	return bc_step_done(s, st, err, "free references");
}

/* A list member as json_each() gives its value: text, numbers in
 * decimal, true/false as 1/0; NULL for null, lists and maps. */
static const char *
member_text(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.15g", json_real_value(v));
	else if (json_is_true(v) || json_is_false(v))
		snprintf(buf, len, "%d", json_is_true(v) ? 1 : 0);
	else
		return NULL;
	return buf;
}

/*
 * Frees what a document is about to claim at the loser: the DNs of a
 * place (wherever they are), the agent logins of a person (whoever holds
 * them).  Runs before any place or person is written, so a DN or login
 * moving between two objects never meets its old owner.  The document
 * is read with jansson: the values of a place's "dn" list, the keys of
 * a person's "login" map (an array's indexes), as json_each() would.
 */
int
bc_sync_release_refs(bc_store *s, const char *kind, const char *key,
    const char *doc, struct bc_err *err)
{
	json_t *j;
	int rc;

	if ((j = json_loads(doc, JSON_DECODE_ANY, NULL)) == NULL)
		return bc_err_set(err, BC_EINVAL, "malformed document");
	rc = bc_sync_release_refs_json(s, kind, key, j, err);
	json_decref(j);
	return rc;
}

int
bc_sync_release_refs_json(bc_store *s, const char *kind, const char *key,
    struct json_t *j, struct bc_err *err)
{
	json_t *c, *v;
	const char *k;
	char buf[64];
	size_t i;
	int rc = BC_OK;
	int place = strcmp(kind, "place") == 0;

	c = json_is_object(j) ? json_object_get(j, place ? "dn" : "login") :
	    NULL;
	if (json_is_object(c)) {
		json_object_foreach(c, k, v) {
			if ((rc = release_one(s, place, key, place ?
			    member_text(v, buf, sizeof(buf)) : k, err)))
				break;
		}
	} else if (json_is_array(c)) {
		json_array_foreach(c, i, v) {
			snprintf(buf, sizeof(buf), "%zu", i);
			if (!place)
				rc = release_one(s, 0, key, buf, err);
			else
				rc = release_one(s, 1, key, member_text(v,
				    buf, sizeof(buf)), err);
			if (rc)
				break;
		}
	} else if (place && c != NULL)
		/* json_each() of an atom: one row, that value */
		rc = release_one(s, 1, key, member_text(c, buf,
		    sizeof(buf)), err);
	return rc;
}

int
bc_sync_conflict_add(bc_store *s, const char *kind, const char *key,
    const char *local_site, long long local_hlc, const char *local_doc,
    const char *peer_site, long long peer_hlc, const char *peer_doc,
    int local_kept, struct bc_err *err)
{
	sqlite3_stmt *st;

	if ((st = bc_stmt(s, SQL_CONFLICT_ADD, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, kind);
	bc_bind_text(st, 2, key);
	bc_bind_text(st, 3, local_site);
	sqlite3_bind_int64(st, 4, local_hlc);
	bc_bind_text(st, 5, local_doc);
	bc_bind_text(st, 6, peer_site);
	sqlite3_bind_int64(st, 7, peer_hlc);
	bc_bind_text(st, 8, peer_doc);
	bc_bind_text(st, 9, local_kept ? "local" : "peer");
	sqlite3_bind_int64(st, 10, (sqlite3_int64)time(NULL));
	return bc_step_done(s, st, err, "record conflict");
}

/* Kinds whose upserts first free what they claim (see release_refs). */
static int
has_release(const char *kind)
{
	return strcmp(kind, "place") == 0 || strcmp(kind, "person") == 0;
}

/*
 * Records a conflict in both stores, each from its own point of view,
 * with both versions: the winner's doc (NULL when it deleted) and the
 * loser's as it is now.
 */
static int
conflict(struct sync_ctx *x, const char *kind, const char *key,
    const struct decision *d, const struct cur *lose, const char *win_doc)
{
	bc_store *win_s = x->s[d->to_a ? 1 : 0], *lose_s = x->s[d->to_a ? 0 : 1];
	char *lose_doc = NULL;
	int rc;

	if ((rc = bc_doc_get(lose_s, kind, key, &lose_doc, x->err)) == BC_OK &&
	    (rc = bc_sync_conflict_add(win_s, kind, key, x->site[d->to_a],
	    d->win->hlc, win_doc, x->site[!d->to_a], lose->hlc, lose_doc, 1,
	    x->err)) == BC_OK &&
	    (rc = bc_sync_conflict_add(lose_s, kind, key, x->site[!d->to_a],
	    lose->hlc, lose_doc, x->site[d->to_a], d->win->hlc, win_doc, 0,
	    x->err)) == BC_OK)
		x->stats->conflicts++;
	free(lose_doc);
	return rc;
}

/* Which part of the work a pass over one kind does. */

struct pass_ctx {
	struct sync_ctx	*x;
	enum bc_sync_pass pass;
};

static int
apply_pair(const char *kind, const struct cur *a, const struct cur *b,
    void *arg)
{
	struct pass_ctx *pc = arg;
	struct sync_ctx *x = pc->x;
	struct decision d;
	bc_store *win_s, *lose_s;
	const struct cur *lose;
	char *doc = NULL;
	const char *key;
	int rc = BC_OK, li;

	decide(x, a, b, &d);
	if (d.act == ACT_NONE)
		return BC_OK;
	key = a != NULL ? a->key : b->key;
	win_s = x->s[d.to_a ? 1 : 0];
	lose_s = x->s[d.to_a ? 0 : 1];
	lose = d.to_a ? a : b;
	li = d.to_a ? 1 : 0;		/* stats index of the loser */

	switch (pc->pass) {
	case PASS_RELEASE:
		if (d.act != ACT_UPSERT)
			return BC_OK;
		if ((rc = bc_doc_get(win_s, kind, key, &doc, x->err)))
			goto done;
		/* the loser's version, as it is before anything moves */
		if (d.conflict && (rc = conflict(x, kind, key, &d, lose, doc)))
			goto done;
		if (doc != NULL)
			rc = bc_sync_release_refs(lose_s, kind, key, doc,
			    x->err);
		goto done;
	case PASS_UPSERT:
		if (d.act == ACT_META)
			return copy_meta(lose_s, kind, d.win, x->err);
		if (d.act != ACT_UPSERT)
			return BC_OK;
		break;
	case PASS_DELETE:
		if (d.act != ACT_DELETE)
			return BC_OK;
		break;
	}

	if (d.act == ACT_UPSERT &&
	    (rc = bc_doc_get(win_s, kind, key, &doc, x->err)))
		goto done;
	/* places and persons recorded theirs in the release pass */
	if (d.conflict && (d.act == ACT_DELETE || !has_release(kind)) &&
	    (rc = conflict(x, kind, key, &d, lose, doc)))
		goto done;
	if ((rc = bc_doc_apply(lose_s, kind, key, doc, x->err)) ||
	    (rc = copy_if_same(lose_s, kind, key, doc, d.win, x->err)))
		goto done;
	if (d.act == ACT_DELETE)
		x->stats->deleted[li]++;
	else if (d.create)
		x->stats->created[li]++;
	else
		x->stats->updated[li]++;
	x->done++;
	rc = report(x, kind, key, &d);
done:
	free(doc);
	return rc;
}

/* The order that keeps every rule true at each step. */
const struct bc_sync_phase bc_sync_phases[] = {
	{ "login", PASS_UPSERT },
	{ "dn", PASS_UPSERT },
	{ "place", PASS_RELEASE },
	{ "place", PASS_UPSERT },
	{ "person", PASS_RELEASE },
	{ "person", PASS_UPSERT },
	{ "person", PASS_DELETE },
	{ "place", PASS_DELETE },
	{ "dn", PASS_DELETE },
	{ "login", PASS_DELETE },
};
const size_t bc_sync_nphases = sizeof(bc_sync_phases) /
    sizeof(bc_sync_phases[0]);

int
bc_sync_exec(bc_store *s, const char *sql, struct bc_err *err)
{
	sqlite3_stmt *st;

	if ((st = bc_stmt(s, sql, err)) == NULL)
		return err->status;
	return bc_step_done(s, st, err, "synchronize");
}

/*
 * bc_copy_rows(?1): the metadata to write as a table (kind, key, hlc,
 * origin, hash, deleted), ?1 a struct copy_rows given with
 * sqlite3_bind_pointer(); one INSERT ... SELECT writes them all (one
 * INSERT per row costs about twice as much).
 */
#define COPY_PTR	"bc_copy_rows"

struct copy_rows {
	const struct bc_copy	*v;
	const unsigned char	*skip;		/* added again later */
	size_t			 n;
};

static size_t
copy_count(const void *rows)
{
	return ((const struct copy_rows *)rows)->n;
}

static int
copy_skip(const void *rows, size_t i)
{
	return ((const struct copy_rows *)rows)->skip[i];
}

static void
copy_column(const void *rows, size_t i, int col, sqlite3_context *ctx)
{
	const struct bc_copy *r = &((const struct copy_rows *)rows)->v[i];

	switch (col) {
	case 0:	bc_rows_text(ctx, r->kind); break;
	case 1:	bc_rows_text(ctx, r->key); break;
	case 2:	sqlite3_result_int64(ctx, r->hlc); break;
	case 3:	bc_rows_text(ctx, r->origin); break;
	case 4:	bc_rows_text(ctx, r->hash); break;
	default: sqlite3_result_int(ctx, r->deleted); break;
	}
}

static const struct bc_rows_type copy_type = {
	.name = COPY_PTR,
	.ncol = 6,
	.count = copy_count,
	.skip = copy_skip,
	.column = copy_column,
};

int
bc_sync_register(bc_store *s, struct bc_err *err)
{
	int rc;

	rc = bc_rows_register(s->db, &copy_type);
	if (rc != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, "register functions");
	return BC_OK;
}

/* An added object by kind and key, then by the order of addition. */
struct copy_ref {
	const struct bc_copy	*c;
	size_t			 pos;
};

static int
copy_cmp(const void *x, const void *y)
{
	const struct copy_ref *a = x, *b = y;
	int c;

	if ((c = strcmp(a->c->kind, b->c->kind)) != 0 ||
	    (c = strcmp(a->c->key, b->c->key)) != 0)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Is kind/key among the sorted refs (n of them)? */
static int
copy_has(const struct copy_ref *v, size_t n, const char *kind,
    const char *key)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(v[mid].c->kind, kind)) == 0)
			c = strcmp(v[mid].c->key, key);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Removes the marks of the copied objects (sorted refs v). */
static int
copy_unmark(bc_store *s, const struct copy_ref *v, size_t n,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	struct { char *kind, *key; } *gone = NULL, *ng;
	size_t ngone = 0, i;
	int rc = BC_OK, step, nomem = 0;

	/* collect first: deleting under the running SELECT would confuse it */
	if ((st = bc_stmt(s, SQL_COPY_DIRTY, err)) == NULL)
		return err->status;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *key = (const char *)sqlite3_column_text(st, 1);

		if (kind == NULL || key == NULL || !copy_has(v, n, kind, key))
			continue;
		if ((ng = realloc(gone, (ngone + 1) * sizeof(*gone))) == NULL) {
			nomem = 1;
			break;
		}
		gone = ng;
		gone[ngone].kind = bc_column_dup(st, 0, &nomem);
		gone[ngone].key = bc_column_dup(st, 1, &nomem);
		ngone++;
		if (nomem)
			break;
	}
	sqlite3_reset(st);
	if (nomem)
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
	else if (step != SQLITE_DONE)
		rc = bc_sqlite_err(s, step, err, "synchronize");
	for (i = 0; rc == BC_OK && i < ngone; i++) {
		if ((st = bc_stmt(s, SQL_COPY_UNMARK, err)) == NULL) {
			rc = err->status;
			break;
		}
		bc_bind_text(st, 1, gone[i].kind);
		bc_bind_text(st, 2, gone[i].key);
		rc = bc_step_done(s, st, err, "synchronize");
	}
	for (i = 0; i < ngone; i++) {
		free(gone[i].kind);
		free(gone[i].key);
	}
	free(gone);
	return rc;
}

/*
 * Writes the rows with sync_meta's CHECK constraints left out: kind IN
 * (four names) makes SQLite build a lookup table for every row written
 * (a third of the write), and bc_sync_copy_add() checked the kind and
 * made deleted 0 or 1 already.  The pragma is the connection's, so it
 * is set back whatever happened (setting it makes SQLite prepare its
 * statements again, a few for each document).
 */
static const char SQL_CHECKS_OFF[] = "PRAGMA ignore_check_constraints=1";
static const char SQL_CHECKS_ON[] = "PRAGMA ignore_check_constraints=0";

static int
copy_write(bc_store *s, struct copy_rows *rows, struct bc_err *err)
{
	struct bc_err on_err;
	sqlite3_stmt *st;
	int rc, on = BC_OK, i;

	if ((rc = bc_sync_exec(s, SQL_CHECKS_OFF, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_COPY_APPLY, err)) == NULL)
		rc = err->status;
	else {
		sqlite3_bind_pointer(st, 1, rows, COPY_PTR, NULL);
		rc = bc_step_done(s, st, err, "synchronize");
	}
	/* it fails only short of memory: tried again before giving up */
	for (i = 0; i < 3; i++)
		if ((on = bc_sync_exec(s, SQL_CHECKS_ON, &on_err)) == BC_OK)
			break;
	if (on != BC_OK && rc == BC_OK) {
		*err = on_err;
		rc = on;
	}
	return rc;
}

int
bc_sync_copy_finish(bc_store *s, struct bc_err *err)
{
	struct copy_ref *v;
	struct copy_rows rows;
	unsigned char *later;
	long long max = 0;
	size_t n = s->ncopy, i;
	int rc;

	if (n == 0)
		return BC_OK;
	v = malloc(n * sizeof(*v));
	later = calloc(n, 1);
	if (v == NULL || later == NULL) {
		free(v);
		free(later);
		bc_sync_copy_clear(s);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		v[i].c = &s->copy[i];
		v[i].pos = i;
	}
	qsort(v, n, sizeof(*v), copy_cmp);
	/* an object added again is written once, where it was added last */
	for (i = 0; i + 1 < n; i++)
		if (strcmp(v[i].c->kind, v[i + 1].c->kind) == 0 &&
		    strcmp(v[i].c->key, v[i + 1].c->key) == 0)
			later[v[i].pos] = 1;
	for (i = 0; i < n; i++)
		if (!later[i] && s->copy[i].hlc > max)
			max = s->copy[i].hlc;
	rows.v = s->copy;
	rows.skip = later;
	rows.n = n;
	rc = copy_unmark(s, v, n, err);
	if (rc == BC_OK)
		rc = bc_seq_load(s, err);
	if (rc == BC_OK)
		rc = copy_write(s, &rows, err);
	if (rc == BC_OK)
		rc = bc_seq_save(s, err);
	free(v);
	free(later);
	bc_sync_copy_clear(s);
	if (rc)
		return rc;
	return max > 0 ? bc_hlc_observe(s, max, err) : BC_OK;
}

void
bc_sync_opts_init(struct bc_sync_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_delete = -1;
	o->max_delete_pct = 10;
	o->prefer = BC_PREFER_NEWER;
}

static const char SQL_PEER_GET[] = "SELECT hlc FROM sync_peer WHERE peer = ?1";
static const char SQL_PEER_SET[] = "INSERT INTO sync_peer (peer, hlc, "
    "synced_at) VALUES (?1, ?2, ?3) ON CONFLICT (peer) DO UPDATE SET "
    "hlc = excluded.hlc, synced_at = excluded.synced_at";
static const char SQL_PURGE_FLOOR[] = "UPDATE site SET feed_floor = "
    "max(feed_floor, (SELECT coalesce(max(seq), 0) FROM sync_meta "
    "WHERE deleted = 1 AND hlc <= ?1))";
static const char SQL_PURGE[] =
    "DELETE FROM sync_meta WHERE deleted = 1 AND hlc <= ?1";
static const char SQL_SITE_CLOCK[] = "SELECT hlc FROM site";

static int
peer_hlc(bc_store *s, const char *peer, long long *hlc, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*hlc = 0;
	if ((st = bc_stmt(s, SQL_PEER_GET, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, peer);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*hlc = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read peer position");
	return BC_OK;
}

static int
site_clock(bc_store *s, long long *hlc, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_SITE_CLOCK, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	*hlc = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return bc_sqlite_err(s, rc, err, "read clock");
	return BC_OK;
}

int
bc_sync_position(bc_store *s, const char *peer, long long *hlc,
    long long *last_sync, struct bc_err *err)
{
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((rc = site_clock(s, hlc, err)) == BC_OK && peer != NULL)
		rc = peer_hlc(s, peer, last_sync, err);
	bc_read_end(s);
	return rc;
}

static int
purge(bc_store *s, long long upto, size_t *n, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	/* a feed reader below the purged tombstones needs a snapshot */
	if ((st = bc_stmt(s, SQL_PURGE_FLOOR, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, upto);
	if ((rc = bc_step_done(s, st, err, "purge tombstones")))
		return rc;
	if ((st = bc_stmt(s, SQL_PURGE, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, upto);
	if ((rc = bc_step_done(s, st, err, "purge tombstones")) == BC_OK)
		*n += (size_t)sqlite3_changes(s->db);
	return rc;
}

static int
record_run(bc_store *s, const char *peer, long long hlc, struct bc_err *err)
{
	sqlite3_stmt *st;

	if ((st = bc_stmt(s, SQL_PEER_SET, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, peer);
	sqlite3_bind_int64(st, 2, hlc);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	return bc_step_done(s, st, err, "record synchronization");
}

/* The safety stop: one side looking wiped must not wipe the other. */
static int
check_deletes(struct sync_ctx *x, int side, struct bc_err *err)
{
	const struct bc_sync_opts *o = x->opts;
	long long limit;

	limit = o->max_delete >= 0 ? o->max_delete :
	    (long long)(x->live[side] * (size_t)o->max_delete_pct / 100);
	if ((long long)x->deletes[side] <= limit)
		return BC_OK;
	return bc_err_set(err, BC_ERULE, "synchronization would delete %zu "
	    "of the %zu synchronized objects of site '%s', more than the "
	    "limit of %lld (--max-delete): nothing changed", x->deletes[side],
	    x->live[side], x->site[side == 0 ? 1 : 0], limit);
}

static int
run(struct sync_ctx *x)
{
	struct pass_ctx pc;
	struct bc_err *err = x->err;
	size_t i;
	int rc = BC_OK, side;

	for (i = 0; rc == BC_OK && i < NKINDS; i++)
		rc = merge(x->s[0], x->s[1], kinds[i], plan_pair, x, err);
	for (side = 0; rc == BC_OK && side < 2; side++)
		rc = check_deletes(x, side, err);
	if (rc != BC_OK || x->opts->dry_run)
		return rc;
	x->done = 0;
	pc.x = x;
	for (i = 0; rc == BC_OK && i < bc_sync_nphases; i++) {
		pc.pass = bc_sync_phases[i].pass;
		rc = merge(x->s[0], x->s[1], bc_sync_phases[i].kind, apply_pair,
		    &pc,
		    err);
	}
	return rc;
}

static int
sync_begin(struct sync_ctx *x, bc_store *a, bc_store *b,
    const struct bc_sync_opts *o, struct bc_sync_stats *stats,
    struct bc_err *err)
{
	int rc;

	memset(x, 0, sizeof(*x));
	memset(stats, 0, sizeof(*stats));
	x->s[0] = a;
	x->s[1] = b;
	x->opts = o;
	x->stats = stats;
	x->err = err;
	if ((rc = bc_meta_catch_up(a, err)) ||
	    (rc = bc_meta_catch_up(b, err)))
		return rc;
	if ((rc = bc_site_name(a, &x->site[0], err)) ||
	    (rc = bc_site_name(b, &x->site[1], err)))
		return rc;
	if (strcmp(bc_store_path(a), bc_store_path(b)) == 0)
		return bc_err_set(err, BC_EINVAL, "cannot synchronize store "
		    "'%s' with itself", bc_store_path(a));
	return BC_OK;
}

int
bc_sync_copy_prepare(bc_store *s, struct bc_err *err)
{
	(void)err;
	bc_sync_copy_clear(s);
	return BC_OK;
}

/* A write transaction on a store that receives changes. */
static int
prepare_target(bc_store *s, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin_bulk(s, err)))
		return rc;
	if ((rc = bc_sync_copy_prepare(s, err))) {
		bc_tx_rollback(s);
		return rc;
	}
	return BC_OK;
}

int
bc_sync_oneway(bc_store *a, bc_store *b, const struct bc_sync_opts *o,
    struct bc_sync_stats *stats, struct bc_err *err)
{
	struct sync_ctx x;
	int rc;

	if ((rc = sync_begin(&x, a, b, o, stats, err)))
		goto out;
	if ((rc = bc_read_begin(a, err)))
		goto out;
	if ((rc = prepare_target(b, err))) {
		bc_read_end(a);
		goto out;
	}
	rc = run(&x);
	if (rc == BC_OK && !o->dry_run)
		rc = bc_sync_copy_finish(b, err);
	if (rc == BC_OK && !o->dry_run)
		rc = bc_tx_commit(b, err);
	else
		bc_tx_rollback(b);
	bc_read_end(a);
out:
	free(x.site[0]);
	free(x.site[1]);
	return rc;
}

int
bc_sync_twoway(bc_store *a, bc_store *b, const struct bc_sync_opts *o,
    struct bc_sync_stats *stats, struct bc_err *err)
{
	struct sync_ctx x;
	long long la, lb, ca, cb, mark;
	int rc;

	if ((rc = sync_begin(&x, a, b, o, stats, err)))
		goto out;
	x.twoway = 1;
	if ((rc = prepare_target(a, err)))
		goto out;
	if ((rc = prepare_target(b, err))) {
		bc_tx_rollback(a);
		goto out;
	}
	/*
	 * Both stores finished a run up to the smaller of their marks, so
	 * both hold every tombstone up to it: those can go (bc-sync.h).
	 */
	if ((rc = peer_hlc(a, x.site[1], &la, err)) ||
	    (rc = peer_hlc(b, x.site[0], &lb, err)))
		goto fail;
	x.last = la < lb ? la : lb;
	if (!o->dry_run && x.last > 0 &&
	    ((rc = purge(a, x.last, &stats->tombstones_purged, err)) ||
	    (rc = purge(b, x.last, &stats->tombstones_purged, err))))
		goto fail;
	if ((rc = run(&x)) || o->dry_run)
		goto fail;
	/* record the run at the clock both sides now share */
	if ((rc = bc_sync_copy_finish(a, err)) || (rc = bc_sync_copy_finish(b, err)) ||
	    (rc = bc_meta_flush(a, err)) || (rc = bc_meta_flush(b, err)) ||
	    (rc = site_clock(a, &ca, err)) || (rc = site_clock(b, &cb, err)))
		goto fail;
	mark = ca > cb ? ca : cb;
	if ((rc = bc_hlc_observe(a, mark, err)) ||
	    (rc = bc_hlc_observe(b, mark, err)) ||
	    (rc = record_run(a, x.site[1], mark, err)) ||
	    (rc = record_run(b, x.site[0], mark, err)))
		goto fail;
	/* B first: a crash between the commits is repaired by the next run */
	if ((rc = bc_tx_commit(b, err))) {
		bc_tx_rollback(a);
		goto out;
	}
	rc = bc_tx_commit(a, err);
	goto out;
fail:
	bc_tx_rollback(b);
	bc_tx_rollback(a);
out:
	free(x.site[0]);
	free(x.site[1]);
	return rc;
}
