/*
 * xml-import.c -- bc_xml_import_*(): a site document (sipbc-site(5))
 * into the store, in one transaction.
 *
 * The document is read once, streaming, by libxml2's SAX2 parser with
 * the schema validator plugged in front of our callbacks
 * (xmlSchemaSAXPlug), so memory does not grow with the document.  An
 * object is applied when its element has ended and the validator has
 * seen the end (at the next parser event), so a document error is
 * reported as such before the store is asked anything about it.  The
 * first error of any kind stops the parser; the transaction is then
 * rolled back and nothing of the document is written.
 *
 * Hostile input: the parser runs without XML_PARSE_NOENT,
 * XML_PARSE_DTDLOAD, XML_PARSE_DTDVALID and XML_PARSE_HUGE, with
 * XML_PARSE_NONET, and the first document type declaration stops it
 * before its internal subset is read: no entity is ever declared, so
 * none is expanded or fetched.  libxml2's own limits (depth, name,
 * text and lookahead lengths) apply.  No process-wide libxml2 setting
 * is changed.
 *
 * Identity uniqueness is checked here, in a hash table of the
 * identities seen, rather than by the schema's document-wide xs:unique
 * constraints, which libxml2 keeps in memory; a temporary SQL table of
 * them drives --replace.
 *
 * Into a store without objects the import takes a fresh path (see
 * fresh_*() below): no reads before writes, references by row id from
 * the identities, DNs inserted with the places that take them, document
 * hashes computed here.  Where it would differ from the per-object path
 * it gives up before reporting anything, and the document is read again
 * on that path.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>

#include "rows.h"
#include "store-internal.h"
#include "bc-xml.h"
#include "xml-errors.h"

/* Generated from schema/sipbc-site.xsd by schema/embed-xsd.sh. */
extern const char bc_xml_schema[];
extern const size_t bc_xml_schema_len;

#define XML_IO_CHUNK	65536

enum kind { K_NONE, K_LOGIN, K_DN, K_PLACE, K_PERSON };

static const char *const kind_names[] = {
	[K_NONE] = "site", [K_LOGIN] = "login", [K_DN] = "dn",
	[K_PLACE] = "place", [K_PERSON] = "person",
};

/* Statements of the importer's own, finalized at the end. */
enum imp_stmt {
	ST_SEEN_ADD,
	ST_DN_PLACE,
	ST_LOGIN_HOLDER,
	ST_WALK_LOGIN,		/* the walks beside the document, by kind */
	ST_WALK_DN,
	ST_WALK_PLACE,
	ST_WALK_PERSON,
	ST_WALK_DN_LOCAL,
	ST_COUNT
};

/* Recorded hashes of one kind, in the order the document gives it. */
#define SQL_WALK_META(kind) "SELECT key, hash FROM sync_meta " \
    "WHERE kind = '" kind "' AND deleted = 0 ORDER BY key"

static const char *const imp_sql[ST_COUNT] = {
	[ST_SEEN_ADD] = "INSERT OR IGNORE INTO temp.bc_xml_seen "
	    "(kind, key, line, col) VALUES (?1, ?2, ?3, ?4)",
	[ST_DN_PLACE] = "SELECT p.name FROM dn d JOIN place p "
	    "ON p.id = d.place_id WHERE d.type = CAST(?1 AS TEXT) "
	    "AND d.number = ?2",
	[ST_LOGIN_HOLDER] = "SELECT r.username FROM person_login pl "
	    "JOIN agent_login l ON l.id = pl.login_id "
	    "JOIN person r ON r.id = pl.person_id WHERE l.code = ?1",
	[ST_WALK_LOGIN] = SQL_WALK_META("login"),
	[ST_WALK_DN] = SQL_WALK_META("dn"),
	[ST_WALK_PLACE] = SQL_WALK_META("place"),
	[ST_WALK_PERSON] = SQL_WALK_META("person"),
	/* what a DN's document leaves out: the site's own fields */
	[ST_WALK_DN_LOCAL] = "SELECT type, number, association, contact "
	    "FROM dn ORDER BY type, number",
};

/*
 * The identities of the document's objects, to find duplicates: an open
 * addressing hash table of indexes into ent, the keys ("K" kind letter,
 * then the identity, NUL-terminated) one after the other in keys.
 */
struct seen_ent {
	uint64_t	 hash;
	size_t		 key;		/* offset in keys */
	int		 line, col;
	/* the fresh path: row id (a DN: index in fdn + 1), login taken */
	sqlite3_int64	 id;
	int		 used;
};
struct seen {
	/* 0 empty, else index in ent + 1, high 32 bits of the hash above */
	uint64_t	*slot;
	size_t		 nslot;		/* a power of 2 */
	struct seen_ent	*ent;
	size_t		 nent, ment;
	char		*keys;
	size_t		 nkeys, mkeys;
};

/* The fresh path: a DN waits for the places that take it. */
struct fresh_dn {
	struct bc_dn	 dn;
	sqlite3_int64	 place_id;	/* 0: none */
	unsigned long long hash;	/* of its document, when sync */
	int		 sync;		/* of a synchronized type */
	long long	 seq;		/* its feed position, when sync */
};

struct fresh_batch;
struct fresh_q;

struct imp {
	bc_store		*s;
	xmlParserCtxtPtr	 ctxt;
	const char		*name;
	unsigned		 flags;
	bc_xml_change_cb	 cb;
	void			*arg;
	size_t			 nchanges;
	struct bc_err		*err;
	int			 failed;	/* err holds the first error */
	sqlite3_stmt		*st[ST_COUNT];
	struct seen		 seen;

	/*
	 * Objects the store holds as the document gives them are not read:
	 * walks of the recorded hashes (and of the DNs' own fields) in key
	 * order, beside the document, tell them.  Only while the hashes are
	 * current: nothing was marked changed when the import began, and
	 * this import has not changed an object of that kind other than
	 * the one it reads (a DN or a login taken from another place or
	 * person).
	 */
	int			 walk_ok[5];	/* by kind */
	int			 walk_at[ST_COUNT]; /* 0 first, 1 row, 2 end */

	/*
	 * The fresh path (a store without objects): objects are inserted
	 * without reading the store first, DNs after the places that take
	 * them, and the changes are reported at the end.  Whatever fails
	 * before they are reported makes the import start again on the
	 * per-object path, which reports the error (fallback).
	 */
	int			 fresh;
	int			 filling;	/* bc_store_fill_begin() */
	int			 fallback;
	int			 reported;	/* changes reported: no fallback */
	struct fresh_dn		*fdn;
	size_t			 nfdn, mfdn;
	size_t			 nids[4];	/* row ids given, by K_* - 1 */
	size_t			 nsync;		/* DNs of synchronized types */
	enum kind		 phase;		/* the kind read last */
	int			 dns_closed;	/* no more DNs: nsync known */
	int			 dns_sent;	/* fdn handed to the writer */
	struct fresh_batch	*batch;		/* being filled */
	struct fresh_q		*q;		/* the writer */

	char			*abuf;		/* attribute values */
	size_t			 mabuf;

	/* input */
	int			 fd;
	off_t			 fd_start;	/* where it began, -1: a pipe */
	const char		*buf;
	size_t			 len, off;

	/* where the reader is */
	int			 depth;		/* of the open element, root 1 */
	int			 sync_only;	/* root synchronized-only */
	int			 root_line, root_col;

	/* the object being read; applied when pending */
	enum kind		 kind;
	int			 pending;
	int			 line, col;	/* of its start tag */
	struct bc_login		 login;
	struct bc_dn		 dn;
	struct bc_place		 place;
	struct bc_person	 person;
	char			*section;	/* current annex section */
	struct bc_err		 objerr;	/* first error inside it */
	int			 objerr_line, objerr_col;
};

/* ---- errors ------------------------------------------------------- */

/* Where the parser is: just after the construct it last read. */
static void
imp_pos(struct imp *m, int *line, int *col)
{
	*line = 0;
	*col = 0;
	if (m->ctxt != NULL && m->ctxt->input != NULL) {
		*line = m->ctxt->input->line;
		*col = m->ctxt->input->col;
	}
}

/* Records the first error, "NAME:LINE:COL: message", and stops. */
static void __attribute__((format(printf, 5, 6)))
imp_fail(struct imp *m, int line, int col, enum bc_status status,
    const char *fmt, ...)
{
	char msg[BC_ERR_MAX];
	va_list ap;

	if (m->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bc_err_set(m->err, status, "%s:%d:%d: %s", m->name, line, col, msg);
	m->failed = 1;
	/*
	 * Stopped as xmlStopParser() stops it, but without freeing its
	 * input: called from a callback (a start tag, an encoding switch),
	 * libxml2 2.9 goes on reading the tag or the buffer it would free.
	 */
	if (m->ctxt != NULL) {
		m->ctxt->instate = XML_PARSER_EOF;
		m->ctxt->disableSAX = 1;
	}
}

/* A library error about the object at line:col. */
static void
imp_fail_err(struct imp *m, int line, int col, const struct bc_err *e)
{
	imp_fail(m, line, col, e->status, "%s", e->msg);
}

/* libxml2's message without its trailing newline. */
static void
imp_xml_error(struct imp *m, const xmlError *e, int line, int col)
{
	char msg[BC_ERR_MAX], *p;
	size_t n;

	snprintf(msg, sizeof(msg), "%s",
	    e->message != NULL ? e->message : "unknown error");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	/* one line: "...encoding !\nBytes: 0xFF" */
	for (p = msg; (p = strchr(p, '\n')) != NULL; p++)
		*p = ' ';
	if (e->domain == XML_FROM_SCHEMASV)
		imp_fail(m, line, col, BC_EINVAL, "not a valid site document: "
		    "%s", msg);
	else if (e->code == XML_ERR_NO_MEMORY)
		imp_fail(m, line, col, BC_ENOMEM, "%s", msg);
	else if (e->domain == XML_FROM_IO)
		imp_fail(m, line, col, BC_EIO, "%s", msg);
	else
		imp_fail(m, line, col, BC_EINVAL, "not well-formed XML: %s",
		    msg);
}

/*
 * Parser errors: data is the plug's user data, the parser context is in
 * the error.  Warnings are not errors.
 */
static void
imp_parse_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt;
	struct imp *m;

	(void)data;
	if (e == NULL || e->level == XML_ERR_WARNING ||
	    (ctxt = e->ctxt) == NULL || (m = ctxt->_private) == NULL)
		return;
	imp_xml_error(m, e, e->line, e->int2);
}

/* Validity errors: positions come from the parser, which is there. */
static void
imp_valid_error(void *data, xmlErrorPtr e)
{
	struct imp *m = data;
	int line, col;

	if (e == NULL || e->level == XML_ERR_WARNING)
		return;
	imp_pos(m, &line, &col);
	imp_xml_error(m, e, line, col);
}

/*
 * Errors without a parser context (encoding conversion, I/O): positions
 * come from the parser of the pass.
 */
static void
imp_context_error(void *data, xmlErrorPtr e)
{
	struct imp *m = data;
	int line, col;

	if (e == NULL || e->level == XML_ERR_WARNING)
		return;
	imp_pos(m, &line, &col);
	imp_xml_error(m, e, line, col);
}

/* The schema is ours: an error in it is a bug. */
static void
imp_schema_error(void *data, xmlErrorPtr e)
{
	struct imp *m = data;

	if (e == NULL || e->level == XML_ERR_WARNING || m->failed)
		return;
	bc_err_set(m->err, BC_EINTERNAL, "embedded schema: %s",
	    e->message != NULL ? e->message : "unknown error");
	m->failed = 1;
}

/* ---- the store side ---------------------------------------------- */

static int
imp_sql_err(struct imp *m, int rc, struct bc_err *e)
{
	return bc_sqlite_err(m->s, rc, e, "import");
}

/*
 * The table of identities seen lives in the connection's temporary
 * database.  It is created before the transaction when none is open:
 * a schema change inside a transaction makes SQLite reload the schema
 * at every savepoint rollback, and the library rolls back one for each
 * object it looks up and does not find.
 */
static int
imp_seen_table(struct imp *m, struct bc_err *e)
{
	int rc;

	rc = sqlite3_exec(m->s->db,
	    "CREATE TEMP TABLE IF NOT EXISTS bc_xml_seen ("
	    "kind TEXT NOT NULL, key TEXT NOT NULL, line INTEGER, "
	    "col INTEGER, PRIMARY KEY (kind, key)) WITHOUT ROWID",
	    NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return imp_sql_err(m, rc, e);
	return BC_OK;
}

static int
imp_prepare(struct imp *m, struct bc_err *e)
{
	int i, rc;

	if ((rc = imp_seen_table(m, e)))
		return rc;
	rc = sqlite3_exec(m->s->db, "DELETE FROM temp.bc_xml_seen", NULL,
	    NULL, NULL);
	if (rc != SQLITE_OK)
		return imp_sql_err(m, rc, e);
	for (i = 0; i < ST_COUNT; i++)
		if ((rc = sqlite3_prepare_v2(m->s->db, imp_sql[i], -1,
		    &m->st[i], NULL)) != SQLITE_OK)
			return imp_sql_err(m, rc, e);
	return BC_OK;
}

static void
imp_finalize(struct imp *m)
{
	int i;

	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(m->st[i]);
		m->st[i] = NULL;
	}
}

