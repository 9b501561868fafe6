/*
 * meta.c -- change metadata of synchronized objects: the content hash,
 * the hybrid logical clock, and turning the marks the schema's triggers
 * leave in sync_dirty into sync_meta rows.
 *
 * HLC values are 64-bit: milliseconds since the epoch << 16, plus a
 * counter.  A site never issues a value below one it has issued or seen,
 * so its changes order after everything it knew, even when its clock is
 * behind the peer's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bc-sync.h"
#include "store-internal.h"

#define HLC_SHIFT	16

/* FNV-1a, 64 bits, as 16 hex digits: the hash of a canonical document. */
void
bc_meta_hash_result(sqlite3_context *ctx, unsigned long long h)
{
	static const char hex[] = "0123456789abcdef";
	char out[16];
	int i;

	/* "%016llx" without printf: it is called once per object recorded */
	for (i = 15; i >= 0; i--, h >>= 4)
		out[i] = hex[h & 0xf];
	sqlite3_result_text(ctx, out, 16, SQLITE_TRANSIENT);
}

static void
hash_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	bc_meta_hash_result(ctx, bc_fnv1a(BC_FNV1A_INIT,
	    sqlite3_value_text(argv[0]), (size_t)sqlite3_value_bytes(argv[0])));
}

/* bc_next(): the next HLC value of the flush running (s->hlc_next). */
static void
next_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	bc_store *s = sqlite3_user_data(ctx);

	(void)argc;
	(void)argv;
	sqlite3_result_int64(ctx, s->hlc_next++);
}

/* bc_seq(): the next feed position (see bc_seq_load()). */
static void
seq_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	bc_store *s = sqlite3_user_data(ctx);

	(void)argc;
	(void)argv;
	sqlite3_result_int64(ctx, ++s->seq_next);
}