static void
seen_free(struct seen *t)
{
	free(t->slot);
	free(t->ent);
	free(t->keys);
	memset(t, 0, sizeof(*t));
}

static uint64_t
seen_hash(const char *p, size_t n)
{
	return bc_fnv1a(BC_FNV1A_INIT, p, n);
}

#define SLOT(h, i)	(((h) & 0xffffffff00000000ULL) | (uint64_t)(i))
#define SLOT_TAG(h)	((h) & 0xffffffff00000000ULL)

/* Doubles the slots (at least 1024) and places every entry again. */
static int
seen_grow(struct seen *t)
{
	uint64_t *slot;
	size_t n = t->nslot ? t->nslot * 2 : 1024, i, j;

	if (n > UINT32_MAX || (slot = calloc(n, sizeof(*slot))) == NULL)
		return -1;
	for (i = 0; i < t->nent; i++) {
		for (j = t->ent[i].hash & (n - 1); slot[j] != 0;
		    j = (j + 1) & (n - 1))
			;
		slot[j] = SLOT(t->ent[i].hash, i + 1);
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = n;
	return 0;
}

/*
 * Adds kind:key seen at line:col; 1 when it was there already (*line,
 * *col: where), 0 when added, -1 out of memory.
 */
static int
seen_add(struct seen *t, enum kind k, const char *key, int *line, int *col)
{
	struct seen_ent *e;
	size_t len = strlen(key) + 2, i, m;
	uint64_t h;
	void *p;

	if ((t->nent + 1) * 2 > t->nslot && seen_grow(t) != 0)
		return -1;
	h = seen_hash(key, len - 2) ^ (uint64_t)k * 0x9e3779b97f4a7c15ULL;
	for (i = h & (t->nslot - 1); t->slot[i] != 0;
	    i = (i + 1) & (t->nslot - 1)) {
		if (SLOT_TAG(t->slot[i]) != SLOT_TAG(h))
			continue;
		e = &t->ent[(uint32_t)t->slot[i] - 1];
		if (e->hash == h && t->keys[e->key] == "?LDPR"[k] &&
		    strcmp(t->keys + e->key + 1, key) == 0) {
			*line = e->line;
			*col = e->col;
			return 1;
		}
	}
	if (t->nent == t->ment) {
		m = t->ment ? t->ment * 2 : 1024;
		if ((p = realloc(t->ent, m * sizeof(*t->ent))) == NULL)
			return -1;
		t->ent = p;
		t->ment = m;
	}
	if (t->nkeys + len > t->mkeys) {
		for (m = t->mkeys ? t->mkeys : 65536; m < t->nkeys + len;
		    m *= 2)
			;
		if ((p = realloc(t->keys, m)) == NULL)
			return -1;
		t->keys = p;
		t->mkeys = m;
	}
	e = &t->ent[t->nent];
	e->hash = h;
	e->key = t->nkeys;
	e->line = *line;
	e->col = *col;
	e->id = 0;
	e->used = 0;
	t->keys[t->nkeys] = "?LDPR"[k];
	memcpy(t->keys + t->nkeys + 1, key, len - 1);
	t->nkeys += len;
	t->slot[i] = SLOT(h, ++t->nent);
	return 0;
}

/* The entry of kind:key, or NULL. */
static struct seen_ent *
seen_find(struct seen *t, enum kind k, const char *key)
{
	struct seen_ent *e;
	size_t i;
	uint64_t h;

	if (t->nslot == 0)
		return NULL;
	h = seen_hash(key, strlen(key)) ^ (uint64_t)k * 0x9e3779b97f4a7c15ULL;
	for (i = h & (t->nslot - 1); t->slot[i] != 0;
	    i = (i + 1) & (t->nslot - 1)) {
		if (SLOT_TAG(t->slot[i]) != SLOT_TAG(h))
			continue;
		e = &t->ent[(uint32_t)t->slot[i] - 1];
		if (e->hash == h && t->keys[e->key] == "?LDPR"[k] &&
		    strcmp(t->keys + e->key + 1, key) == 0)
			return e;
	}
	return NULL;
}

/*
 * Records the identity of an object of the document; a second object
 * with the same identity is an error naming the first one's line.  The
 * table in SQL is only for --replace (what the document does not name).
 */
static int
imp_seen(struct imp *m, enum kind k, const char *key, struct bc_err *e)
{
	sqlite3_stmt *st = m->st[ST_SEEN_ADD];
	int rc, line = m->line, col = m->col;

	if ((rc = seen_add(&m->seen, k, key, &line, &col)) < 0)
		return bc_err_set(e, BC_ENOMEM, "out of memory");
	if (rc > 0)
		return bc_err_set(e, BC_EINVAL, "duplicate %s '%s' (first at "
		    "line %d, column %d)", kind_names[k], key, line, col);
	/* a fresh store: --replace has nothing to delete */
	if (!(m->flags & BC_XML_REPLACE) || m->fresh)
		return BC_OK;
	sqlite3_reset(st);
	bc_bind_text(st, 1, kind_names[k]);
	bc_bind_text(st, 2, key);
	sqlite3_bind_int(st, 3, m->line);
	sqlite3_bind_int(st, 4, m->col);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return imp_sql_err(m, rc, e);
	return BC_OK;
}

/* Tells the caller about one change. */
static int
imp_change(struct imp *m, const char *action, enum kind k, const char *id,
    struct bc_err *e)
{
	int rc;

	m->nchanges++;
	if (m->cb != NULL && (rc = m->cb(action, kind_names[k], id,
	    m->arg)) != 0) {
		bc_err_set(e, rc, "import stopped by the caller");
		return rc;
	}
	return BC_OK;
}

/* One text column of a one-row query, or NULL. */
static int
imp_lookup(struct imp *m, sqlite3_stmt *st, char **out, struct bc_err *e)
{
	int rc, nomem = 0;

	*out = NULL;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = bc_column_dup(st, 0, &nomem);
	sqlite3_reset(st);
	if (nomem)
		return bc_err_set(e, BC_ENOMEM, "out of memory");
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return imp_sql_err(m, rc, e);
	return BC_OK;
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
options_eq(const struct bc_options *a, const struct bc_options *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].section, b->v[i].section) != 0 ||
		    strcmp(a->v[i].key, b->v[i].key) != 0 ||
		    strcmp(a->v[i].value, b->v[i].value) != 0)
			return 0;
	return 1;
}

static int
login_eq(const struct bc_login *a, const struct bc_login *b)
{
	return str_eq(a->password, b->password) &&
	    str_eq(a->override, b->override) &&
	    !a->use_override == !b->use_override &&
	    !a->enabled == !b->enabled && options_eq(&a->options, &b->options);
}

static int
dn_eq(const struct bc_dn *a, const struct bc_dn *b)
{
	return str_eq(a->alias, b->alias) && a->reg == b->reg &&
	    str_eq(a->association, b->association) &&
	    str_eq(a->contact, b->contact) &&
	    str_eq(a->password, b->password) && !a->enabled == !b->enabled &&
	    options_eq(&a->options, &b->options);
}

/* Store order of a place's DNs: type name, then number. */
static int
place_dn_cmp(const void *va, const void *vb)
{
	const struct bc_place_dn *a = va, *b = vb;
	int c;

	if ((c = strcmp(bc_dn_type_name(a->type), bc_dn_type_name(b->type))))
		return c;
	return strcmp(a->number, b->number);
}

static int
place_eq(const struct bc_place *a, const struct bc_place *b)
{
	size_t i;

	if (!a->enabled != !b->enabled || a->ndns != b->ndns ||
	    !options_eq(&a->options, &b->options))
		return 0;
	for (i = 0; i < a->ndns; i++)
		if (a->dns[i].type != b->dns[i].type ||
		    strcmp(a->dns[i].number, b->dns[i].number) != 0)
			return 0;
	return 1;
}

static int
person_login_cmp(const void *va, const void *vb)
{
	const struct bc_person_login *a = va, *b = vb;

	return strcmp(a->code, b->code);
}

static int
person_eq(const struct bc_person *a, const struct bc_person *b)
{
	size_t i;

	if (!str_eq(a->first, b->first) || !str_eq(a->last, b->last) ||
	    !str_eq(a->employee_id, b->employee_id) ||
	    !a->agent != !b->agent || !a->enabled != !b->enabled ||
	    !str_eq(a->preferred_site, b->preferred_site) ||
	    !str_eq(a->place, b->place) || a->nlogins != b->nlogins)
		return 0;
	for (i = 0; i < a->nlogins; i++)
		if (strcmp(a->logins[i].code, b->logins[i].code) != 0 ||
		    a->logins[i].wrapup != b->logins[i].wrapup)
			return 0;
	return 1;
}

/*
 * Moves walk w on to the row whose first column is k1 (and second k2,
 * when not NULL), the document's identity; *found: it is there.  A row
 * passed is never seen again: a document out of order only finds less.
 */
static int
walk_seek(struct imp *m, enum imp_stmt w, const char *k1, const char *k2,
    int *found, struct bc_err *e)
{
	sqlite3_stmt *st = m->st[w];
	const char *c1, *c2;
	int c, rc;

	*found = 0;
	for (;;) {
		if (m->walk_at[w] == 2)
			return BC_OK;
		if (m->walk_at[w] == 0) {
			if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
				m->walk_at[w] = 2;
				return BC_OK;
			}
			if (rc != SQLITE_ROW)
				return imp_sql_err(m, rc, e);
			m->walk_at[w] = 1;
		}
		c1 = (const char *)sqlite3_column_text(st, 0);
		c2 = (const char *)sqlite3_column_text(st, 1);
		if (c1 == NULL || c2 == NULL)
			return bc_err_set(e, BC_EINTERNAL, "import: a row "
			    "without its key");
		if ((c = strcmp(c1, k1)) == 0 && k2 != NULL)
			c = strcmp(c2, k2);
		if (c > 0)
			return BC_OK;
		if (c == 0) {
			*found = 1;
			return BC_OK;
		}
		m->walk_at[w] = 0;	/* behind the document: next row */
	}
}

/*
 * *same = 1 when the store holds the object kind:key exactly as the
 * document gives it, told by the hash of its canonical document (hashed
 * 0: hash, from bc_meta_hash_*()) against the one recorded at the last
 * commit, without reading the object: an import of a file that changes
 * little reads little.  0 when that cannot be told (a site-local DN
 * type, a new object, a document the C code does not hash): the caller
 * reads and compares.
 */
static int
imp_unchanged(struct imp *m, enum kind k, const char *key, int hashed,
    unsigned long long hash, int *same, struct bc_err *e)
{
	static const enum imp_stmt walks[] = { [K_LOGIN] = ST_WALK_LOGIN,
	    [K_DN] = ST_WALK_DN, [K_PLACE] = ST_WALK_PLACE,
	    [K_PERSON] = ST_WALK_PERSON };
	const char *text;
	int rc, found;

	*same = 0;
	if (hashed != 0 || !m->walk_ok[k])
		return BC_OK;
	if ((rc = walk_seek(m, walks[k], key, NULL, &found, e)) || !found)
		return rc;
	text = (const char *)sqlite3_column_text(m->st[walks[k]], 1);
	*same = text != NULL && strlen(text) == 16 &&
	    strtoull(text, NULL, 16) == hash;
	return BC_OK;
}

/* The same for a DN: its document, then the fields it leaves out. */
static int
imp_dn_unchanged(struct imp *m, const char *id, int *same,
    struct bc_err *e)
{
	sqlite3_stmt *st = m->st[ST_WALK_DN_LOCAL];
	unsigned long long hash = 0;
	int rc, hashed, found;

	hashed = bc_meta_hash_dn(&m->dn, &hash);
	if ((rc = imp_unchanged(m, K_DN, id, hashed, hash, same, e)) ||
	    !*same)
		return rc;
	*same = 0;
	if ((rc = walk_seek(m, ST_WALK_DN_LOCAL, bc_dn_type_name(m->dn.type),
	    m->dn.number, &found, e)) || !found)
		return rc;
	*same = str_eq((const char *)sqlite3_column_text(st, 2),
	    m->dn.association) &&
	    str_eq((const char *)sqlite3_column_text(st, 3), m->dn.contact);
	return BC_OK;
}

/*
 * The walks may be trusted while nothing is marked changed.  Changes
 * marked before the import began (rows written with the sqlite3 shell)
 * are recorded first, as the import's commit would record them anyway:
 * the flush leaves no mark, and every recorded hash is current.
 */
static int
walk_begin(struct imp *m, struct bc_err *e)
{
	int rc, i;

	if ((rc = bc_meta_flush(m->s, e)))
		return rc;
	for (i = 0; i < 5; i++)
		m->walk_ok[i] = 1;
	memset(m->walk_at, 0, sizeof(m->walk_at));
	return BC_OK;
}

/* Ends the walks, before the store's tables change in other ways. */
static void
walk_end(struct imp *m)
{
	int i;

	for (i = ST_WALK_LOGIN; i <= ST_WALK_DN_LOCAL; i++)
		if (m->st[i] != NULL)
			sqlite3_reset(m->st[i]);
	memset(m->walk_ok, 0, sizeof(m->walk_ok));
}

static int
apply_login(struct imp *m, struct bc_err *e)
{
	struct bc_login cur;
	unsigned long long hash = 0;
	int rc, same, hashed;

	if ((rc = imp_seen(m, K_LOGIN, m->login.code, e)))
		return rc;
	hashed = bc_meta_hash_login(&m->login, &hash);
	if ((rc = imp_unchanged(m, K_LOGIN, m->login.code, hashed, hash,
	    &same, e)) || same)
		return rc;
	rc = bc_login_get(m->s, m->login.code, &cur, e);
	if (rc == BC_ENOENT) {
		if ((rc = bc_login_add(m->s, &m->login, e)) == BC_OK)
			rc = imp_change(m, "create", K_LOGIN, m->login.code, e);
		return rc;
	}
	if (rc != BC_OK)
		return rc;
	if (!login_eq(&cur, &m->login) &&
	    (rc = bc_login_update(m->s, &m->login, e)) == BC_OK)
		rc = imp_change(m, "update", K_LOGIN, m->login.code, e);
	bc_login_clear(&cur);
	return rc;
}

static int
apply_dn(struct imp *m, struct bc_err *e)
{
	struct bc_dn cur;
	char id[300];
	int rc, same;

	snprintf(id, sizeof(id), "%s:%s", bc_dn_type_name(m->dn.type),
	    m->dn.number);
	if ((rc = imp_seen(m, K_DN, id, e)) ||
	    (rc = imp_dn_unchanged(m, id, &same, e)) || same)
		return rc;
	/* membership comes from the places of the document */
	rc = bc_dn_get(m->s, m->dn.number, &m->dn.type, &cur, e);
	if (rc == BC_ENOENT) {
		if ((rc = bc_dn_add(m->s, &m->dn, e)) == BC_OK)
			rc = imp_change(m, "create", K_DN, id, e);
		return rc;
	}
	if (rc != BC_OK)
		return rc;
	free(m->dn.place);
	m->dn.place = cur.place;
	cur.place = NULL;
	if (!dn_eq(&cur, &m->dn) &&
	    (rc = bc_dn_update(m->s, &m->dn, e)) == BC_OK)
		rc = imp_change(m, "update", K_DN, id, e);
	bc_dn_clear(&cur);
	return rc;
}

/*
 * A DN the document puts in this place leaves the other place that
 * holds it in the store, so that places may swap DNs in one document.
 */
static int
place_take_dns(struct imp *m, struct bc_err *e)
{
	sqlite3_stmt *st = m->st[ST_DN_PLACE];
	struct bc_dn dn;
	char *owner;
	size_t i;
	int rc;

	for (i = 0; i < m->place.ndns; i++) {
		sqlite3_reset(st);
		bc_bind_text(st, 1, bc_dn_type_name(m->place.dns[i].type));
		bc_bind_text(st, 2, m->place.dns[i].number);
		if ((rc = imp_lookup(m, st, &owner, e)))
			return rc;
		if (owner == NULL || strcmp(owner, m->place.name) == 0) {
			free(owner);
			continue;
		}
		rc = bc_dn_get(m->s, m->place.dns[i].number,
		    &m->place.dns[i].type, &dn, e);
		if (rc == BC_OK) {
			free(dn.place);
			dn.place = NULL;
			rc = bc_dn_update(m->s, &dn, e);
			bc_dn_clear(&dn);
		}
		if (rc == BC_OK)
			rc = imp_change(m, "update", K_PLACE, owner, e);
		m->walk_ok[K_PLACE] = 0;	/* its hash is old now */
		free(owner);
		if (rc != BC_OK)
			return rc;
	}
	return BC_OK;
}

static int
apply_place(struct imp *m, struct bc_err *e)
{
	struct bc_place cur;
	unsigned long long hash = 0;
	int rc, same, hashed;

	if ((rc = imp_seen(m, K_PLACE, m->place.name, e)))
		return rc;
	if (m->place.ndns > 1)
		qsort(m->place.dns, m->place.ndns, sizeof(*m->place.dns),
		    place_dn_cmp);
	hashed = bc_meta_hash_place(&m->place, &hash);
	if ((rc = imp_unchanged(m, K_PLACE, m->place.name, hashed, hash,
	    &same, e)) || same)
		return rc;
	rc = bc_place_get(m->s, m->place.name, &cur, e);
	if (rc == BC_ENOENT) {
		if ((rc = place_take_dns(m, e)) == BC_OK &&
		    (rc = bc_place_add(m->s, &m->place, e)) == BC_OK)
			rc = imp_change(m, "create", K_PLACE, m->place.name, e);
		return rc;
	}
	if (rc != BC_OK)
		return rc;
	if (!place_eq(&cur, &m->place) &&
	    (rc = place_take_dns(m, e)) == BC_OK &&
	    (rc = bc_place_update(m->s, &m->place, e)) == BC_OK)
		rc = imp_change(m, "update", K_PLACE, m->place.name, e);
	bc_place_clear(&cur);
	return rc;
}

/* A login the document gives this person leaves its other holder. */
static int
person_take_logins(struct imp *m, struct bc_err *e)
{
	sqlite3_stmt *st = m->st[ST_LOGIN_HOLDER];
	struct bc_person other;
	char *holder;
	size_t i, j;
	int rc;

	for (i = 0; i < m->person.nlogins; i++) {
		sqlite3_reset(st);
		bc_bind_text(st, 1, m->person.logins[i].code);
		if ((rc = imp_lookup(m, st, &holder, e)))
			return rc;
		if (holder == NULL || strcmp(holder, m->person.username) == 0) {
			free(holder);
			continue;
		}
		if ((rc = bc_person_get(m->s, holder, &other, e)) == BC_OK) {
			for (j = 0; j < other.nlogins; j++)
				if (strcmp(other.logins[j].code,
				    m->person.logins[i].code) == 0) {
					free(other.logins[j].code);
					memmove(&other.logins[j],
					    &other.logins[j + 1],
					    (other.nlogins - j - 1) *
					    sizeof(*other.logins));
					other.nlogins--;
					break;
				}
			rc = bc_person_update(m->s, &other, e);
			bc_person_clear(&other);
		}
		if (rc == BC_OK)
			rc = imp_change(m, "update", K_PERSON, holder, e);
		m->walk_ok[K_PERSON] = 0;	/* its hash is old now */
		free(holder);
		if (rc != BC_OK)
			return rc;
	}
	return BC_OK;
}

static int
apply_person(struct imp *m, struct bc_err *e)
{
	struct bc_person cur;
	unsigned long long hash = 0;
	int rc, same, hashed;

	if ((rc = imp_seen(m, K_PERSON, m->person.username, e)))
		return rc;
	if (m->person.nlogins > 1)
		qsort(m->person.logins, m->person.nlogins,
		    sizeof(*m->person.logins), person_login_cmp);
	hashed = bc_meta_hash_person(&m->person, &hash);
	if ((rc = imp_unchanged(m, K_PERSON, m->person.username, hashed,
	    hash, &same, e)) || same)
		return rc;
	rc = bc_person_get(m->s, m->person.username, &cur, e);
	if (rc == BC_ENOENT) {
		if ((rc = person_take_logins(m, e)) == BC_OK &&
		    (rc = bc_person_add(m->s, &m->person, e)) == BC_OK)
			rc = imp_change(m, "create", K_PERSON,
			    m->person.username, e);
		return rc;
	}
	if (rc != BC_OK)
		return rc;
	if (!person_eq(&cur, &m->person) &&
	    (rc = person_take_logins(m, e)) == BC_OK &&
	    (rc = bc_person_update(m->s, &m->person, e)) == BC_OK)
		rc = imp_change(m, "update", K_PERSON, m->person.username, e);
	bc_person_clear(&cur);
	return rc;
}

/* ---- the fresh path --------------------------------------------- */

/*
 * Each fresh_*() does what apply_*() does in a store without objects,
 * where the object is always new: the library checks it as bc_*_add()
 * does, and what it names is found among the document's objects read
 * so far (the store holds nothing else).  Where the per-object path
 * would do more than create the object (a place taking a DN from a
 * place before it, a person taking a login), or report an error, the
 * fresh path fails and the import starts again on that path.
 *
 * The reader (the thread that called the import, which parses and
 * validates) does everything but the writes: checks, identities,
 * references, documents and their hashes, the row ids the objects get
 * (every table is empty: 1, 2, ... in document order) and their feed
 * positions (logins, then DNs of synchronized types by type and number,
 * places, persons: the order in which the commit would record them; the
 * schema puts the document's sections in that order).  Batches of
 * objects go to a writer thread, which owns the store's connection
 * until the document has been read, and writes each table's rows of a
 * batch, and their sync_meta rows, with one INSERT ... SELECT from the
 * batch (the virtual table bc_import_rows) instead of one INSERT per
 * row.  The DNs wait for their places and go to the writer at the first
 * person (or at the end).  The first error on either side stops both;
 * nothing is committed before the reader has seen the whole document
 * valid.
 */

#define FRESH_BATCH	1024	/* objects a batch */
#define FRESH_QUEUE	64	/* batches between reader and writer */
#define FRESH_META	32768	/* sync_meta rows kept before a statement */

/* One object for the writer; K_DN: every DN waiting in fdn. */
/* What an op of kind K_DN asks of the writer (the DNs are in fdn). */
enum fresh_dn_part {
	DN_META = 1,		/* their sync_meta rows: once no DN can come */
	DN_ROWS			/* their rows: once no place can come */
};

struct fresh_op {
	enum kind		 kind;
	enum fresh_dn_part	 dn_part;	/* kind K_DN */
	sqlite3_int64		 id;		/* the row id it gets */
	long long		 seq;		/* its feed position */
	unsigned long long	 hash;		/* of its document */
	sqlite3_int64		 place_id;	/* a person's place */
	sqlite3_int64		*logins;	/* a person's login row ids */
	union {
		struct bc_login	 login;
		struct bc_place	 place;
		struct bc_person person;
	} u;
};

struct fresh_batch {
	size_t			 n;
	struct fresh_op		 op[FRESH_BATCH];
};

/* The rows one INSERT ... SELECT reads from bc_import_rows(?1). */
enum fresh_what {
	R_LOGIN, R_LOGIN_OPT, R_PLACE, R_PLACE_OPT, R_DN, R_DN_OPT,
	R_PERSON, R_PERSON_LOGIN, R_META, R_DN_META, R_ALL_META, R_COUNT
};

static const char *const fresh_sql[R_COUNT] = {
	[R_LOGIN] = "INSERT INTO agent_login (id, code, password, override, "
	    "use_override, enabled) SELECT c0, c1, c2, c3, c4, c5 "
	    "FROM bc_import_rows(?1)",
	[R_LOGIN_OPT] = "INSERT INTO login_option (login_id, section, key, "
	    "value) SELECT c0, c1, c2, c3 FROM bc_import_rows(?1)",
	[R_PLACE] = "INSERT INTO place (id, name, enabled) "
	    "SELECT c0, c1, c2 FROM bc_import_rows(?1)",
	[R_PLACE_OPT] = "INSERT INTO place_option (place_id, section, key, "
	    "value) SELECT c0, c1, c2, c3 FROM bc_import_rows(?1)",
	[R_DN] = "INSERT INTO dn (id, type, number, alias, register, "
	    "association, contact, password, enabled, place_id) "
	    "SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 "
	    "FROM bc_import_rows(?1)",
	[R_DN_OPT] = "INSERT INTO dn_option (dn_id, section, key, value) "
	    "SELECT c0, c1, c2, c3 FROM bc_import_rows(?1)",
	[R_PERSON] = "INSERT INTO person (id, username, first_name, "
	    "last_name, employee_id, agent, enabled, preferred_site, "
	    "place_id) SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8 "
	    "FROM bc_import_rows(?1)",
	[R_PERSON_LOGIN] = "INSERT INTO person_login (person_id, login_id, "
	    "wrapup) SELECT c0, c1, c2 FROM bc_import_rows(?1)",
	/* as the commit's flush records a load's new objects (meta.c) */
	[R_META] = "INSERT INTO sync_meta (kind, key, hlc, origin, hash, "
	    "deleted, seq) SELECT c0, c1, c2, ?2, c3, 0, c4 "
	    "FROM bc_import_rows(?1) WHERE 1 "
	    "ON CONFLICT (kind, key) DO UPDATE SET hlc = excluded.hlc, "
	    "origin = excluded.origin, hash = excluded.hash, deleted = 0, "
	    "seq = excluded.seq "
	    "WHERE sync_meta.hash IS NOT excluded.hash OR "
	    "sync_meta.deleted = 1",
	[R_DN_META] = NULL,		/* collected for R_ALL_META */
	[R_ALL_META] = NULL,		/* R_META */
};

/* R_META into an empty sync_meta (no tombstone to take over). */
static const char SQL_META_EMPTY[] = "INSERT INTO sync_meta (kind, key, "
    "hlc, origin, hash, deleted, seq) SELECT c0, c1, c2, ?2, c3, 0, c4 "
    "FROM bc_import_rows(?1)";
static const char SQL_META_IS_EMPTY[] = "SELECT NOT EXISTS "
    "(SELECT 1 FROM sync_meta)";

struct fresh_q;

struct fresh_rows {
	enum fresh_what		 what;
	size_t			 n;
	const struct fresh_q	*q;
	const struct fresh_batch *b;
	const size_t		*a, *s;		/* row i: a[i], s[i] */
};