int
bc_meta_register(bc_store *s, struct bc_err *err)
{
	int rc;

	rc = sqlite3_create_function_v2(s->db, "bc_hash", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, hash_fn, NULL,
	    NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(s->db, "bc_next", 0,
		    SQLITE_UTF8 | SQLITE_DIRECTONLY, s, next_fn, NULL, NULL,
		    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(s->db, "bc_seq", 0,
		    SQLITE_UTF8 | SQLITE_DIRECTONLY, s, seq_fn, NULL, NULL,
		    NULL);
	if (rc != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, "register functions");
	return BC_OK;
}

static long long
now_hlc(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000) <<
	    HLC_SHIFT;
}

long long
bc_hlc_millis(long long hlc)
{
	return hlc >> HLC_SHIFT;
}

static const char SQL_SEQ_GET[] = "SELECT seq FROM site";
static const char SQL_SEQ_SET[] = "UPDATE site SET seq = max(seq, ?1)";

int
bc_seq_load(bc_store *s, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_SEQ_GET, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	s->seq_next = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read feed position");
	return BC_OK;
}

int
bc_seq_save(bc_store *s, struct bc_err *err)
{
	sqlite3_stmt *st;

	if ((st = bc_stmt(s, SQL_SEQ_SET, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, s->seq_next);
	return bc_step_done(s, st, err, "write feed position");
}

static const char SQL_SITE_HLC[] = "SELECT hlc, name FROM site";
static const char SQL_SITE_HLC_SET[] =
    "UPDATE site SET hlc = max(hlc, ?1)";

/*
 * The first HLC value to issue: above everything issued or seen, and not
 * below the wall clock.  *origin gets this site's name (caller frees).
 */
static int
hlc_first(bc_store *s, long long *first, char **origin, struct bc_err *err)
{
	sqlite3_stmt *st;
	long long last, now;
	int rc, nomem = 0;

	if ((st = bc_stmt(s, SQL_SITE_HLC, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return bc_err_set(err, BC_ENOSTORE, "store '%s' is not "
			    "initialised", s->path);
		return bc_sqlite_err(s, rc, err, "read clock");
	}
	last = sqlite3_column_int64(st, 0);
	*origin = bc_column_dup(st, 1, &nomem);
	sqlite3_reset(st);
	if (nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	now = now_hlc();
	*first = now > last ? now : last + 1;
	return BC_OK;
}

int
bc_hlc_observe(bc_store *s, long long hlc, struct bc_err *err)
{
	sqlite3_stmt *st;

	if ((st = bc_stmt(s, SQL_SITE_HLC_SET, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, hlc);
	return bc_step_done(s, st, err, "advance clock");
}

static const char SQL_DIRTY_COUNT[] = "SELECT count(*) FROM sync_dirty";
static const char SQL_DIRTY_CLEAR[] = "DELETE FROM sync_dirty";
/*
 * Live marked objects: each gets its document hashed once (a join, not a
 * LEFT JOIN, so that the hash is computed in one place only) and a new
 * HLC from bc_next() when the hash changed.  ?1: this site.
 */
#define FLUSH_LIVE(kind, join) \
    FLUSH_INTO(kind, "x.key", \
    "FROM sync_dirty x JOIN " join " WHERE x.kind = '" kind "' ")
/*
 * Objects a load created (row id above its mark in sync_load, schema/
 * 006-load-capture.sql): recorded from the documents directly, unmarked.
 */
#define FLUSH_NEW(kind, view) \
    FLUSH_INTO(kind, "v.key", "FROM " view " v " \
    "WHERE v.id > (SELECT " kind " FROM sync_load) ")
/* key: the object's key; from: FROM and WHERE giving v.doc. */
#define FLUSH_INTO(kind, key, from) \
    "INSERT INTO sync_meta (kind, key, hlc, origin, hash, deleted, seq) " \
    "SELECT '" kind "', " key ", bc_next(), ?1, bc_hash(v.doc), 0, " \
    "bc_seq() " from \
    "ON CONFLICT (kind, key) DO UPDATE SET hlc = excluded.hlc, " \
    "origin = excluded.origin, hash = excluded.hash, deleted = 0, " \
    "seq = excluded.seq " \
    "WHERE sync_meta.hash IS NOT excluded.hash OR sync_meta.deleted = 1"
/* Marked objects that are gone (few: deletions); see flush_gone(). */
#define FLUSH_GONE(kind, absent) \
    "SELECT x.key FROM sync_dirty x WHERE x.kind = '" kind "' " \
    "AND NOT EXISTS (" absent ")"
#define DN_OF_KEY \
    "type = substr(x.key, 1, instr(x.key, ':') - 1) " \
    "AND number = substr(x.key, instr(x.key, ':') + 1)"

/*
 * In dependency order (logins and DNs before the places and persons that
 * name them), so that the feed positions of one commit bring what an
 * object names before the object (core/feed-apply.c).
 */
static const char *const flush_live[] = {
	FLUSH_LIVE("login", "sync_login_doc v ON v.key = x.key"),
	FLUSH_LIVE("dn", "sync_dn_doc v ON v." DN_OF_KEY),
	FLUSH_LIVE("place", "sync_place_doc v ON v.key = x.key"),
	FLUSH_LIVE("person", "sync_person_doc v ON v.key = x.key"),
};
static const char *const flush_new[] = {
	FLUSH_NEW("login", "sync_login_doc"),
	FLUSH_NEW("dn", "sync_dn_doc"),
	FLUSH_NEW("place", "sync_place_doc"),
	FLUSH_NEW("person", "sync_person_doc"),
};
/* A load's marks: the highest row ids recorded so far. */
static const char SQL_LOAD_MARK[] = "INSERT INTO sync_load "
    "(dn, place, person, login) SELECT "
    "(SELECT coalesce(max(id), 0) FROM dn), "
    "(SELECT coalesce(max(id), 0) FROM place), "
    "(SELECT coalesce(max(id), 0) FROM person), "
    "(SELECT coalesce(max(id), 0) FROM agent_login)";
static const char SQL_LOAD_ADVANCE[] = "UPDATE sync_load SET "
    "dn = (SELECT coalesce(max(id), 0) FROM dn), "
    "place = (SELECT coalesce(max(id), 0) FROM place), "
    "person = (SELECT coalesce(max(id), 0) FROM person), "
    "login = (SELECT coalesce(max(id), 0) FROM agent_login)";
static const char SQL_LOAD_END[] = "DELETE FROM sync_load";
static const char SQL_LOAD_GET[] = "SELECT dn, place, person, login "
    "FROM sync_load";
static const char SQL_LOAD_NEW[] = "SELECT "
    "EXISTS (SELECT 1 FROM dn WHERE id > l.dn) OR "
    "EXISTS (SELECT 1 FROM place WHERE id > l.place) OR "
    "EXISTS (SELECT 1 FROM person WHERE id > l.person) OR "
    "EXISTS (SELECT 1 FROM agent_login WHERE id > l.login) "
    "FROM sync_load l";

static const char *const flush_gone[][2] = {
	{ "dn", FLUSH_GONE("dn", "SELECT 1 FROM dn WHERE " DN_OF_KEY) },
	{ "place", FLUSH_GONE("place", "SELECT 1 FROM place "
	    "WHERE name = x.key") },
	{ "person", FLUSH_GONE("person", "SELECT 1 FROM person "
	    "WHERE username = x.key") },
	{ "login", FLUSH_GONE("login", "SELECT 1 FROM agent_login "
	    "WHERE code = x.key") },
};
static const char SQL_TOMBSTONE[] = "UPDATE sync_meta SET hlc = bc_next(), "
    "origin = ?3, hash = NULL, deleted = 1, seq = bc_seq() WHERE kind = ?1 AND key = ?2 "
    "AND deleted = 0";

/*
 * Turns the metadata of marked objects that are gone into tombstones.
 * One lookup per deletion, found by one pass over the marks: an UPDATE
 * joined to the marks would walk every metadata row of the kind.
 */
static int
flush_gone_kind(bc_store *s, const char *kind, const char *sql,
    const char *origin, int *changed, struct bc_err *err)
{
	sqlite3_stmt *list, *st;
	int rc = BC_OK, step;

	step = sqlite3_prepare_v2(s->db, sql, -1, &list, NULL);
	if (step != SQLITE_OK)
		return bc_sqlite_err(s, step, err, "record deletions");
	while (rc == BC_OK && (step = sqlite3_step(list)) == SQLITE_ROW) {
		if ((st = bc_stmt(s, SQL_TOMBSTONE, err)) == NULL) {
			rc = err->status;
			break;
		}
		bc_bind_text(st, 1, kind);
		sqlite3_bind_text(st, 2, (const char *)
		    sqlite3_column_text(list, 0), -1, SQLITE_TRANSIENT);
		bc_bind_text(st, 3, origin);
		if ((rc = bc_step_done(s, st, err, "record deletions")) ==
		    BC_OK)
			*changed += sqlite3_changes(s->db);
	}
	if (rc == BC_OK && step != SQLITE_DONE)
		rc = bc_sqlite_err(s, step, err, "record deletions");
	sqlite3_finalize(list);
	return rc;
}

/* *fresh: a load created objects since its mark (or since the last flush). */
static int
load_pending(bc_store *s, int *fresh, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_LOAD_NEW, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	*fresh = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read changes");
	return BC_OK;
}

/* Reads the load's marks back into the store (bc_meta_load_mark()). */
static int
load_marks(bc_store *s, struct bc_err *err)
{
	sqlite3_stmt *st;
	int i, rc;

	if ((st = bc_stmt(s, SQL_LOAD_GET, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	for (i = 0; rc == SQLITE_ROW && i < 4; i++)
		s->load_mark[i] = sqlite3_column_int64(st, i);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? bc_err_set(err, BC_EINTERNAL,
		    "load without marks") : bc_sqlite_err(s, rc, err,
		    "begin load");
	return BC_OK;
}

/*
 * The insert triggers of change capture (schema/006-load-capture.sql),
 * and the update trigger of DNs (places take their DNs by updates),
 * dropped for the load: even when their WHEN clause lets a row pass, each
 * costs SQLite a trigger program per row, most of a load's time.  They
 * are put back from their own text before the commit, so that no other
 * connection ever sees them missing; meanwhile the library marks what
 * they would have marked (bc_meta_load_mark()).
 */
static const char SQL_LOAD_TRIGGERS[] = "SELECT name, sql FROM sqlite_master "
    "WHERE type = 'trigger' AND name IN ('dn_sync_insert', "
    "'dn_option_sync_insert', 'place_sync_insert', "
    "'place_option_sync_insert', 'person_sync_insert', "
    "'person_login_sync_insert', 'login_sync_insert', "
    "'login_option_sync_insert', 'dn_sync_update') ORDER BY name";

static int
load_drop_triggers(bc_store *s, struct bc_err *err)
{
	sqlite3_stmt *st;
	char *names[BC_LOAD_TRIGGERS], sql[128];
	int i, n = 0, rc, nomem = 0;

	if ((rc = sqlite3_prepare_v2(s->db, SQL_LOAD_TRIGGERS, -1, &st,
	    NULL)) != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, "begin load");
	while (n < BC_LOAD_TRIGGERS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		names[n] = bc_column_dup(st, 0, &nomem);
		s->load_trig[n] = bc_column_dup(st, 1, &nomem);
		n++;
	}
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		rc = bc_sqlite_err(s, rc, err, "begin load");
	else if (nomem)
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (rc == BC_OK && names[i] != NULL) {
			snprintf(sql, sizeof(sql), "DROP TRIGGER \"%s\"",
			    names[i]);
			if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) !=
			    SQLITE_OK)
				rc = bc_sqlite_err(s, sqlite3_errcode(s->db),
				    err, "begin load");
		}
		free(names[i]);
	}
	return rc;
}

int
bc_meta_load_begin(bc_store *s, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_LOAD_MARK, err)) == NULL)
		return err->status;
	if ((rc = bc_step_done(s, st, err, "begin load")) ||
	    (rc = load_marks(s, err)))
		return rc;
	s->load = 1;
	/* the caller rolls back on failure, which restores the triggers */
	return load_drop_triggers(s, err);
}

void
bc_meta_load_forget(bc_store *s)
{
	int i;

	s->load = 0;
	for (i = 0; i < BC_LOAD_TRIGGERS; i++) {
		free(s->load_trig[i]);
		s->load_trig[i] = NULL;
	}
}

int
bc_meta_load_end(bc_store *s, struct bc_err *err)
{
	sqlite3_stmt *st;
	int i, rc = BC_OK;

	for (i = 0; rc == BC_OK && i < BC_LOAD_TRIGGERS; i++)
		if (s->load_trig[i] != NULL && sqlite3_exec(s->db,
		    s->load_trig[i], NULL, NULL, NULL) != SQLITE_OK)
			rc = bc_sqlite_err(s, sqlite3_errcode(s->db), err,
			    "end load");
	bc_meta_load_forget(s);
	if (rc)
		return rc;
	if ((st = bc_stmt(s, SQL_LOAD_END, err)) == NULL)
		return err->status;
	return bc_step_done(s, st, err, "end load");
}

/* What each dropped insert trigger marks, for an object of the kind. */
static const char *const load_mark_sql[] = {
	[BC_LOAD_DN] = "INSERT OR IGNORE INTO sync_dirty "
	    "SELECT 'dn', type || ':' || number FROM dn WHERE id = ?1 AND "
	    "(type = 'extension' OR type = 'acd-queue' OR "
	    "type = 'call-processing-port')",
	[BC_LOAD_PLACE] = "INSERT OR IGNORE INTO sync_dirty "
	    "SELECT 'place', name FROM place WHERE id = ?1",
	[BC_LOAD_PERSON] = "INSERT OR IGNORE INTO sync_dirty "
	    "SELECT 'person', username FROM person WHERE id = ?1",
	[BC_LOAD_LOGIN] = "INSERT OR IGNORE INTO sync_dirty "
	    "SELECT 'login', code FROM agent_login WHERE id = ?1",
};

int
bc_meta_load_mark(bc_store *s, enum bc_load_kind k, sqlite3_int64 id,
    struct bc_err *err)
{
	sqlite3_stmt *st;

	/* created by the load: recorded from its document at commit */
	if (!s->load || id > s->load_mark[k])
		return BC_OK;
	if ((st = bc_stmt(s, load_mark_sql[k], err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	return bc_step_done(s, st, err, "record change");
}

/* ---- documents built in C --------------------------------------- */

/*
 * The canonical documents of new objects, built from the structs the
 * XML import writes instead of by the sync_*_doc views at commit: byte
 * for byte what SQLite's json_object() makes of the same rows (keys in
 * the views' order, text quoted with '"' and '\' escaped, integers in
 * decimal, NULL as null, options and DNs in the views' order, an empty
 * group as {} or []).  Text with a control character (escaped by SQLite
 * in its own way) is refused: such an object is left to the views.
 */
struct jbuf {
	unsigned long long h;	/* FNV-1a of what was put so far */
	int	 bad;		/* text refused */
};

/* FNV-1a, 64 bits (bc_hash()), of the document as it is put. */
#define JB_INIT	{ BC_FNV1A_INIT, 0 }

static void
jb_put(struct jbuf *b, const char *s, size_t n)
{
	b->h = bc_fnv1a(b->h, s, n);
}

static void
jb_raw(struct jbuf *b, const char *s)
{
	jb_put(b, s, strlen(s));
}

/* s escaped for a JSON string, without the quotes. */
static void
jb_esc(struct jbuf *b, const char *s)
{
	unsigned long long h = b->h;
	unsigned char c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c < 0x20 || c == 0x7f) {
			b->bad = 1;
			return;
		}
		if (c == '"' || c == '\\')
			h = bc_fnv1a(h, "\\", 1);
		h = bc_fnv1a(h, &c, 1);
	}
	b->h = h;
}

/* A JSON string, or null for NULL. */
static void
jb_str(struct jbuf *b, const char *s)
{
	if (s == NULL) {
		jb_raw(b, "null");
		return;
	}
	jb_put(b, "\"", 1);
	jb_esc(b, s);
	jb_put(b, "\"", 1);
}

/* The JSON string of a || sep || c. */
static void
jb_str3(struct jbuf *b, const char *a, const char *sep, const char *c)
{
	jb_put(b, "\"", 1);
	jb_esc(b, a);
	jb_esc(b, sep);
	jb_esc(b, c);
	jb_put(b, "\"", 1);
}

/* ,"name": */
static void
jb_key(struct jbuf *b, const char *name, int first)
{
	if (!first)
		jb_put(b, ",", 1);
	jb_str(b, name);
	jb_put(b, ":", 1);
}

static void
jb_int(struct jbuf *b, long long v)
{
	char num[24], *p = num + sizeof(num);
	unsigned long long u = v < 0 ? -(unsigned long long)v :
	    (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*--p = '-';
	jb_put(b, p, (size_t)(num + sizeof(num) - p));
}

/* json_group_object(section || '/' || key, value), sorted as stored. */
static void
jb_options(struct jbuf *b, const struct bc_options *o)
{
	size_t i;

	jb_put(b, "{", 1);
	for (i = 0; i < o->n; i++) {
		if (i > 0)
			jb_put(b, ",", 1);
		jb_str3(b, o->v[i].section, "/", o->v[i].key);
		jb_put(b, ":", 1);
		jb_str(b, o->v[i].value);
	}
	jb_put(b, "}", 1);
}

/* The hash of the document put into b; -1 when it could not be built. */
static int
jb_hash(struct jbuf *b, unsigned long long *hash)
{
	if (b->bad)
		return -1;
	*hash = b->h;
	return 0;
}

int
bc_meta_hash_login(const struct bc_login *l, unsigned long long *hash)
{
	struct jbuf b = JB_INIT;

	jb_put(&b, "{", 1);
	jb_key(&b, "code", 1);
	jb_str(&b, l->code);
	jb_key(&b, "password", 0);
	jb_str(&b, l->password);
	jb_key(&b, "override", 0);
	jb_str(&b, l->override);
	jb_key(&b, "use-override", 0);
	jb_int(&b, l->use_override ? 1 : 0);
	jb_key(&b, "enabled", 0);
	jb_int(&b, l->enabled ? 1 : 0);
	jb_key(&b, "option", 0);
	jb_options(&b, &l->options);
	jb_put(&b, "}", 1);
	return jb_hash(&b, hash);
}

int
bc_meta_hash_dn(const struct bc_dn *d, unsigned long long *hash)
{
	struct jbuf b = JB_INIT;

	jb_put(&b, "{", 1);
	jb_key(&b, "type", 1);
	jb_str(&b, bc_dn_type_name(d->type));
	jb_key(&b, "number", 0);
	jb_str(&b, d->number);
	jb_key(&b, "alias", 0);
	jb_str(&b, d->alias);
	jb_key(&b, "register", 0);
	jb_str(&b, bc_register_name(d->reg));
	jb_key(&b, "password", 0);
	jb_str(&b, d->password);
	jb_key(&b, "enabled", 0);
	jb_int(&b, d->enabled ? 1 : 0);
	jb_key(&b, "option", 0);
	jb_options(&b, &d->options);
	jb_put(&b, "}", 1);
	return jb_hash(&b, hash);
}

int
bc_meta_hash_place(const struct bc_place *p, unsigned long long *hash)
{
	struct jbuf b = JB_INIT;
	size_t i;

	jb_put(&b, "{", 1);
	jb_key(&b, "name", 1);
	jb_str(&b, p->name);
	jb_key(&b, "enabled", 0);
	jb_int(&b, p->enabled ? 1 : 0);
	jb_key(&b, "dn", 0);
	jb_put(&b, "[", 1);
	for (i = 0; i < p->ndns; i++) {
		if (i > 0)
			jb_put(&b, ",", 1);
		jb_str3(&b, bc_dn_type_name(p->dns[i].type), ":",
		    p->dns[i].number);
	}
	jb_put(&b, "]", 1);
	jb_key(&b, "option", 0);
	jb_options(&b, &p->options);
	jb_put(&b, "}", 1);
	return jb_hash(&b, hash);
}

int
bc_meta_hash_person(const struct bc_person *p, unsigned long long *hash)
{
	struct jbuf b = JB_INIT;
	size_t i;

	jb_put(&b, "{", 1);
	jb_key(&b, "username", 1);
	jb_str(&b, p->username);
	jb_key(&b, "first", 0);
	jb_str(&b, p->first);
	jb_key(&b, "last", 0);
	jb_str(&b, p->last);
	jb_key(&b, "employee-id", 0);
	jb_str(&b, p->employee_id);
	jb_key(&b, "agent", 0);
	jb_int(&b, p->agent ? 1 : 0);
	jb_key(&b, "enabled", 0);
	jb_int(&b, p->enabled ? 1 : 0);
	jb_key(&b, "preferred-site", 0);
	jb_str(&b, p->preferred_site);
	jb_key(&b, "place", 0);
	jb_str(&b, p->place);
	jb_key(&b, "login", 0);
	jb_put(&b, "{", 1);
	for (i = 0; i < p->nlogins; i++) {
		if (i > 0)
			jb_put(&b, ",", 1);
		jb_str(&b, p->logins[i].code);
		jb_put(&b, ":", 1);
		jb_int(&b, p->logins[i].wrapup);
	}
	jb_put(&b, "}", 1);
	jb_put(&b, "}", 1);
	return jb_hash(&b, hash);
}

/*
 * A loader that records its new objects itself (the XML import into a
 * store without objects): the first HLC value and the last feed
 * position, taken when its transaction began instead of at the commit,
 * and, once it has written n rows into sync_meta with the values that
 * follow them, the marks moved past its objects so that the commit's
 * flush finds nothing new.
 */
int
bc_meta_load_clock(bc_store *s, long long *hlc, long long *seq,
    char **origin, struct bc_err *err)
{
	int rc;

	if (!s->load)
		return bc_err_set(err, BC_EINTERNAL, "load clock: no load");
	if ((rc = hlc_first(s, hlc, origin, err)))
		return rc;
	if ((rc = bc_seq_load(s, err))) {
		free(*origin);
		*origin = NULL;
		return rc;
	}
	*seq = s->seq_next;
	return BC_OK;
}

int
bc_meta_load_recorded(bc_store *s, long long hlc, long long seq,
    long long n, int changed, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_LOAD_ADVANCE, err)) == NULL)
		return err->status;
	if ((rc = bc_step_done(s, st, err, "record changes")) ||
	    (rc = load_marks(s, err)))
		return rc;
	if (!changed || n == 0)
		return BC_OK;
	s->seq_next = seq + n;
	if ((rc = bc_seq_save(s, err)))
		return rc;
	return bc_hlc_observe(s, hlc + n - 1, err);
}

int
bc_meta_marked(bc_store *s, long long *n, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((st = bc_stmt(s, SQL_DIRTY_COUNT, err)) == NULL)
		return err->status;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return bc_sqlite_err(s, rc, err, "read changes");
	return BC_OK;
}

int
bc_meta_flush(bc_store *s, struct bc_err *err)
{
	sqlite3_stmt *st;
	long long n, first;
	char *origin = NULL;
	size_t i;
	int rc, changed = 0, fresh = 0;

	if ((rc = bc_meta_marked(s, &n, err)))
		return rc;
	if (s->load && (rc = load_pending(s, &fresh, err)))
		return rc;
	if (n == 0 && !fresh)
		return BC_OK;
	if ((rc = hlc_first(s, &first, &origin, err)))
		return rc;
	s->hlc_next = first;
	if ((rc = bc_seq_load(s, err))) {
		free(origin);
		return rc;
	}
	/* a load's new objects first, then the marks */
	for (i = 0; fresh && rc == BC_OK && i < sizeof(flush_new) /
	    sizeof(flush_new[0]); i++) {
		if ((st = bc_stmt(s, flush_new[i], err)) == NULL) {
			rc = err->status;
			break;
		}
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
		if ((rc = bc_step_done(s, st, err, "record changes")) ==
		    BC_OK)
			changed += sqlite3_changes(s->db);
	}
	/* what is recorded is marked again when it changes */
	if (fresh && rc == BC_OK) {
		if ((st = bc_stmt(s, SQL_LOAD_ADVANCE, err)) == NULL)
			rc = err->status;
		else if ((rc = bc_step_done(s, st, err, "record changes")) ==
		    BC_OK)
			rc = load_marks(s, err);
	}
	for (i = 0; rc == BC_OK && i < sizeof(flush_live) /
	    sizeof(flush_live[0]); i++) {
		if ((st = bc_stmt(s, flush_live[i], err)) == NULL) {
			rc = err->status;
			break;
		}
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
		if ((rc = bc_step_done(s, st, err, "record changes")) ==
		    BC_OK)
			changed += sqlite3_changes(s->db);
	}
	for (i = 0; rc == BC_OK && i < sizeof(flush_gone) /
	    sizeof(flush_gone[0]); i++)
		rc = flush_gone_kind(s, flush_gone[i][0], flush_gone[i][1],
		    origin, &changed, err);
	free(origin);
	/*
	 * Like the clock, the feed position moves only when a row was
	 * written: bc_seq() is also called for rows whose hash is unchanged,
	 * and a write that changes nothing must leave the store as it was.
	 */
	if (rc == BC_OK && changed > 0)
		rc = bc_seq_save(s, err);
	if (rc)
		return rc;
	/* the clock moves only when something really changed */
	if (changed > 0 && (rc = bc_hlc_observe(s, s->hlc_next - 1, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_DIRTY_CLEAR, err)) == NULL)
		return err->status;
	return bc_step_done(s, st, err, "record changes");
}

static const char SQL_META_TOUCH[] = "UPDATE sync_meta SET hlc = ?3, "
    "origin = ?4, seq = bc_seq() WHERE kind = ?1 AND key = ?2";

int
bc_meta_touch(bc_store *s, const char *kind, const char *key,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	long long hlc;
	char *origin = NULL;
	int rc;

	if ((rc = bc_meta_flush(s, err)) ||
	    (rc = hlc_first(s, &hlc, &origin, err)) ||
	    (rc = bc_hlc_observe(s, hlc, err))) {
		free(origin);
		return rc;
	}
	if ((st = bc_stmt(s, SQL_META_TOUCH, err)) == NULL) {
		free(origin);
		return err->status;
	}
	bc_bind_text(st, 1, kind);
	bc_bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, hlc);
	sqlite3_bind_text(st, 4, origin, -1, SQLITE_TRANSIENT);
	free(origin);
	if ((rc = bc_seq_load(s, err)) ||
	    (rc = bc_step_done(s, st, err, "record change")))
		return rc;
	return bc_seq_save(s, err);
}

/*
 * Records changes left by writers that bypass the library (the sqlite3
 * shell), before metadata is compared (diff, sync).  Other writes record
 * them anyway when they commit.
 */
int
bc_meta_catch_up(bc_store *s, struct bc_err *err)
{
	long long pending;
	int rc;

	if ((rc = bc_meta_marked(s, &pending, err)) || pending == 0)
		return rc;
	/* comparing without them would give a wrong answer */
	if (s->readonly)
		return bc_err_set(err, BC_ECREATE, "store '%s' has changes "
		    "made around sipbc that are not recorded yet, and this "
		    "user cannot write it to record them: run any bcadm write "
		    "on it as its owner first", s->path);
	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, BC_OK, err);	/* commit flushes */
}