struct fresh_q {
	struct imp		*m;
	sqlite3_stmt		*st[R_COUNT];
	char			*origin;	/* this site, for sync_meta */
	long long		 hlc0, seq0;	/* the first HLC, last seq */
	int			 changed;	/* sync_meta rows written */
	size_t			*a, *s;		/* the rows' indexes */
	size_t			 ma;
	/* the sync_meta rows to write: kind letter and key in keys */
	struct fresh_meta {
		size_t			 key;	/* offset in keys */
		long long		 seq;
		unsigned long long	 hash;
	}			*meta;
	size_t			 nmeta, mmeta;
	char			*keys;
	size_t			 nkeys, mkeys;

	/* the writer thread */
	int			 threaded;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* a batch, or room for one */
	struct fresh_batch	*b[FRESH_QUEUE];
	size_t			 head, n;
	int			 done;		/* the reader sends no more */
	int			 stop;		/* the reader failed: drop all */
	int			 failed;	/* the writer failed: err */
	struct bc_err		 err;
};

/* ---- bc_import_rows: the rows of a batch as a table --------------- */

#define FRESH_PTR	"bc_import_rows"
static void
res_id(sqlite3_context *ctx, sqlite3_int64 id)
{
	if (id == 0)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx, id);
}

/* An option row: owner, section, key, value. */
static void
res_option(sqlite3_context *ctx, sqlite3_int64 owner,
    const struct bc_options *o, size_t j, int col)
{
	switch (col) {
	case 0:	sqlite3_result_int64(ctx, owner); break;
	case 1:	bc_rows_text(ctx, o->v[j].section); break;
	case 2:	bc_rows_text(ctx, o->v[j].key); break;
	case 3:	bc_rows_text(ctx, o->v[j].value); break;
	default: sqlite3_result_null(ctx); break;
	}
}

/* A sync_meta row: kind, key, HLC, hash, feed position. */
static void
res_meta(sqlite3_context *ctx, const struct fresh_q *q, const char *kind,
    const char *key, long long seq, unsigned long long hash, int col)
{
	switch (col) {
	case 0:	bc_rows_text(ctx, kind); break;
	case 1:	bc_rows_text(ctx, key); break;
	case 2:	sqlite3_result_int64(ctx, q->hlc0 + (seq - q->seq0 - 1));
		break;
	case 3:	bc_meta_hash_result(ctx, hash); break;
	case 4:	sqlite3_result_int64(ctx, seq); break;
	default: sqlite3_result_null(ctx); break;
	}
}

static size_t
vt_count(const void *rows)
{
	return ((const struct fresh_rows *)rows)->n;
}

static void
vt_column(const void *rows, size_t row, int col, sqlite3_context *ctx)
{
	const struct fresh_rows *r = rows;
	const struct fresh_op *op = NULL;
	const struct fresh_dn *d;
	const struct bc_login *l;
	const struct bc_place *p;
	const struct bc_person *h;
	const struct fresh_meta *mk;
	size_t i = r->a[row], j = r->s != NULL ? r->s[row] : 0;

	if (r->b != NULL)
		op = &r->b->op[i];
	switch (r->what) {
	case R_LOGIN:
		l = &op->u.login;
		switch (col) {
		case 0:	sqlite3_result_int64(ctx, op->id); break;
		case 1:	bc_rows_text(ctx, l->code); break;
		case 2:	bc_rows_text(ctx, l->password); break;
		case 3:	bc_rows_text(ctx, l->override); break;
		case 4:	sqlite3_result_int(ctx, l->use_override ? 1 : 0);
			break;
		case 5:	sqlite3_result_int(ctx, l->enabled ? 1 : 0); break;
		default: sqlite3_result_null(ctx); break;
		}
		break;
	case R_LOGIN_OPT:
		res_option(ctx, op->id, &op->u.login.options, j, col);
		break;
	case R_PLACE:
		p = &op->u.place;
		switch (col) {
		case 0:	sqlite3_result_int64(ctx, op->id); break;
		case 1:	bc_rows_text(ctx, p->name); break;
		case 2:	sqlite3_result_int(ctx, p->enabled ? 1 : 0); break;
		default: sqlite3_result_null(ctx); break;
		}
		break;
	case R_PLACE_OPT:
		res_option(ctx, op->id, &op->u.place.options, j, col);
		break;
	case R_PERSON:
		h = &op->u.person;
		switch (col) {
		case 0:	sqlite3_result_int64(ctx, op->id); break;
		case 1:	bc_rows_text(ctx, h->username); break;
		case 2:	bc_rows_text(ctx, h->first); break;
		case 3:	bc_rows_text(ctx, h->last); break;
		case 4:	bc_rows_text(ctx, h->employee_id); break;
		case 5:	sqlite3_result_int(ctx, h->agent ? 1 : 0); break;
		case 6:	sqlite3_result_int(ctx, h->enabled ? 1 : 0); break;
		case 7:	bc_rows_text(ctx, h->preferred_site); break;
		case 8:	res_id(ctx, op->place_id); break;
		default: sqlite3_result_null(ctx); break;
		}
		break;
	case R_PERSON_LOGIN:
		switch (col) {
		case 0:	sqlite3_result_int64(ctx, op->id); break;
		case 1:	sqlite3_result_int64(ctx, op->logins[j]); break;
		case 2:	sqlite3_result_int(ctx,
			    op->u.person.logins[j].wrapup);
			break;
		default: sqlite3_result_null(ctx); break;
		}
		break;
	case R_ALL_META:
		mk = &r->q->meta[i];
		res_meta(ctx, r->q, kind_names[strchr("?LDPR",
		    r->q->keys[mk->key]) - "?LDPR"], r->q->keys + mk->key + 1,
		    mk->seq, mk->hash, col);
		break;
	case R_DN:
		d = &r->q->m->fdn[i];
		switch (col) {
		case 0:	sqlite3_result_int64(ctx, (sqlite3_int64)i + 1); break;
		case 1:	bc_rows_text(ctx, bc_dn_type_name(d->dn.type)); break;
		case 2:	bc_rows_text(ctx, d->dn.number); break;
		case 3:	bc_rows_text(ctx, d->dn.alias); break;
		case 4:	bc_rows_text(ctx, bc_register_name(d->dn.reg)); break;
		case 5:	bc_rows_text(ctx, d->dn.association); break;
		case 6:	bc_rows_text(ctx, d->dn.contact); break;
		case 7:	bc_rows_text(ctx, d->dn.password); break;
		case 8:	sqlite3_result_int(ctx, d->dn.enabled ? 1 : 0); break;
		case 9:	res_id(ctx, d->place_id); break;
		default: sqlite3_result_null(ctx); break;
		}
		break;
	case R_DN_OPT:
		res_option(ctx, (sqlite3_int64)i + 1,
		    &r->q->m->fdn[i].dn.options, j, col);
		break;
	case R_META:
	case R_DN_META:
	case R_COUNT:
		sqlite3_result_null(ctx);
		break;
	}
}

static const struct bc_rows_type fresh_type = {
	.name = FRESH_PTR,
	.ncol = 10,
	.count = vt_count,
	.skip = NULL,
	.column = vt_column,
};

/* ---- the writer ---------------------------------------------------- */

static void
fresh_batch_free(struct fresh_batch *b)
{
	struct fresh_op *op;
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		op = &b->op[i];
		switch (op->kind) {
		case K_LOGIN:	bc_login_clear(&op->u.login); break;
		case K_PLACE:	bc_place_clear(&op->u.place); break;
		case K_PERSON:	bc_person_clear(&op->u.person); break;
		default:	break;
		}
		free(op->logins);
	}
	free(b);
}

/* Room for n row indexes. */
static int
fresh_rows_room(struct fresh_q *q, size_t n)
{
	size_t m;
	void *p;

	if (n <= q->ma)
		return 0;
	for (m = q->ma ? q->ma : 1024; m < n; m *= 2)
		;
	if ((p = realloc(q->a, m * sizeof(*q->a))) == NULL)
		return -1;
	q->a = p;
	if ((p = realloc(q->s, m * sizeof(*q->s))) == NULL)
		return -1;
	q->s = p;
	q->ma = m;
	return 0;
}

/* Appends row (i, j); -1 out of memory. */
static int
fresh_row(struct fresh_q *q, size_t *n, size_t i, size_t j)
{
	if (fresh_rows_room(q, *n + 1) != 0)
		return -1;
	q->a[*n] = i;
	q->s[*n] = j;
	(*n)++;
	return 0;
}

/* Keeps a sync_meta row for fresh_meta_flush(). */
static int
fresh_meta_add(struct fresh_q *q, enum kind k, const char *key,
    const char *sep, const char *key2, long long seq,
    unsigned long long hash)
{
	size_t n = strlen(key) + 2, n2 = 0, m;
	void *p;

	if (sep != NULL)
		n += strlen(sep) + (n2 = strlen(key2));
	if (q->nmeta == q->mmeta) {
		m = q->mmeta ? q->mmeta * 2 : 4096;
		if ((p = realloc(q->meta, m * sizeof(*q->meta))) == NULL)
			return -1;
		q->meta = p;
		q->mmeta = m;
	}
	if (q->nkeys + n > q->mkeys) {
		for (m = q->mkeys ? q->mkeys : 65536; m < q->nkeys + n; m *= 2)
			;
		if ((p = realloc(q->keys, m)) == NULL)
			return -1;
		q->keys = p;
		q->mkeys = m;
	}
	q->meta[q->nmeta].key = q->nkeys;
	q->meta[q->nmeta].seq = seq;
	q->meta[q->nmeta++].hash = hash;
	p = q->keys + q->nkeys;
	*(char *)p = "?LDPR"[k];
	if (sep == NULL)
		memcpy((char *)p + 1, key, n - 1);
	else {
		m = strlen(key);
		memcpy((char *)p + 1, key, m);
		memcpy((char *)p + 1 + m, sep, n - 2 - m - n2);
		memcpy((char *)p + n - 1 - n2, key2, n2 + 1);
	}
	q->nkeys += n;
	return 0;
}

/* The sync_meta rows of batch b (R_META), or of the DNs (R_DN_META). */
static int
fresh_meta_collect(struct fresh_q *q, const struct fresh_batch *b,
    enum fresh_what w, struct bc_err *e)
{
	const struct fresh_op *op;
	const struct fresh_dn *d;
	size_t i;
	int nomem = 0;

	if (w == R_DN_META)
		for (i = 0; !nomem && i < q->m->nfdn; i++) {
			d = &q->m->fdn[i];
			if (d->sync)
				nomem = fresh_meta_add(q, K_DN,
				    bc_dn_type_name(d->dn.type), ":",
				    d->dn.number, d->seq, d->hash);
		}
	else
		for (i = 0; !nomem && i < b->n; i++) {
			op = &b->op[i];
			if (op->kind == K_LOGIN)
				nomem = fresh_meta_add(q, K_LOGIN,
				    op->u.login.code, NULL, NULL, op->seq,
				    op->hash);
			else if (op->kind == K_PLACE)
				nomem = fresh_meta_add(q, K_PLACE,
				    op->u.place.name, NULL, NULL, op->seq,
				    op->hash);
			else if (op->kind == K_PERSON)
				nomem = fresh_meta_add(q, K_PERSON,
				    op->u.person.username, NULL, NULL,
				    op->seq, op->hash);
		}
	if (nomem)
		return bc_err_set(e, BC_ENOMEM, "out of memory");
	return BC_OK;
}

/*
 * Writes the sync_meta rows kept, with one statement.  Its CHECK
 * constraints (kind one of four, deleted 0 or 1) hold by construction
 * here, and SQLite would evaluate the kind's IN list by building a
 * table for every row (more than half of the statement's time): the
 * statement is compiled without them (ignore_check_constraints is read
 * when a statement is compiled; changing it recompiles the others).
 */
static int
fresh_meta_flush(struct fresh_q *q, struct bc_err *e)
{
	sqlite3 *db = q->m->s->db;
	sqlite3_stmt *st = q->st[R_META];
	struct fresh_rows r;
	size_t i;
	int rc, rc2;

	if (q->nmeta == 0)
		return BC_OK;
	if (fresh_rows_room(q, q->nmeta) != 0)
		return bc_err_set(e, BC_ENOMEM, "out of memory");
	for (i = 0; i < q->nmeta; i++)
		q->a[i] = i;
	r.what = R_ALL_META;
	r.n = q->nmeta;
	r.q = q;
	r.b = NULL;
	r.a = q->a;
	r.s = NULL;
	rc = sqlite3_exec(db, "PRAGMA ignore_check_constraints = ON", NULL,
	    NULL, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, &r, FRESH_PTR, NULL);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
			if (sqlite3_changes(db) > 0)
				q->changed = 1;
		}
		sqlite3_reset(st);
		sqlite3_bind_null(st, 1);
	}
	/* it must not stay on for what follows (it fails only short of
	 * memory: tried again) */
	for (i = 0; i < 3; i++)
		if ((rc2 = sqlite3_exec(db, "PRAGMA ignore_check_constraints "
		    "= OFF", NULL, NULL, NULL)) == SQLITE_OK)
			break;
	q->nmeta = q->nkeys = 0;
	if (rc == SQLITE_OK)
		rc = rc2;
	if (rc != SQLITE_OK)
		return bc_sqlite_err(q->m->s, rc, e, "import");
	return BC_OK;
}

/* Writes the rows of one kind from batch b (the DNs: from fdn). */
static int
fresh_write(struct fresh_q *q, const struct fresh_batch *b,
    enum fresh_what w, struct bc_err *e)
{
	const struct fresh_op *op;
	const struct bc_options *o;
	struct fresh_rows r;
	struct imp *m = q->m;
	sqlite3_stmt *st;
	size_t i, j, n = 0, count;
	int rc, nomem = 0;

	if (w == R_META || w == R_DN_META)
		return fresh_meta_collect(q, b, w, e);
	count = w == R_DN || w == R_DN_OPT ? m->nfdn : b->n;
	for (i = 0; !nomem && i < count; i++) {
		op = w == R_DN || w == R_DN_OPT ? NULL : &b->op[i];
		switch (w) {
		case R_LOGIN:
		case R_PLACE:
		case R_PERSON:
			if (op->kind == (w == R_LOGIN ? K_LOGIN :
			    w == R_PLACE ? K_PLACE : K_PERSON))
				nomem = fresh_row(q, &n, i, 0);
			break;
		case R_LOGIN_OPT:
		case R_PLACE_OPT:
			if (op->kind != (w == R_LOGIN_OPT ? K_LOGIN : K_PLACE))
				break;
			o = w == R_LOGIN_OPT ? &op->u.login.options :
			    &op->u.place.options;
			for (j = 0; !nomem && j < o->n; j++)
				nomem = fresh_row(q, &n, i, j);
			break;
		case R_PERSON_LOGIN:
			if (op->kind != K_PERSON)
				break;
			for (j = 0; !nomem && j < op->u.person.nlogins; j++)
				nomem = fresh_row(q, &n, i, j);
			break;
		case R_DN:
			nomem = fresh_row(q, &n, i, 0);
			break;
		case R_DN_OPT:
			o = &m->fdn[i].dn.options;
			for (j = 0; !nomem && j < o->n; j++)
				nomem = fresh_row(q, &n, i, j);
			break;
		default:
			break;
		}
	}
	if (nomem)
		return bc_err_set(e, BC_ENOMEM, "out of memory");
	if (n == 0)
		return BC_OK;
	r.what = w;
	r.n = n;
	r.q = q;
	r.b = b;
	r.a = q->a;
	r.s = q->s;
	st = q->st[w];
	sqlite3_bind_pointer(st, 1, &r, FRESH_PTR, NULL);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_bind_null(st, 1);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(m->s, rc, e, "import");
	return BC_OK;
}

/*
 * The checks bc_*_insert() make and the hashes of the documents, made
 * by the reader before it hands a batch over.  A document that cannot be
 * hashed here (text the views escape their own way) sends the import
 * the per-object way, which records it from the view.
 */
static int
fresh_check(struct fresh_q *q, struct fresh_batch *b, struct bc_err *e)
{
	struct fresh_op *op;
	struct fresh_dn *d;
	const char *id = NULL;
	size_t i, j;
	int rc;

	for (i = 0; id == NULL && i < b->n; i++) {
		op = &b->op[i];
		switch (op->kind) {
		case K_LOGIN:
			if ((rc = bc_login_check(&op->u.login, e)))
				return rc;
			if (bc_meta_hash_login(&op->u.login, &op->hash) != 0)
				id = op->u.login.code;
			break;
		case K_PLACE:
			if ((rc = bc_place_check(&op->u.place, e)))
				return rc;
			if (bc_meta_hash_place(&op->u.place, &op->hash) != 0)
				id = op->u.place.name;
			break;
		case K_PERSON:
			if ((rc = bc_person_check(&op->u.person, e)))
				return rc;
			if (bc_meta_hash_person(&op->u.person, &op->hash) != 0)
				id = op->u.person.username;
			break;
		case K_DN:
			/* hashed when they closed (fresh_dns_close()) */
			for (j = 0; op->dn_part == DN_ROWS &&
			    j < q->m->nfdn; j++) {
				d = &q->m->fdn[j];
				if ((rc = bc_dn_check(&d->dn, e)))
					return rc;
			}
			break;
		case K_NONE:
			break;
		}
	}
	if (id != NULL)
		return bc_err_set(e, BC_EINTERNAL, "fresh import: document "
		    "not hashed '%s'", id);
	return BC_OK;
}

/* The writes of one batch, what is named before what names it. */
static int
fresh_apply(struct fresh_q *q, struct fresh_batch *b, struct bc_err *e)
{
	static const enum fresh_what order[] = { R_LOGIN, R_LOGIN_OPT,
	    R_PLACE, R_PLACE_OPT, R_PERSON, R_PERSON_LOGIN, R_META };
	size_t i, k;
	int rc;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		/* the DNs: after their places, before the persons */
		if (order[k] == R_PERSON)
			for (i = 0; i < b->n; i++)
				if (b->op[i].kind == K_DN &&
				    b->op[i].dn_part == DN_ROWS &&
				    ((rc = fresh_write(q, b, R_DN, e)) ||
				    (rc = fresh_write(q, b, R_DN_OPT, e))))
					return rc;
		if ((rc = fresh_write(q, b, order[k], e)))
			return rc;
	}
	/* their sync_meta rows: while the reader reads the places */
	for (i = 0; i < b->n; i++)
		if (b->op[i].kind == K_DN && b->op[i].dn_part == DN_META &&
		    (rc = fresh_write(q, b, R_DN_META, e)))
			return rc;
	if (q->nmeta >= FRESH_META)
		return fresh_meta_flush(q, e);
	return BC_OK;
}

static void *
fresh_writer(void *arg)
{
	struct fresh_q *q = arg;
	struct fresh_batch *b;
	struct bc_err e;
	int skip;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (q->n == 0 && !q->done)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->n == 0) {
			pthread_mutex_unlock(&q->mu);
			break;
		}
		b = q->b[q->head];
		q->head = (q->head + 1) % FRESH_QUEUE;
		q->n--;
		skip = q->failed || q->stop;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		if (!skip && fresh_apply(q, b, &e) != BC_OK) {
			pthread_mutex_lock(&q->mu);
			q->err = e;
			q->failed = 1;
			pthread_cond_broadcast(&q->cv);
			pthread_mutex_unlock(&q->mu);
		}
		fresh_batch_free(b);
	}
	return NULL;
}

static void
fresh_q_free(struct fresh_q *q)
{
	int i;

	for (i = 0; i < R_COUNT; i++)
		sqlite3_finalize(q->st[i]);
	free(q->origin);
	free(q->a);
	free(q->s);
	free(q->meta);
	free(q->keys);
	free(q);
}

/*
 * Sets the writer up: the virtual table, the statements, the clock;
 * then its thread, which owns the connection until fresh_stop()
 * (without a thread the reader writes the batches itself).
 */
static int
fresh_start(struct imp *m, struct bc_err *e)
{
	struct fresh_q *q;
	int i, rc, empty = 0;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return bc_err_set(e, BC_ENOMEM, "out of memory");
	q->m = m;
	if ((rc = bc_rows_register(m->s->db, &fresh_type)) != SQLITE_OK) {
		fresh_q_free(q);
		return imp_sql_err(m, rc, e);
	}
	/* the meta rows only ever go into an empty table: no upsert */
	if ((rc = sqlite3_prepare_v2(m->s->db, SQL_META_IS_EMPTY, -1,
	    &q->st[R_META], NULL)) == SQLITE_OK) {
		rc = sqlite3_step(q->st[R_META]);
		empty = rc == SQLITE_ROW &&
		    sqlite3_column_int(q->st[R_META], 0) != 0;
		rc = rc == SQLITE_ROW ? SQLITE_OK : rc;
		sqlite3_finalize(q->st[R_META]);
		q->st[R_META] = NULL;
	}
	for (i = 0; rc == SQLITE_OK && i < R_COUNT; i++)
		if (fresh_sql[i] != NULL)
			rc = sqlite3_prepare_v2(m->s->db, i == R_META && empty ?
			    SQL_META_EMPTY : fresh_sql[i], -1, &q->st[i], NULL);
	if (rc != SQLITE_OK) {
		imp_sql_err(m, rc, e);
		fresh_q_free(q);
		return e->status;
	}
	if ((rc = bc_meta_load_clock(m->s, &q->hlc0, &q->seq0, &q->origin,
	    e))) {
		fresh_q_free(q);
		return rc;
	}
	sqlite3_bind_text(q->st[R_META], 2, q->origin, -1, SQLITE_STATIC);
	m->q = q;
	if (pthread_mutex_init(&q->mu, NULL) != 0)
		return BC_OK;
	if (pthread_cond_init(&q->cv, NULL) != 0) {
		pthread_mutex_destroy(&q->mu);
		return BC_OK;
	}
	if (pthread_create(&q->thread, NULL, fresh_writer, q) != 0) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		return BC_OK;
	}
	q->threaded = 1;
	return BC_OK;
}

/* Hands the batch being filled to the writer (or writes it). */
static int
fresh_send(struct imp *m, struct bc_err *e)
{
	struct fresh_batch *b = m->batch;
	struct fresh_q *q = m->q;
	int rc = BC_OK;

	m->batch = NULL;
	if (b == NULL)
		return BC_OK;
	/* on the reader's side: the writer has more to do */
	if ((rc = fresh_check(q, b, e)) != BC_OK) {
		fresh_batch_free(b);
		return rc;
	}
	if (!q->threaded) {
		rc = fresh_apply(q, b, e);
		fresh_batch_free(b);
		return rc;
	}
	pthread_mutex_lock(&q->mu);
	while (q->n == FRESH_QUEUE && !q->failed)
		pthread_cond_wait(&q->cv, &q->mu);
	if (q->failed) {
		*e = q->err;
		rc = e->status != BC_OK ? (int)e->status : BC_EINTERNAL;
	} else {
		q->b[(q->head + q->n) % FRESH_QUEUE] = b;
		q->n++;
		b = NULL;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	fresh_batch_free(b);
	return rc;
}

static int	fresh_dns_close(struct imp *, struct bc_err *);
static int	fresh_send_dns(struct imp *, struct bc_err *);

/*
 * Ends the writer: what is left is written first unless the reader
 * failed, then the change metadata is complete.  The connection is the
 * reader's again.  BC_OK, or the first error.
 */
static int
fresh_stop(struct imp *m, struct bc_err *e)
{
	struct fresh_q *q = m->q;
	long long n;
	int rc = BC_OK;

	if (q == NULL)
		return BC_OK;
	if (m->failed ||
	    (rc = fresh_dns_close(m, e)) != BC_OK ||
	    (rc = fresh_send_dns(m, e)) != BC_OK ||
	    (rc = fresh_send(m, e)) != BC_OK) {
		fresh_batch_free(m->batch);
		m->batch = NULL;
	}
	if (q->threaded) {
		pthread_mutex_lock(&q->mu);
		q->done = 1;
		if (m->failed || rc != BC_OK)
			q->stop = 1;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->thread, NULL);
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		if (rc == BC_OK && q->failed) {
			*e = q->err;
			rc = e->status != BC_OK ? (int)e->status :
			    BC_EINTERNAL;
		}
	}
	n = (long long)(m->nids[K_LOGIN - 1] + m->nsync +
	    m->nids[K_PLACE - 1] + m->nids[K_PERSON - 1]);
	if (rc == BC_OK && !m->failed)
		rc = fresh_meta_flush(q, e);
	if (rc == BC_OK && !m->failed)
		rc = bc_meta_load_recorded(m->s, q->hlc0, q->seq0, n,
		    q->changed, e);
	fresh_q_free(q);
	m->q = NULL;
	return rc;
}

/* ---- the reader ---------------------------------------------------- */

/* "TYPE:NUMBER" into buf (n bytes); 0, or -1 when it does not fit. */
static int
dn_key(char *buf, size_t n, enum bc_dn_type type, const char *number)
{
	const char *t = bc_dn_type_name(type);
	size_t a = strlen(t), b = strlen(number);

	if (a + 1 + b + 1 > n)
		return -1;
	memcpy(buf, t, a);
	buf[a] = ':';
	memcpy(buf + a + 1, number, b + 1);
	return 0;
}

/* The entry imp_seen() added last. */
static struct seen_ent *
seen_last(struct imp *m)
{
	return &m->seen.ent[m->seen.nent - 1];
}

static int
fresh_fail(struct bc_err *e, const char *what, const char *id)
{
	return bc_err_set(e, BC_EINTERNAL, "fresh import: %s '%s'", what, id);
}

/* A new entry of the batch being filled, for an object of kind k. */
static struct fresh_op *
fresh_op(struct imp *m, enum kind k, struct bc_err *e)
{
	struct fresh_op *op;

	if (m->batch != NULL && m->batch->n == FRESH_BATCH &&
	    fresh_send(m, e) != BC_OK)
		return NULL;
	if (m->batch == NULL) {
		if ((m->batch = malloc(sizeof(*m->batch))) == NULL) {
			bc_err_set(e, BC_ENOMEM, "out of memory");
			return NULL;
		}
		m->batch->n = 0;
	}
	op = &m->batch->op[m->batch->n++];
	op->kind = k;
	op->dn_part = DN_ROWS;
	op->id = 0;
	op->seq = 0;
	op->hash = 0;
	op->place_id = 0;
	op->logins = NULL;
	return op;
}

/*
 * The objects come kind after kind, as the schema orders the sections
 * (and as the commit records them): anything else goes the other way.
 */
static int
fresh_order(struct imp *m, enum kind k, const char *id, struct bc_err *e)
{
	if (k < m->phase)
		return fresh_fail(e, "object out of order", id);
	m->phase = k;
	return BC_OK;
}

struct fresh_key {
	const char		*key;
	size_t			 dn;		/* index in fdn */
};

static int
fresh_key_cmp(const void *va, const void *vb)
{
	const struct fresh_key *a = va, *b = vb;

	return strcmp(a->key, b->key);
}

/*
 * After the last DN: the feed positions of the DNs of synchronized
 * types, by type and number (the order in which the commit's flush
 * reads them from sync_dn_doc, through the index of dn (type, number)),
 * after the logins'.
 */
static int
fresh_dns_close(struct imp *m, struct bc_err *e)
{
	struct fresh_key *k;
	struct seen_ent *se;
	struct fresh_dn *d;
	struct fresh_op *op;
	size_t i, n = 0;

	if (m->dns_closed)
		return BC_OK;
	m->dns_closed = 1;
	if (m->nfdn == 0)
		return BC_OK;
	if ((k = calloc(m->nfdn, sizeof(*k))) == NULL)
		return bc_err_set(e, BC_ENOMEM, "out of memory");
	for (i = 0; i < m->seen.nent; i++) {
		se = &m->seen.ent[i];
		if (m->seen.keys[se->key] != 'D' || !m->fdn[se->id - 1].sync)
			continue;
		k[n].key = m->seen.keys + se->key + 1;
		k[n++].dn = (size_t)se->id - 1;
	}
	if (n > 1)
		qsort(k, n, sizeof(*k), fresh_key_cmp);
	for (i = 0; i < n; i++)
		m->fdn[k[i].dn].seq = m->q->seq0 +
		    (long long)(m->nids[K_LOGIN - 1] + i + 1);
	m->nsync = n;
	free(k);
	/*
	 * Their documents (a DN's leaves its place out) and sync_meta rows
	 * now: the writer has little else to do until places come.  It
	 * reads only what no later element changes (fdn no longer grows).
	 */
	for (i = 0; i < m->nfdn; i++) {
		d = &m->fdn[i];
		if (d->sync && bc_meta_hash_dn(&d->dn, &d->hash) != 0)
			return bc_err_set(e, BC_EINTERNAL, "fresh import: "
			    "document not hashed '%s'", d->dn.number);
	}
	if (n == 0)
		return BC_OK;
	if ((op = fresh_op(m, K_DN, e)) == NULL)
		return e->status;
	op->dn_part = DN_META;
	return fresh_send(m, e);
}

/* The DNs go to the writer (no more DN nor place may come). */
static int
fresh_send_dns(struct imp *m, struct bc_err *e)
{
	if (m->dns_sent)
		return BC_OK;
	m->dns_sent = 1;
	return fresh_op(m, K_DN, e) != NULL ? BC_OK : (int)e->status;
}

static int
fresh_login(struct imp *m, struct bc_err *e)
{
	struct fresh_op *op;
	int rc;

	if ((rc = fresh_order(m, K_LOGIN, m->login.code, e)) ||
	    (rc = imp_seen(m, K_LOGIN, m->login.code, e)))
		return rc;
	if ((op = fresh_op(m, K_LOGIN, e)) == NULL)
		return e->status;
	op->id = seen_last(m)->id = (sqlite3_int64)++m->nids[K_LOGIN - 1];
	op->seq = m->q->seq0 + op->id;
	op->u.login = m->login;
	bc_login_init(&m->login);
	return BC_OK;
}

/* A DN waits in fdn for the places (written by fresh_send_dns()). */
static int
fresh_dn(struct imp *m, struct bc_err *e)
{
	struct fresh_dn *v;
	char id[300];
	size_t n;
	int rc;

	if (dn_key(id, sizeof(id), m->dn.type, m->dn.number) != 0)
		snprintf(id, sizeof(id), "%s:%s", bc_dn_type_name(m->dn.type),
		    m->dn.number);
	if ((rc = fresh_order(m, K_DN, id, e)) ||
	    (rc = imp_seen(m, K_DN, id, e)))
		return rc;
	/* bc_dn_insert(): the place is given by row id */
	if (m->dn.place != NULL)
		return fresh_fail(e, "dn with a place", id);
	if (m->nfdn == m->mfdn) {
		n = m->mfdn ? m->mfdn * 2 : 1024;
		if ((v = realloc(m->fdn, n * sizeof(*v))) == NULL)
			return bc_err_set(e, BC_ENOMEM, "out of memory");
		m->fdn = v;
		m->mfdn = n;
	}
	v = &m->fdn[m->nfdn];
	v->sync = bc_dn_type_synchronized(m->dn.type);
	v->seq = 0;
	v->hash = 0;
	v->dn = m->dn;
	v->place_id = 0;
	bc_dn_init(&m->dn);
	seen_last(m)->id = (sqlite3_int64)++m->nfdn;
	return BC_OK;
}

static int
fresh_place(struct imp *m, struct bc_err *e)
{
	struct seen_ent *se;
	struct fresh_dn *d;
	struct fresh_op *op;
	sqlite3_int64 id;
	char key[300];
	size_t i;
	int rc;

	if ((rc = fresh_order(m, K_PLACE, m->place.name, e)) ||
	    (rc = fresh_dns_close(m, e)) ||
	    (rc = imp_seen(m, K_PLACE, m->place.name, e)))
		return rc;
	if (m->place.ndns > 1)
		qsort(m->place.dns, m->place.ndns, sizeof(*m->place.dns),
		    place_dn_cmp);
	/* its DNs sorted as the store gives them (place_dn_cmp), hashed */
	id = seen_last(m)->id = (sqlite3_int64)++m->nids[K_PLACE - 1];
	for (i = 0; i < m->place.ndns; i++) {
		if (dn_key(key, sizeof(key), m->place.dns[i].type,
		    m->place.dns[i].number) != 0)
			snprintf(key, sizeof(key), "%s:%s",
			    bc_dn_type_name(m->place.dns[i].type),
			    m->place.dns[i].number);
		if ((se = seen_find(&m->seen, K_DN, key)) == NULL)
			return fresh_fail(e, "no dn", key);
		d = &m->fdn[se->id - 1];
		if (d->place_id != 0)
			return fresh_fail(e, "dn of another place", key);
		d->place_id = id;
	}
	if ((op = fresh_op(m, K_PLACE, e)) == NULL)
		return e->status;
	op->id = id;
	op->seq = m->q->seq0 + (long long)(m->nids[K_LOGIN - 1] +
	    m->nsync) + id;
	op->u.place = m->place;
	bc_place_init(&m->place);
	return BC_OK;
}

static int
fresh_person(struct imp *m, struct bc_err *e)
{
	struct bc_person *p = &m->person;
	struct seen_ent *se, *me;
	struct fresh_op *op;
	sqlite3_int64 place_id = 0, *logins;
	size_t i;
	int rc;

	if ((rc = fresh_order(m, K_PERSON, p->username, e)) ||
	    (rc = fresh_dns_close(m, e)) ||
	    (rc = imp_seen(m, K_PERSON, p->username, e)))
		return rc;
	me = seen_last(m);
	if (p->nlogins > 1)
		qsort(p->logins, p->nlogins, sizeof(*p->logins),
		    person_login_cmp);
	if (p->place != NULL) {
		if ((se = seen_find(&m->seen, K_PLACE, p->place)) == NULL)
			return fresh_fail(e, "no place", p->place);
		place_id = se->id;
	}
	/* its logins sorted as the store gives them (person_login_cmp) */
	if ((logins = calloc(p->nlogins + 1, sizeof(*logins))) == NULL)
		return bc_err_set(e, BC_ENOMEM, "out of memory");
	for (i = 0; i < p->nlogins; i++) {
		se = seen_find(&m->seen, K_LOGIN, p->logins[i].code);
		if (se == NULL || se->used) {
			free(logins);
			return fresh_fail(e, "login not free",
			    p->logins[i].code);
		}
		se->used = 1;
		logins[i] = se->id;
	}
	if ((rc = fresh_send_dns(m, e)) != BC_OK ||
	    (op = fresh_op(m, K_PERSON, e)) == NULL) {
		free(logins);
		return rc != BC_OK ? rc : (int)e->status;
	}
	op->id = me->id = (sqlite3_int64)++m->nids[K_PERSON - 1];
	op->seq = m->q->seq0 + (long long)(m->nids[K_LOGIN - 1] + m->nsync +
	    m->nids[K_PLACE - 1]) + op->id;
	op->place_id = place_id;
	op->logins = logins;
	op->u.person = *p;
	bc_person_init(p);
	return BC_OK;
}

static void
fresh_free(struct imp *m)
{
	size_t i;

	for (i = 0; i < m->nfdn; i++)
		bc_dn_clear(&m->fdn[i].dn);
	free(m->fdn);
	m->fdn = NULL;
	m->nfdn = m->mfdn = 0;
	memset(m->nids, 0, sizeof(m->nids));
	m->nsync = 0;
	m->phase = K_NONE;
	m->dns_closed = m->dns_sent = 0;
}

/*
 * The end of a fresh import: every object is reported created, in
 * document order, as the per-object path reports them.  From here on
 * a failure is reported, not retried.
 */
static void
fresh_finish(struct imp *m)
{
	const struct seen_ent *se;
	struct bc_err e;
	size_t i;

	m->reported = 1;
	for (i = 0; i < m->seen.nent; i++) {
		se = &m->seen.ent[i];
		if (imp_change(m, "create", (enum kind)(strchr("?LDPR",
		    m->seen.keys[se->key]) - "?LDPR"),
		    m->seen.keys + se->key + 1, &e) != BC_OK) {
			imp_fail_err(m, se->line, se->col, &e);
			return;
		}
	}
}

static void
obj_clear(struct imp *m)
{
	/* only the object's own kind is ever filled */
	switch (m->kind) {
	case K_LOGIN:	bc_login_clear(&m->login); break;
	case K_DN:	bc_dn_clear(&m->dn); break;
	case K_PLACE:	bc_place_clear(&m->place); break;
	case K_PERSON:	bc_person_clear(&m->person); break;
	case K_NONE:	break;
	}
	free(m->section);
	m->section = NULL;
	m->kind = K_NONE;
	m->pending = 0;
	m->objerr.status = BC_OK;
	m->objerr.msg[0] = '\0';
}

/*
 * Applies the object read last, once the validator has seen all of it.
 * Called at every parser event and at the end of the document.
 */
static void
imp_flush(struct imp *m)
{
	struct bc_err e;
	int rc = BC_OK;

	if (!m->pending)
		return;
	if (!m->failed) {
		if (m->objerr.status != BC_OK)
			imp_fail(m, m->objerr_line, m->objerr_col,
			    m->objerr.status, "%s", m->objerr.msg);
		else {
			switch (m->fresh ? m->kind : K_NONE) {
			case K_LOGIN:	rc = fresh_login(m, &e); break;
			case K_DN:	rc = fresh_dn(m, &e); break;
			case K_PLACE:	rc = fresh_place(m, &e); break;
			case K_PERSON:	rc = fresh_person(m, &e); break;
			case K_NONE:	break;
			}
			switch (m->fresh ? K_NONE : m->kind) {
			case K_LOGIN:	rc = apply_login(m, &e); break;
			case K_DN:	rc = apply_dn(m, &e); break;
			case K_PLACE:	rc = apply_place(m, &e); break;
			case K_PERSON:	rc = apply_person(m, &e); break;
			case K_NONE:	break;
			}
			if (rc != BC_OK)
				imp_fail_err(m, m->line, m->col, &e);
		}
	}
	obj_clear(m);
}

/* ---- reading elements -------------------------------------------- */

/* The first error inside the current object, reported when it ends. */
static void
obj_error(struct imp *m, const struct bc_err *e)
{
	if (m->objerr.status != BC_OK)
		return;
	m->objerr = *e;
	imp_pos(m, &m->objerr_line, &m->objerr_col);
}

/*
 * An attribute value, decoded into s (room for end - v + 1 bytes).
 * Without entity substitution libxml2 hands a '&' written as "&amp;" or
 * "&#38;" to SAX2 as "&#38;" (every other reference is decoded): undo
 * that.  Returns the byte after its NUL.
 */
static char *
attr_value(char *s, const xmlChar *v, const xmlChar *end)
{
	size_t n = (size_t)(end - v), i, j;

	for (i = j = 0; i < n; j++) {
		if (v[i] == '&' && n - i >= 5 && memcmp(v + i, "&#38;", 5) == 0) {
			s[j] = '&';
			i += 5;
		} else
			s[j] = (char)v[i++];
	}
	s[j] = '\0';
	return s + j + 1;
}

/* xs:boolean, white space collapsed; unknown values stay as they were. */
static void
parse_bool(const char *v, int *out)
{
	size_t n;

	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	for (n = strlen(v); n > 0 && strchr(" \t\n\r", v[n - 1]) != NULL; n--)
		;
	if ((n == 4 && strncmp(v, "true", 4) == 0) ||
	    (n == 1 && v[0] == '1'))
		*out = 1;
	else if ((n == 5 && strncmp(v, "false", 5) == 0) ||
	    (n == 1 && v[0] == '0'))
		*out = 0;
}

static int
parse_int(const char *v, int *out)
{
	char *end;
	long l;

	errno = 0;
	l = strtol(v, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (end == v || *end != '\0' || errno != 0 || l < -1000000000L ||
	    l > 1000000000L)
		return -1;
	*out = (int)l;
	return 0;
}

static void	obj_error(struct imp *, const struct bc_err *);

/* A copy of value for a string field. */
static void
take(struct imp *m, char **field, const char *value)
{
	struct bc_err e;

	free(*field);
	if ((*field = strdup(value)) == NULL) {
		bc_err_set(&e, BC_ENOMEM, "out of memory");
		obj_error(m, &e);
	}
}

static void
start_login(struct imp *m, const char *an, const char *v)
{
	if (strcmp(an, "code") == 0)
		take(m, &m->login.code, v);
	else if (strcmp(an, "password") == 0)
		take(m, &m->login.password, v);
	else if (strcmp(an, "override") == 0)
		take(m, &m->login.override, v);
	else if (strcmp(an, "use-override") == 0)
		parse_bool(v, &m->login.use_override);
	else if (strcmp(an, "enabled") == 0)
		parse_bool(v, &m->login.enabled);
}

static void
start_dn(struct imp *m, const char *an, const char *v)
{
	if (strcmp(an, "type") == 0)
		bc_dn_type_parse(v, &m->dn.type);
	else if (strcmp(an, "number") == 0)
		take(m, &m->dn.number, v);
	else if (strcmp(an, "alias") == 0)
		take(m, &m->dn.alias, v);
	else if (strcmp(an, "register") == 0)
		bc_register_parse(v, &m->dn.reg);
	else if (strcmp(an, "association") == 0)
		take(m, &m->dn.association, v);
	else if (strcmp(an, "contact") == 0)
		take(m, &m->dn.contact, v);
	else if (strcmp(an, "password") == 0)
		take(m, &m->dn.password, v);
	else if (strcmp(an, "enabled") == 0)
		parse_bool(v, &m->dn.enabled);
}

static void
start_place(struct imp *m, const char *an, const char *v)
{
	if (strcmp(an, "name") == 0)
		take(m, &m->place.name, v);
	else if (strcmp(an, "enabled") == 0)
		parse_bool(v, &m->place.enabled);
}

static void
start_person(struct imp *m, const char *an, const char *v)
{
	if (strcmp(an, "username") == 0)
		take(m, &m->person.username, v);
	else if (strcmp(an, "first") == 0)
		take(m, &m->person.first, v);
	else if (strcmp(an, "last") == 0)
		take(m, &m->person.last, v);
	else if (strcmp(an, "employee-id") == 0)
		take(m, &m->person.employee_id, v);
	else if (strcmp(an, "agent") == 0)
		parse_bool(v, &m->person.agent);
	else if (strcmp(an, "enabled") == 0)
		parse_bool(v, &m->person.enabled);
	else if (strcmp(an, "preferred-site") == 0)
		take(m, &m->person.preferred_site, v);
	else if (strcmp(an, "place") == 0)
		take(m, &m->person.place, v);
}

/*
 * Attributes of our namespace-less kind, name -> value, of one element;
 * the values in the import's buffer (abuf), until the next element.
 */
struct attrs {
	int		 n;
	const char	*name[16];
	const char	*value[16];
};

static const char *
attrs_get(const struct attrs *a, const char *name)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->name[i], name) == 0)
			return a->value[i];
	return NULL;
}

static int
options_have_section(const struct bc_options *o, const char *section)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->v[i].section, section) == 0)
			return 1;
	return 0;
}

/* A child of an object: a place's DN, a person's login, annex parts. */
static void
start_child(struct imp *m, const char *local, struct attrs *a)
{
	struct bc_options *opts = NULL;
	struct bc_err e;
	enum bc_dn_type type;
	const char *v, *w;
	int wrapup = 0;

	switch (m->kind) {
	case K_LOGIN:	opts = &m->login.options; break;
	case K_DN:	opts = &m->dn.options; break;
	case K_PLACE:	opts = &m->place.options; break;
	default:	break;
	}
	if (m->kind == K_PLACE && m->depth == 4 && strcmp(local, "dn") == 0) {
		v = attrs_get(a, "type");
		w = attrs_get(a, "number");
		if (v == NULL || w == NULL || bc_dn_type_parse(v, &type) != 0)
			return;		/* the validator says why */
		if (bc_place_add_dn(&m->place, w, type, &e) != BC_OK)
			obj_error(m, &e);
	} else if (m->kind == K_PERSON && m->depth == 4 &&
	    strcmp(local, "login") == 0) {
		v = attrs_get(a, "code");
		w = attrs_get(a, "wrapup");
		if (v == NULL || (w != NULL && parse_int(w, &wrapup) != 0))
			return;
		if (bc_person_add_login(&m->person, v, wrapup, &e) != BC_OK)
			obj_error(m, &e);
	} else if (opts != NULL && m->depth == 5 &&
	    strcmp(local, "section") == 0) {
		free(m->section);
		m->section = NULL;
		if ((v = attrs_get(a, "name")) == NULL)
			return;
		/* a section holds one option at least: one seen before
		 * left its options (the embedded schema has no xs:unique) */
		if (options_have_section(opts, v)) {
			bc_err_set(&e, BC_EINVAL, "%s: option section %s given "
			    "twice", kind_names[m->kind], v);
			obj_error(m, &e);
		} else if ((m->section = strdup(v)) == NULL) {
			bc_err_set(&e, BC_ENOMEM, "out of memory");
			obj_error(m, &e);
		}
	} else if (opts != NULL && m->depth == 6 &&
	    strcmp(local, "option") == 0 && m->section != NULL) {
		v = attrs_get(a, "key");
		w = attrs_get(a, "value");
		if (v == NULL || w == NULL)
			return;
		if (bc_options_get(opts, m->section, v) != NULL) {
			bc_err_set(&e, BC_EINVAL, "%s: option %s/%s given "
			    "twice", kind_names[m->kind], m->section, v);
			obj_error(m, &e);
		} else if (bc_options_set(opts, m->section, v, w, &e) !=
		    BC_OK)
			obj_error(m, &e);
	}
}

static void
sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr,
    int ndefaulted, const xmlChar **attributes)
{
	struct imp *m = ctx;
	struct attrs a;
	const char *name = (const char *)local;
	size_t need, n;
	char *p;
	int i;

	(void)prefix;
	(void)nns;
	(void)ns;
	(void)ndefaulted;
	imp_flush(m);
	m->depth++;
	if (m->failed)
		return;
	/* elements of another namespace: the validator rejects them */
	if (uri == NULL || strcmp((const char *)uri, BC_XML_NS) != 0)
		return;

	/* room for every value, decoded: never longer than given */
	for (i = 0, need = 0; i < nattr; i++)
		need += (size_t)(attributes[5 * i + 4] -
		    attributes[5 * i + 3]) + 1;
	if (need > m->mabuf) {
		for (n = m->mabuf ? m->mabuf : 1024; n < need; n *= 2)
			;
		if ((p = realloc(m->abuf, n)) == NULL) {
			imp_fail(m, 0, 0, BC_ENOMEM, "out of memory");
			return;
		}
		m->abuf = p;
		m->mabuf = n;
	}
	a.n = 0;
	p = m->abuf;
	for (i = 0; i < nattr && a.n < (int)(sizeof(a.name) /
	    sizeof(a.name[0])); i++) {
		const xmlChar **at = attributes + 5 * i;

		if (at[2] != NULL)	/* another namespace: ignored */
			continue;
		a.name[a.n] = (const char *)at[0];
		a.value[a.n++] = p;
		p = attr_value(p, at[3], at[4]);
	}

	if (m->depth == 1) {
		const char *v = attrs_get(&a, "synchronized-only");

		if (v != NULL)
			parse_bool(v, &m->sync_only);
		imp_pos(m, &m->root_line, &m->root_col);
	} else if (m->depth == 3) {
		obj_clear(m);
		if (strcmp(name, "login") == 0)
			m->kind = K_LOGIN;
		else if (strcmp(name, "dn") == 0)
			m->kind = K_DN;
		else if (strcmp(name, "place") == 0)
			m->kind = K_PLACE;
		else if (strcmp(name, "person") == 0)
			m->kind = K_PERSON;
		imp_pos(m, &m->line, &m->col);
		for (i = 0; i < a.n; i++) {
			const char *v = a.value[i];

			switch (m->kind) {
			case K_LOGIN:	start_login(m, a.name[i], v); break;
			case K_DN:	start_dn(m, a.name[i], v); break;
			case K_PLACE:	start_place(m, a.name[i], v); break;
			case K_PERSON:	start_person(m, a.name[i], v); break;
			case K_NONE:	break;
			}
		}
	} else if (m->depth > 3 && m->kind != K_NONE)
		start_child(m, name, &a);
}

static void
sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct imp *m = ctx;

	(void)local;
	(void)prefix;
	(void)uri;
	imp_flush(m);
	if (m->depth == 3 && m->kind != K_NONE)
		m->pending = 1;		/* applied at the next event */
	m->depth--;
}

static void
sax_end_document(void *ctx)
{
	imp_flush(ctx);
}

/* <!DOCTYPE: refused before its internal subset is read. */
static void
sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	struct imp *m = ctx;
	int line, col;

	(void)name;
	imp_pos(m, &line, &col);
	imp_fail(m, line, col, BC_EINVAL, "document type declarations are "
	    "not allowed%s", ext != NULL || sys != NULL ?
	    " (external subset not loaded)" : "");
}

/* Any entity the parser asks about is unknown. */
static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	return xmlGetPredefinedEntity(name);
}

/* ---- input ---------------------------------------------------------- */

static int
io_read_fd(void *ctx, char *buf, int len)
{
	struct imp *m = ctx;
	ssize_t n;

	do
		n = read(m->fd, buf, (size_t)len);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		imp_fail(m, 0, 0, BC_EIO, "cannot read: %s", strerror(errno));
		return -1;
	}
	return (int)n;
}

static int
io_read_mem(void *ctx, char *buf, int len)
{
	struct imp *m = ctx;
	size_t n = m->len - m->off;

	if (n > (size_t)len)
		n = (size_t)len;
	memcpy(buf, m->buf + m->off, n);
	m->off += n;
	return (int)n;
}

static int
io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* ---- --replace -------------------------------------------------------- */

struct keys {
	char	**v;
	size_t	  n;
};

static void
keys_free(struct keys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

/* Collects column 0 of every row (the SELECT ends before deleting). */
static int
keys_collect(struct imp *m, const char *sql, struct keys *k,
    struct bc_err *e)
{
	sqlite3_stmt *st;
	char **nv;
	int rc, nomem = 0;

	if ((rc = sqlite3_prepare_v2(m->s->db, sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return imp_sql_err(m, rc, e);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((nv = realloc(k->v, (k->n + 1) * sizeof(*nv))) == NULL) {
			nomem = 1;
			break;
		}
		k->v = nv;
		if ((k->v[k->n] = bc_column_dup(st, 0, &nomem)) == NULL)
			break;
		k->n++;
	}
	sqlite3_finalize(st);
	if (nomem)
		return bc_err_set(e, BC_ENOMEM, "out of memory");
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return imp_sql_err(m, rc, e);
	return BC_OK;
}

static const char SQL_GONE_PERSONS[] =
    "SELECT username FROM person r WHERE NOT EXISTS (SELECT 1 FROM "
    "temp.bc_xml_seen s WHERE s.kind = 'person' AND s.key = r.username) "
    "ORDER BY username";
static const char SQL_GONE_PLACES[] =
    "SELECT name FROM place p WHERE NOT EXISTS (SELECT 1 FROM "
    "temp.bc_xml_seen s WHERE s.kind = 'place' AND s.key = p.name) "
    "ORDER BY name";
static const char SQL_GONE_DNS[] =
    "SELECT type || ':' || number FROM dn d WHERE NOT EXISTS (SELECT 1 "
    "FROM temp.bc_xml_seen s WHERE s.kind = 'dn' AND "
    "s.key = d.type || ':' || d.number) ORDER BY type, number";
static const char SQL_GONE_SYNC_DNS[] =
    "SELECT type || ':' || number FROM dn d WHERE NOT EXISTS (SELECT 1 "
    "FROM temp.bc_xml_seen s WHERE s.kind = 'dn' AND "
    "s.key = d.type || ':' || d.number) AND type IN ('extension', "
    "'acd-queue', 'call-processing-port') ORDER BY type, number";
static const char SQL_GONE_LOGINS[] =
    "SELECT code FROM agent_login l WHERE NOT EXISTS (SELECT 1 FROM "
    "temp.bc_xml_seen s WHERE s.kind = 'login' AND s.key = l.code) "
    "ORDER BY code";

/* Deletes one object by its identity as the seen table writes it. */
static int
replace_delete(struct imp *m, enum kind k, const char *id, struct bc_err *e)
{
	enum bc_dn_type type;
	const char *colon;
	char tname[32];
	int rc;

	switch (k) {
	case K_PERSON:
		rc = bc_person_delete(m->s, id, e);
		break;
	case K_PLACE:
		rc = bc_place_delete(m->s, id, e);
		break;
	case K_DN:
		colon = strchr(id, ':');
		if (colon == NULL || (size_t)(colon - id) >= sizeof(tname))
			return bc_err_set(e, BC_EINTERNAL, "dn key '%s'", id);
		memcpy(tname, id, (size_t)(colon - id));
		tname[colon - id] = '\0';
		if (bc_dn_type_parse(tname, &type) != 0)
			return bc_err_set(e, BC_EINTERNAL, "dn key '%s'", id);
		rc = bc_dn_delete(m->s, colon + 1, type, e);
		break;
	case K_LOGIN:
		rc = bc_login_delete(m->s, id, e);
		break;
	default:
		return BC_OK;
	}
	if (rc != BC_OK)
		return rc;
	return imp_change(m, "delete", k, id, e);
}

/* --replace: persons, places, DNs, logins absent from the document. */
static void
imp_replace(struct imp *m)
{
	static const struct {
		enum kind	 k;
		const char	*sql;
	} order[] = {
		{ K_PERSON, SQL_GONE_PERSONS },
		{ K_PLACE, SQL_GONE_PLACES },
		{ K_DN, SQL_GONE_DNS },
		{ K_LOGIN, SQL_GONE_LOGINS },
	};
	struct keys k = { NULL, 0 };
	struct bc_err e, e2;
	size_t i, j;
	int rc;

	for (i = 0; i < sizeof(order) / sizeof(order[0]) && !m->failed; i++) {
		rc = keys_collect(m, order[i].k == K_DN && m->sync_only ?
		    SQL_GONE_SYNC_DNS : order[i].sql, &k, &e);
		for (j = 0; rc == BC_OK && j < k.n; j++)
			if ((rc = replace_delete(m, order[i].k, k.v[j], &e))) {
				bc_err_set(&e2, e.status, "--replace cannot "
				    "delete %s '%s': %s",
				    kind_names[order[i].k], k.v[j], e.msg);
				e = e2;
			}
		keys_free(&k);
		if (rc != BC_OK)
			imp_fail_err(m, m->root_line, m->root_col, &e);
	}
}

/* ---- the import --------------------------------------------------- */

static const char SQL_FRESH[] = "SELECT NOT EXISTS (SELECT 1 FROM "
    "agent_login) AND NOT EXISTS (SELECT 1 FROM dn) AND NOT EXISTS "
    "(SELECT 1 FROM place) AND NOT EXISTS (SELECT 1 FROM person)";

/*
 * *fresh: the store holds no object.  Asked before the import's
 * transaction (may it fill the store?) and again inside it, which
 * decides.
 */
static int
imp_store_fresh(struct imp *m, int *fresh, struct bc_err *e)
{
	sqlite3_stmt *st;
	int rc;

	*fresh = 0;
	if ((rc = sqlite3_prepare_v2(m->s->db, SQL_FRESH, -1, &st, NULL)) !=
	    SQLITE_OK)
		return imp_sql_err(m, rc, e);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*fresh = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return imp_sql_err(m, rc, e);
	return BC_OK;
}

/*
 * One reading of the document into the store, in one transaction; the
 * fresh path when may_fresh and the store holds no object, then
 * m->fallback tells that it failed and the document must be read again
 * without it.
 */
static int
imp_pass(struct imp *m, xmlSchemaPtr schema, xmlInputReadCallback ioread,
    int may_fresh)
{
	xmlSchemaValidCtxtPtr vctxt = NULL;
	xmlSchemaSAXPlugPtr plug = NULL;
	xmlSAXHandler sax, *saxp = &sax;
	void *user = m;
	struct bc_err e;
	int rc, load;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.endDocument = sax_end_document;
	sax.internalSubset = sax_internal_subset;
	sax.getEntity = sax_get_entity;
	sax.serror = imp_parse_error;

	if ((vctxt = xmlSchemaNewValidCtxt(schema)) == NULL ||
	    (plug = xmlSchemaSAXPlug(vctxt, &saxp, &user)) == NULL) {
		rc = bc_err_set(m->err, BC_ENOMEM, "out of memory");
		goto out;
	}
	xmlSchemaSetValidStructuredErrors(vctxt, imp_valid_error, m);

	load = bc_tx_depth(m->s) == 0;
	if (load && (rc = imp_seen_table(m, &e))) {
		*m->err = e;
		goto out;
	}
	/* all or nothing anyway: a load (bulk) when it is the outermost */
	if ((rc = load ? bc_tx_begin_load(m->s, m->err) :
	    bc_tx_begin(m->s, m->err)))
		goto out;
	if ((rc = imp_prepare(m, &e)) ||
	    (load && may_fresh && (rc = imp_store_fresh(m, &m->fresh, &e)))) {
		*m->err = e;
		bc_tx_rollback(m->s);
		goto out;
	}

	/* without its writer, the per-object path */
	if (m->fresh && fresh_start(m, &e) != BC_OK)
		m->fresh = 0;
	/* a fill is for the fresh path only (it sets every reference) */
	if (m->filling && !m->fresh) {
		bc_tx_rollback(m->s);
		m->fallback = 1;
		rc = BC_OK;
		goto out;
	}
	if (!m->fresh && (rc = walk_begin(m, &e))) {
		*m->err = e;
		bc_tx_rollback(m->s);
		goto out;
	}
	m->ctxt = xmlCreateIOParserCtxt(saxp, user, ioread, io_close, m,
	    XML_CHAR_ENCODING_NONE);
	if (m->ctxt == NULL)
		imp_fail(m, 0, 0, BC_ENOMEM, "out of memory");
	else {
		m->ctxt->_private = m;
		/* the plug does not pass on the error callbacks */
		m->ctxt->sax->serror = imp_parse_error;
		m->ctxt->sax->error = NULL;
		m->ctxt->sax->warning = NULL;
		m->ctxt->sax->fatalError = NULL;
		xmlCtxtUseOptions(m->ctxt, XML_PARSE_NONET);
		/* whatever the process-wide defaults say */
		m->ctxt->replaceEntities = 0;
		m->ctxt->loadsubset = 0;
		m->ctxt->validate = 0;
		m->ctxt->pedantic = 0;
		if (m->ctxt->input != NULL && m->ctxt->input->filename == NULL)
			m->ctxt->input->filename =
			    (char *)xmlStrdup(BAD_CAST m->name);
		xmlParseDocument(m->ctxt);
		imp_flush(m);
		walk_end(m);
		if (!m->failed && !m->ctxt->wellFormed)
			imp_fail(m, m->ctxt->input != NULL ?
			    m->ctxt->input->line : 0, 0, BC_EINVAL,
			    "not well-formed XML");
		if (!m->failed && xmlSchemaIsValid(vctxt) != 1)
			imp_fail(m, 0, 0, BC_EINVAL, "not a valid site "
			    "document");
		if (!m->failed && m->depth != 0)
			imp_fail(m, 0, 0, BC_EINVAL, "document ends early");
	}
	/* the connection is the reader's again */
	if (m->fresh && fresh_stop(m, &e) != BC_OK)
		imp_fail_err(m, m->root_line, m->root_col, &e);
	if (!m->failed && m->fresh)
		fresh_finish(m);
	if (!m->failed && !m->fresh && (m->flags & BC_XML_REPLACE))
		imp_replace(m);
	imp_finalize(m);
	if (!m->failed)
		sqlite3_exec(m->s->db, "DELETE FROM temp.bc_xml_seen", NULL,
		    NULL, NULL);
	if (m->failed || (m->flags & BC_XML_DRY_RUN)) {
		bc_tx_rollback(m->s);
		rc = m->failed ? m->err->status : BC_OK;
	} else
		rc = bc_tx_commit(m->s, m->err);
	/* nothing reported yet: the per-object path tells what failed */
	if (rc != BC_OK && m->fresh && !m->reported)
		m->fallback = 1;
out:
	obj_clear(m);
	imp_finalize(m);
	seen_free(&m->seen);
	fresh_free(m);
	if (m->ctxt != NULL) {
		xmlFreeParserCtxt(m->ctxt);
		m->ctxt = NULL;
	}
	if (plug != NULL)
		xmlSchemaSAXUnplug(plug);
	xmlSchemaFreeValidCtxt(vctxt);
	return rc;
}

/* Back to the start of the document for another pass; -1: cannot. */
static int
imp_rewind(struct imp *m)
{
	m->depth = 0;
	m->sync_only = 0;
	m->root_line = m->root_col = 0;
	m->nchanges = 0;
	m->failed = 0;
	m->fresh = m->fallback = m->reported = 0;
	m->err->status = BC_OK;
	m->err->msg[0] = '\0';
	if (m->fd == -1) {
		m->off = 0;
		return 0;
	}
	return lseek(m->fd, m->fd_start, SEEK_SET) == m->fd_start ? 0 : -1;
}

static int
imp_run(struct imp *m, xmlInputReadCallback ioread)
{
	xmlSchemaParserCtxtPtr pctxt = NULL;
	xmlSchemaPtr schema = NULL;
	struct bc_xml_errors saved;
	struct stat sb;
	struct bc_err e;
	int rc, may_fresh, fresh;

	m->err->status = BC_OK;
	m->err->msg[0] = '\0';
	if ((pctxt = xmlSchemaNewMemParserCtxt(bc_xml_schema,
	    (int)bc_xml_schema_len)) == NULL)
		return bc_err_set(m->err, BC_ENOMEM, "out of memory");
	xmlSchemaSetParserStructuredErrors(pctxt, imp_schema_error, m);
	schema = xmlSchemaParse(pctxt);
	xmlSchemaFreeParserCtxt(pctxt);
	if (schema == NULL) {
		if (!m->failed)
			bc_err_set(m->err, BC_EINTERNAL, "cannot load the "
			    "embedded schema");
		return m->err->status;
	}
	bc_xml_errors_catch(&saved, imp_context_error, m);
	/* the fresh path needs a document it can read again */
	may_fresh = m->fd == -1 || (fstat(m->fd, &sb) == 0 &&
	    S_ISREG(sb.st_mode) &&
	    (m->fd_start = lseek(m->fd, 0, SEEK_CUR)) != -1);
	/* into an empty store: filled (see bc_store_fill_begin()) */
	if (may_fresh && !(m->flags & BC_XML_DRY_RUN) &&
	    bc_tx_depth(m->s) == 0 && imp_store_fresh(m, &fresh, &e) ==
	    BC_OK && fresh && bc_store_fill_begin(m->s, &m->filling, &e) !=
	    BC_OK)
		m->filling = 0;
	rc = imp_pass(m, schema, ioread, may_fresh);
	if (m->filling) {
		bc_store_fill_end(m->s);
		m->filling = 0;
	}
	if (m->fallback) {
		if (imp_rewind(m) == 0)
			rc = imp_pass(m, schema, ioread, 0);
		else
			rc = bc_err_set(m->err, BC_EIO, "%s: cannot read "
			    "again: %s", m->name, strerror(errno));
	}
	bc_xml_errors_restore(&saved);
	xmlSchemaFree(schema);
	free(m->abuf);
	m->abuf = NULL;
	m->mabuf = 0;
	return rc;
}

static void
imp_init(struct imp *m, bc_store *s, const char *name, unsigned flags,
    bc_xml_change_cb cb, void *arg, struct bc_err *err)
{
	memset(m, 0, sizeof(*m));
	m->s = s;
	m->name = name;
	m->flags = flags;
	m->cb = cb;
	m->arg = arg;
	m->err = err;
	m->fd = -1;
	m->fd_start = -1;
	bc_login_init(&m->login);
	bc_dn_init(&m->dn);
	bc_place_init(&m->place);
	bc_person_init(&m->person);
}

int
bc_xml_import_fd(bc_store *s, int fd, const char *name, unsigned flags,
    bc_xml_change_cb cb, void *arg, size_t *nchanges, struct bc_err *err)
{
	struct imp m;
	int rc;

	imp_init(&m, s, name, flags, cb, arg, err);
	m.fd = fd;
	rc = imp_run(&m, io_read_fd);
	if (nchanges != NULL)
		*nchanges = rc == BC_OK ? m.nchanges : 0;
	return rc;
}

int
bc_xml_import_file(bc_store *s, const char *path, unsigned flags,
    bc_xml_change_cb cb, void *arg, size_t *nchanges, struct bc_err *err)
{
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL)
		return bc_err_set(err, BC_EIO, "cannot open '%s': %s", path,
		    strerror(errno));
	rc = bc_xml_import_fd(s, fileno(f), path, flags, cb, arg, nchanges,
	    err);
	fclose(f);
	return rc;
}

int
bc_xml_import_mem(bc_store *s, const char *buf, size_t len,
    const char *name, unsigned flags, bc_xml_change_cb cb, void *arg,
    size_t *nchanges, struct bc_err *err)
{
	struct imp m;
	int rc;

	imp_init(&m, s, name, flags, cb, arg, err);
	m.buf = buf;
	m.len = len;
	rc = imp_run(&m, io_read_mem);
	if (nchanges != NULL)
		*nchanges = rc == BC_OK ? m.nchanges : 0;
	return rc;
}
