/*
 * feed-apply.c -- bc_feed_apply(): a feed document from the peer site,
 * applied in one transaction with the rules of 'bcadm sync --two-way'
 * (core/sync.c, whose pieces it shares through sync-internal.h).
 *
 * The document is read with libxml2's streaming reader, one object
 * subtree at a time, into a list of changes; nothing is written before
 * the whole document has been read and checked.  Then each change is
 * decided against this store's metadata and applied in the order that
 * keeps the rules true: logins and DNs, places, persons; deletions the
 * other way round.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlreader.h>

#include "bc-feed.h"
#include "bc-sync.h"
#include "bc-xml.h"
#include "feed-internal.h"
#include "store-internal.h"
#include "sync-internal.h"
#include "xml-errors.h"

enum act { ACT_NONE, ACT_META, ACT_UPSERT, ACT_DELETE };

struct change {
	struct bc_feed_obj	 o;
	enum act		 act;
	int			 conflict;
	int			 peer_wins;
	long long		 local_hlc;
};

struct doc {
	int		 snapshot;
	long long	 after, seq;
	long long	 acked;		/* ours the peer had applied, or -1 */
	struct change	*v;
	size_t		 n, cap;
	char		 why[BC_ERR_MAX];	/* first parser error */
};

/* ---- reading ------------------------------------------------------- */

/*
 * The first parser error, with its line: the reader's own and those
 * without a parser context (encoding conversion), which libxml2 2.9
 * gives to the thread's handler (bc_xml_errors_catch()).
 */
static void
reader_error(void *arg, xmlErrorPtr e)
{
	struct doc *d = arg;
	size_t n;

	if (e == NULL || e->level == XML_ERR_WARNING || d->why[0] != '\0')
		return;
	if (e->line > 0)
		snprintf(d->why, sizeof(d->why), "line %d: %s", e->line,
		    e->message != NULL ? e->message : "unknown error");
	else
		snprintf(d->why, sizeof(d->why), "%s", e->message != NULL ?
		    e->message : "unknown error");
	n = strlen(d->why);
	while (n > 0 && d->why[n - 1] == '\n')
		d->why[--n] = '\0';
}

/* A position: decimal digits only, below 2^62. */
static int
position(const char *s, long long *v)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return *end != '\0' || errno != 0 || *v > (1LL << 62) ? -1 : 0;
}

static int
root_attrs(xmlTextReaderPtr r, const char *peer, struct doc *d,
    struct bc_err *err)
{
	char *name, *proto, *kind, *after, *seq, *acked;
	long long v;
	int rc = BC_OK;

	if (xmlStrcmp(xmlTextReaderConstLocalName(r), BAD_CAST "site") != 0 ||
	    xmlStrcmp(xmlTextReaderConstNamespaceUri(r), BAD_CAST BC_XML_NS))
		return bc_err_set(err, BC_EINVAL, "not a site document "
		    "(expected <site xmlns=\"%s\">)", BC_XML_NS);
	name = (char *)xmlTextReaderGetAttribute(r, BAD_CAST "name");
	proto = (char *)xmlTextReaderGetAttributeNs(r, BAD_CAST "protocol",
	    BAD_CAST BC_FEED_NS);
	kind = (char *)xmlTextReaderGetAttributeNs(r, BAD_CAST "document",
	    BAD_CAST BC_FEED_NS);
	after = (char *)xmlTextReaderGetAttributeNs(r, BAD_CAST "after",
	    BAD_CAST BC_FEED_NS);
	seq = (char *)xmlTextReaderGetAttributeNs(r, BAD_CAST "seq",
	    BAD_CAST BC_FEED_NS);
	acked = (char *)xmlTextReaderGetAttributeNs(r, BAD_CAST "acked",
	    BAD_CAST BC_FEED_NS);
	if (proto == NULL || position(proto, &v) || v != BC_FEED_PROTOCOL)
		rc = bc_err_set(err, BC_EINVAL, "feed protocol version %s, "
		    "this side speaks %d: nothing applied",
		    proto != NULL ? proto : "missing", BC_FEED_PROTOCOL);
	else if (name == NULL || strcmp(name, peer) != 0)
		rc = bc_err_set(err, BC_EINVAL, "document from site '%s', "
		    "expected the peer '%s': nothing applied",
		    name != NULL ? name : "(none)", peer);
	else if (kind == NULL || (strcmp(kind, "changes") != 0 &&
	    strcmp(kind, "snapshot") != 0))
		rc = bc_err_set(err, BC_EINVAL, "not a feed document "
		    "(c:document must be changes or snapshot)");
	else if (position(seq, &d->seq) || (strcmp(kind, "changes") == 0 &&
	    (position(after, &d->after) || d->after > d->seq)))
		rc = bc_err_set(err, BC_EINVAL, "feed document without a "
		    "valid c:after and c:seq");
	else if (acked != NULL && position(acked, &d->acked))
		rc = bc_err_set(err, BC_EINVAL, "feed document with a bad "
		    "c:acked");
	else
		d->snapshot = strcmp(kind, "snapshot") == 0;
	if (acked == NULL)
		d->acked = -1;
	xmlFree(acked);
	xmlFree(name);
	xmlFree(proto);
	xmlFree(kind);
	xmlFree(after);
	xmlFree(seq);
	return rc;
}

/* A reader of a document in memory: no network, no DTD, no entities. */
static xmlTextReaderPtr
open_reader(const char *buf, size_t len, struct bc_err *err)
{
	xmlTextReaderPtr r;

	if (len > (size_t)INT_MAX) {
		bc_err_set(err, BC_EINVAL, "feed document too large");
		return NULL;
	}
	r = xmlReaderForMemory(buf, (int)len, "feed", NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (r == NULL)
		bc_err_set(err, BC_ENOMEM, "out of memory");
	return r;
}

int
bc_feed_peek(const char *buf, size_t len, int *snapshot, long long *after,
    long long *seq, struct bc_err *err)
{
	xmlTextReaderPtr r;
	struct bc_xml_errors saved;
	char *kind = NULL, *a = NULL, *q = NULL;
	int rc = BC_EINVAL, step;

	*snapshot = 0;
	*after = *seq = 0;
	if ((r = open_reader(buf, len, err)) == NULL)
		return err->status;
	bc_xml_errors_catch(&saved, NULL, NULL);
	while ((step = xmlTextReaderRead(r)) == 1 &&
	    xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE)
			break;
	if (step == 1 &&
	    xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
	    xmlTextReaderDepth(r) == 0) {
		kind = (char *)xmlTextReaderGetAttributeNs(r,
		    BAD_CAST "document", BAD_CAST BC_FEED_NS);
		a = (char *)xmlTextReaderGetAttributeNs(r, BAD_CAST "after",
		    BAD_CAST BC_FEED_NS);
		q = (char *)xmlTextReaderGetAttributeNs(r, BAD_CAST "seq",
		    BAD_CAST BC_FEED_NS);
		if (kind != NULL && strcmp(kind, "snapshot") == 0 &&
		    position(q, seq) == 0) {
			*snapshot = 1;
			rc = BC_OK;
		} else if (kind != NULL && strcmp(kind, "changes") == 0 &&
		    position(q, seq) == 0 && position(a, after) == 0 &&
		    *after <= *seq)
			rc = BC_OK;
	}
	xmlFree(kind);
	xmlFree(a);
	xmlFree(q);
	xmlFreeTextReader(r);
	bc_xml_errors_restore(&saved);
	if (rc != BC_OK) {
		*after = *seq = 0;
		return bc_err_set(err, BC_EINVAL, "not a feed document "
		    "(no c:document, c:after and c:seq on its root)");
	}
	return BC_OK;
}

static int
add_object(xmlTextReaderPtr r, struct doc *d, struct bc_err *err)
{
	xmlNodePtr n;
	struct change *v;
	int rc;

	if ((n = xmlTextReaderExpand(r)) == NULL)
		return bc_err_set(err, BC_EINVAL, "malformed feed document: %s",
		    d->why[0] != '\0' ? d->why : "bad object element");
	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 256 : d->cap * 2;
		if ((v = realloc(d->v, d->cap * sizeof(*v))) == NULL)
			return bc_err_set(err, BC_ENOMEM, "out of memory");
		d->v = v;
	}
	memset(&d->v[d->n], 0, sizeof(d->v[d->n]));
	if ((rc = bc_feed_xml_read(n, &d->v[d->n].o, err)))
		return rc;
	d->n++;
	return BC_OK;
}

static int
read_doc(const char *peer, const char *buf, size_t len, struct doc *d,
    struct bc_err *err)
{
	xmlTextReaderPtr r;
	struct bc_xml_errors saved;
	int rc = BC_OK, step, depth, type, seen_root = 0;

	if ((r = open_reader(buf, len, err)) == NULL)
		return err->status;
	xmlTextReaderSetStructuredErrorHandler(r, reader_error, d);
	bc_xml_errors_catch(&saved, reader_error, d);
	while (rc == BC_OK && (step = xmlTextReaderRead(r)) == 1) {
		type = xmlTextReaderNodeType(r);
		depth = xmlTextReaderDepth(r);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE)
			rc = bc_err_set(err, BC_EINVAL, "feed document with a "
			    "document type declaration refused");
		else if (type != XML_READER_TYPE_ELEMENT)
			continue;
		else if (depth == 0) {
			rc = root_attrs(r, peer, d, err);
			seen_root = 1;
		} else if (depth == 1) {
			continue;	/* a kind's group */
		} else if (depth == 2) {
			if ((rc = add_object(r, d, err)) == BC_OK &&
			    xmlTextReaderNext(r) == -1)
				rc = bc_err_set(err, BC_EINVAL, "malformed "
				    "feed document: %s", d->why[0] ? d->why :
				    "parse error");
			/* Next() moved to the following node: look at it */
			while (rc == BC_OK &&
			    xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
			    xmlTextReaderDepth(r) == 2) {
				if ((rc = add_object(r, d, err)) == BC_OK &&
				    xmlTextReaderNext(r) == -1)
					rc = bc_err_set(err, BC_EINVAL,
					    "malformed feed document: %s",
					    d->why[0] ? d->why : "parse error");
			}
		} else
			rc = bc_err_set(err, BC_EINVAL, "line %d: unexpected "
			    "element <%s>", xmlTextReaderGetParserLineNumber(r),
			    (const char *)xmlTextReaderConstLocalName(r));
	}
	if (rc == BC_OK && step != 0)
		rc = bc_err_set(err, BC_EINVAL, "malformed feed document: %s",
		    d->why[0] != '\0' ? d->why : "parse error");
	if (rc == BC_OK && !seen_root)
		rc = bc_err_set(err, BC_EINVAL, "empty feed document");
	xmlFreeTextReader(r);
	bc_xml_errors_restore(&saved);
	return rc;
}

static void
doc_clear(struct doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		bc_feed_obj_clear(&d->v[i].o);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* ---- deciding ------------------------------------------------------ */

static const char SQL_LOCAL[] = "SELECT hlc, origin, hash, deleted, seq "
    "FROM sync_meta WHERE kind = ?1 AND key = ?2";
static const char SQL_CURSOR[] = "SELECT coalesce((SELECT applied FROM "
    "sync_feed WHERE peer = ?1), 0), coalesce((SELECT acked FROM sync_feed "
    "WHERE peer = ?1), 0), seq FROM site";
static const char SQL_CURSOR_SET[] = "INSERT INTO sync_feed (peer, applied, "
    "applied_at) VALUES (?1, ?2, ?3) ON CONFLICT (peer) DO UPDATE SET "
    "applied = CASE WHEN ?4 THEN excluded.applied ELSE "
    "max(applied, excluded.applied) END, applied_at = excluded.applied_at";

struct apply {
	bc_store		*s;
	unsigned		 flags;
	const char		*self, *peer;
	long long		 acked;
	long long		 seq;		/* this store's last position */
	int			 pending;	/* sync_pending may hold rows */
	struct bc_feed_result	*res;
	struct bc_err		*err;
};

/* Does the peer's change order after ours?  HLC, then the site name. */
static int
peer_newer(long long lhlc, const char *lorigin, const struct bc_feed_obj *o)
{
	if (o->hlc != lhlc)
		return o->hlc > lhlc;
	return strcmp(o->origin, lorigin) > 0;
}

static int
decide(struct apply *a, struct change *c)
{
	sqlite3_stmt *st;
	const char *lorigin, *lhash;
	long long lhlc, lseq;
	int step, ldel, same, newer, ours;

	if ((st = bc_stmt(a->s, SQL_LOCAL, a->err)) == NULL)
		return a->err->status;
	bc_bind_text(st, 1, c->o.kind);
	bc_bind_text(st, 2, c->o.key);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && (a->flags & BC_FEED_FORCE)) {
		ldel = sqlite3_column_int(st, 3);
		sqlite3_reset(st);
		c->peer_wins = 1;
		c->act = !c->o.deleted ? ACT_UPSERT : ldel ? ACT_META :
		    ACT_DELETE;
		return BC_OK;
	}
	if (step == SQLITE_DONE) {
		sqlite3_reset(st);
		c->peer_wins = 1;
		c->act = c->o.deleted ? ACT_META : ACT_UPSERT;
		return BC_OK;
	}
	if (step != SQLITE_ROW) {
		sqlite3_reset(st);
		return bc_sqlite_err(a->s, step, a->err, "read metadata");
	}
	lhlc = sqlite3_column_int64(st, 0);
	lorigin = (const char *)sqlite3_column_text(st, 1);
	lhash = (const char *)sqlite3_column_text(st, 2);
	ldel = sqlite3_column_int(st, 3);
	lseq = sqlite3_column_int64(st, 4);
	c->local_hlc = lhlc;
	same = ldel || c->o.deleted ? ldel && c->o.deleted :
	    lhash != NULL && strcmp(lhash, c->o.hash) == 0;
	newer = peer_newer(lhlc, lorigin != NULL ? lorigin : "", &c->o);
	ours = lorigin != NULL && strcmp(lorigin, a->self) == 0;
	sqlite3_reset(st);
	c->peer_wins = newer;
	if (same)
		c->act = newer ? ACT_META : ACT_NONE;
	else {
		/* both changed it: ours was not seen by the peer yet */
		c->conflict = ours && lseq > a->acked;
		if (!newer)
			c->act = ACT_NONE;
		else if (c->o.deleted)
			c->act = ldel ? ACT_META : ACT_DELETE;
		else
			c->act = ACT_UPSERT;
	}
	return BC_OK;
}

static int
record_conflict(struct apply *a, struct change *c)
{
	const char *doc;
	char *local = NULL;
	int rc;

	if ((rc = bc_feed_obj_doc(&c->o, &doc, a->err)) ||
	    (rc = bc_doc_get(a->s, c->o.kind, c->o.key, &local, a->err)))
		return rc;
	rc = bc_sync_conflict_add(a->s, c->o.kind, c->o.key, a->self,
	    c->local_hlc, local, a->peer, c->o.hlc, doc, !c->peer_wins,
	    a->err);
	free(local);
	if (rc == BC_OK)
		a->res->conflicts++;
	return rc;
}

static int
copy(struct apply *a, const struct change *c)
{
	return bc_sync_copy_add(a->s, c->o.kind, c->o.key, c->o.hlc,
	    c->o.origin, c->o.deleted ? NULL : c->o.hash, c->o.deleted, a->err);
}

static const char SQL_PENDING_ADD[] = "INSERT OR REPLACE INTO sync_pending "
    "(kind, key, hlc, origin, hash, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_PENDING_DEL[] =
    "DELETE FROM sync_pending WHERE kind = ?1 AND key = ?2";
/* rows whose object was changed here since, or deleted: the change wins */
static const char SQL_PENDING_STALE[] = "DELETE FROM sync_pending "
    "WHERE NOT EXISTS (SELECT 1 FROM sync_meta m WHERE "
    "m.kind = sync_pending.kind AND m.key = sync_pending.key AND "
    "m.hlc = sync_pending.hlc AND m.origin = sync_pending.origin AND "
    "m.deleted = 0)";
static const char SQL_PENDING_LIST[] = "SELECT key, hlc, origin, hash, doc "
    "FROM sync_pending WHERE kind = ?1";

static const char SQL_PENDING_ANY[] =
    "SELECT EXISTS (SELECT 1 FROM sync_pending)";

static int
pending_del(struct apply *a, const char *kind, const char *key)
{
	sqlite3_stmt *st;

	if (!a->pending)
		return BC_OK;	/* nothing waits: no statement per object */

	if ((st = bc_stmt(a->s, SQL_PENDING_DEL, a->err)) == NULL)
		return a->err->status;
	bc_bind_text(st, 1, kind);
	bc_bind_text(st, 2, key);
	return bc_step_done(a->s, st, a->err, "record pending object");
}

/* The hash of the object's document here into h (17 bytes; "" if none). */
static int
local_hash(struct apply *a, const char *kind, const char *key, char *h)
{
	return bc_doc_hash(a->s, kind, key, h, 17, a->err);
}

/*
 * After an upsert of the peer's document: when this store now holds it
 * exactly (same hash) the peer's metadata is copied.  Else it named an
 * object not here yet (see bc_doc_apply()): the object keeps the peer's
 * clock and origin with the hash of what it holds, and waits in
 * sync_pending (schema/008-feed-pending.sql) for a later document.
 */
static int
settle(struct apply *a, struct bc_feed_obj *o, const char *written,
    int *same)
{
	sqlite3_stmt *st;
	const char *doc;
	char h[17];
	int rc;

	/* the upsert knew the hash of what it wrote: no need to read it */
	if (written != NULL && written[0] != '\0' &&
	    strcmp(written, o->hash) == 0)
		snprintf(h, sizeof(h), "%s", written);
	else if ((rc = local_hash(a, o->kind, o->key, h)))
		return rc;
	*same = strcmp(h, o->hash) == 0;
	if (*same) {
		if ((rc = pending_del(a, o->kind, o->key)))
			return rc;
		return bc_sync_copy_add(a->s, o->kind, o->key, o->hlc,
		    o->origin, o->hash, 0, a->err);
	}
	if ((rc = bc_feed_obj_doc(o, &doc, a->err)))
		return rc;
	if ((st = bc_stmt(a->s, SQL_PENDING_ADD, a->err)) == NULL)
		return a->err->status;
	bc_bind_text(st, 1, o->kind);
	bc_bind_text(st, 2, o->key);
	sqlite3_bind_int64(st, 3, o->hlc);
	bc_bind_text(st, 4, o->origin);
	bc_bind_text(st, 5, o->hash);
	bc_bind_text(st, 6, doc);
	if ((rc = bc_step_done(a->s, st, a->err, "record pending object")))
		return rc;
	a->pending = 1;
	return bc_sync_copy_add(a->s, o->kind, o->key, o->hlc, o->origin,
	    h[0] != '\0' ? h : NULL, 0, a->err);
}

/* Tries the waiting objects of one kind again (see settle()). */
static int
pending_retry(struct apply *a, const char *kind)
{
	struct bc_feed_obj *v = NULL, *nv;
	sqlite3_stmt *list;
	size_t n = 0, i;
	int rc = BC_OK, step, same, place, person;

	step = sqlite3_prepare_v2(a->s->db, SQL_PENDING_LIST, -1, &list,
	    NULL);
	if (step != SQLITE_OK)
		return bc_sqlite_err(a->s, step, a->err, "read pending");
	bc_bind_text(list, 1, kind);
	/* collect first: applying writes the table being read */
	while (rc == BC_OK && (step = sqlite3_step(list)) == SQLITE_ROW) {
		if ((nv = realloc(v, (n + 1) * sizeof(*v))) == NULL) {
			rc = bc_err_set(a->err, BC_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].kind, sizeof(v[n].kind), "%s", kind);
		v[n].key = strdup((const char *)sqlite3_column_text(list, 0));
		v[n].hlc = sqlite3_column_int64(list, 1);
		v[n].origin = strdup((const char *)sqlite3_column_text(list,
		    2));
		snprintf(v[n].hash, sizeof(v[n].hash), "%s",
		    (const char *)sqlite3_column_text(list, 3));
		v[n].doc = strdup((const char *)sqlite3_column_text(list, 4));
		n++;
		if (v[n - 1].key == NULL || v[n - 1].origin == NULL ||
		    v[n - 1].doc == NULL)
			rc = bc_err_set(a->err, BC_ENOMEM, "out of memory");
	}
	if (rc == BC_OK && step != SQLITE_DONE)
		rc = bc_sqlite_err(a->s, step, a->err, "read pending");
	sqlite3_finalize(list);
	place = strcmp(kind, "place") == 0;
	person = strcmp(kind, "person") == 0;
	for (i = 0; rc == BC_OK && i < n; i++) {
		if ((place || person) && (rc = bc_sync_release_refs(a->s, kind,
		    v[i].key, v[i].doc, a->err)))
			break;
		if ((rc = bc_doc_apply(a->s, kind, v[i].key, v[i].doc,
		    a->err)) == BC_OK)
			rc = settle(a, &v[i], NULL, &same);
	}
	for (i = 0; i < n; i++)
		bc_feed_obj_clear(&v[i]);
	free(v);
	return rc;
}

/*
 * Change capture while a large document's logins, DNs and persons are
 * upserted.  The capture triggers (schema/003-sync-metadata.sql) mark
 * what each row written changes; for these three kinds the upsert
 * changes no other object's document (a login's or person's rows are
 * its own; a DN's place lists it by type and number, which an upsert
 * does not change), and every object upserted gets the peer's metadata
 * (or its own hash, settle()) with its mark removed at the end
 * (bc_sync_copy_finish()).  So the marks they leave are only those of
 * the objects themselves, which are removed anyway (the DN update
 * trigger marks a place only when the DN changes places or identity,
 * schema/010-dn-place-mark.sql, which an upsert does not do): without
 * the triggers (a trigger program per row is most of an update's time)
 * sync_dirty ends the same.  The connection's
 * triggers are switched off around the pass only (which makes SQLite
 * prepare its statements again: done for QUIET_MIN objects or more of
 * the kind in the document, not for one), so the person_agent_fixed
 * rule is off too: apply_person() never changes the flag of a person
 * (it deletes and adds one whose flag changed).  A place's upsert marks
 * the place (its own mark, removed the same way) and, through the DN
 * update trigger, each DN it takes or lets go (a DN of another place is
 * refused, so no other place): the pass of places marks those DNs
 * itself (BC_DOC_MARK_DNS), as the trigger would have.
 */
#define QUIET_MIN	64

static int
quiet_pass(const struct doc *d, const struct bc_sync_phase *ph,
    unsigned flags)
{
	size_t i, n = 0;

	if ((flags & BC_FEED_PLAIN) || ph->pass != PASS_UPSERT ||
	    (strcmp(ph->kind, "login") != 0 &&
	    strcmp(ph->kind, "dn") != 0 && strcmp(ph->kind, "place") != 0 &&
	    strcmp(ph->kind, "person") != 0))
		return 0;
	/* (an object read as text only would be applied without the
	 * marks of BC_DOC_MARK_DNS: none is, but then the pass is plain) */
	for (i = 0; i < d->n; i++)
		if (d->v[i].act == ACT_UPSERT &&
		    strcmp(d->v[i].o.kind, ph->kind) == 0) {
			if (d->v[i].o.json == NULL)
				return 0;
			n++;
		}
	return n >= QUIET_MIN;
}

/* Switches the connection's triggers on or off (see above). */
static int
capture(struct apply *a, int on)
{
	int rc, now = -1;

	rc = sqlite3_db_config(a->s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, on,
	    &now);
	if (rc != SQLITE_OK)
		return bc_sqlite_err(a->s, rc, a->err, "switch change capture");
	if (now != on)
		return bc_err_set(a->err, BC_EINTERNAL, "change capture "
		    "could not be switched %s", on ? "on" : "off");
	return BC_OK;
}

static int
apply_one(struct apply *a, struct change *c, enum bc_sync_pass pass,
    int quiet)
{
	char h[17] = "";
	int rc, same;

	switch (pass) {
	case PASS_RELEASE:
		if (c->act != ACT_UPSERT)
			return BC_OK;
		/* (the document as read: what its text parses to) */
		if (c->o.json != NULL)
			return bc_sync_release_refs_json(a->s, c->o.kind,
			    c->o.key, c->o.json, a->err);
		return bc_sync_release_refs(a->s, c->o.kind, c->o.key,
		    c->o.doc, a->err);
	case PASS_UPSERT:
		if (c->act == ACT_META)
			return (rc = pending_del(a, c->o.kind, c->o.key)) ? rc :
			    copy(a, c);
		if (c->act != ACT_UPSERT)
			return BC_OK;
		if ((rc = c->o.json != NULL ? bc_doc_apply_json_hash(a->s,
		    c->o.kind, c->o.key, c->o.json, (a->flags &
		    BC_FEED_PLAIN) ? NULL : h, quiet ? BC_DOC_MARK_DNS : 0,
		    a->err) :
		    bc_doc_apply(a->s, c->o.kind, c->o.key, c->o.doc, a->err)))
			return rc;
		a->res->applied++;
		return settle(a, &c->o, h, &same);
	case PASS_DELETE:
		if (c->act != ACT_DELETE)
			return BC_OK;
		if ((rc = pending_del(a, c->o.kind, c->o.key)) ||
		    (rc = bc_doc_apply(a->s, c->o.kind, c->o.key, NULL,
		    a->err)))
			return rc;
		a->res->applied++;
		return copy(a, c);
	}
	return BC_OK;
}

/* ---- snapshots: what the peer no longer has ------------------------ */

static const char SQL_SNAP_CREATE[] = "CREATE TEMP TABLE IF NOT EXISTS "
    "feed_snap (kind TEXT NOT NULL, key TEXT NOT NULL, "
    "PRIMARY KEY (kind, key)) WITHOUT ROWID";
static const char SQL_SNAP_CLEAR[] = "DELETE FROM temp.feed_snap";
static const char SQL_SNAP_ADD[] =
    "INSERT OR IGNORE INTO temp.feed_snap VALUES (?1, ?2)";
/* live here, absent there, and not a change of ours it has not seen */
static const char SQL_SNAP_GONE[] = "SELECT key, hlc FROM sync_meta m "
    "WHERE kind = ?1 AND deleted = 0 AND NOT (origin = ?2 AND seq > ?3) "
    "AND NOT EXISTS (SELECT 1 FROM temp.feed_snap f "
    "WHERE f.kind = m.kind AND f.key = m.key)";

static int
snapshot_keys(struct apply *a, const struct doc *d)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((rc = bc_sync_exec(a->s, SQL_SNAP_CREATE, a->err)) ||
	    (rc = bc_sync_exec(a->s, SQL_SNAP_CLEAR, a->err)))
		return rc;
	for (i = 0; rc == BC_OK && i < d->n; i++) {
		if ((st = bc_stmt(a->s, SQL_SNAP_ADD, a->err)) == NULL)
			return a->err->status;
		bc_bind_text(st, 1, d->v[i].o.kind);
		bc_bind_text(st, 2, d->v[i].o.key);
		rc = bc_step_done(a->s, st, a->err, "apply snapshot");
	}
	return rc;
}

/*
 * Deletes the objects of kind the peer's snapshot lacks.  The peer no
 * longer has them, so the deletions are recorded as its own (origin the
 * peer, at the object's last clock) and are not sent back to it: a
 * tombstone there would only move its feed floor past our position.
 */
static int
snapshot_gone(struct apply *a, const char *kind)
{
	sqlite3_stmt *list;
	struct gone { char *key; long long hlc; } *v = NULL, *nv;
	size_t n = 0, i;
	int rc = BC_OK, step;

	/* collect first: deleting under a running SELECT would confuse it */
	step = sqlite3_prepare_v2(a->s->db, SQL_SNAP_GONE, -1, &list, NULL);
	if (step != SQLITE_OK)
		return bc_sqlite_err(a->s, step, a->err, "apply snapshot");
	bc_bind_text(list, 1, kind);
	bc_bind_text(list, 2, a->self);
	sqlite3_bind_int64(list, 3, a->acked);
	while (rc == BC_OK && (step = sqlite3_step(list)) == SQLITE_ROW) {
		if ((nv = realloc(v, (n + 1) * sizeof(*v))) == NULL ||
		    (nv[n].key = strdup((const char *)sqlite3_column_text(list,
		    0))) == NULL) {
			if (nv != NULL)
				v = nv;
			rc = bc_err_set(a->err, BC_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		v[n++].hlc = sqlite3_column_int64(list, 1);
	}
	if (rc == BC_OK && step != SQLITE_DONE)
		rc = bc_sqlite_err(a->s, step, a->err, "apply snapshot");
	sqlite3_finalize(list);
	for (i = 0; rc == BC_OK && i < n; i++) {
		if ((rc = bc_doc_apply(a->s, kind, v[i].key, NULL, a->err)) ||
		    (rc = bc_sync_copy_add(a->s, kind, v[i].key, v[i].hlc,
		    a->peer, NULL, 1, a->err)))
			break;
		a->res->deleted++;
	}
	for (i = 0; i < n; i++)
		free(v[i].key);
	free(v);
	return rc;
}

/* ---- the transaction ----------------------------------------------- */

static int
cursor(struct apply *a, long long *applied, struct bc_err *err)
{
	sqlite3_stmt *st;
	int step;

	*applied = 0;
	a->acked = 0;
	if ((st = bc_stmt(a->s, SQL_CURSOR, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, a->peer);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*applied = sqlite3_column_int64(st, 0);
		a->acked = sqlite3_column_int64(st, 1);
		a->seq = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return bc_sqlite_err(a->s, step, err, "read peer position");
	return BC_OK;
}

static int
run(struct apply *a, struct doc *d)
{
	sqlite3_stmt *st;
	long long applied;
	size_t i, p;
	int rc, step, retry_place = 0, retry_person = 0;

	/* changes made around the library count as ours, first */
	if ((rc = bc_meta_flush(a->s, a->err)) ||
	    (rc = cursor(a, &applied, a->err)))
		return rc;
	if ((st = bc_stmt(a->s, SQL_PENDING_ANY, a->err)) == NULL)
		return a->err->status;
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		a->pending = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return bc_sqlite_err(a->s, step, a->err, "read pending");
	/* what the peer knew of ours when it wrote the document (it cannot
	 * have applied positions this store never issued) */
	if (d->acked > a->seq)
		d->acked = a->seq;
	if (d->acked > a->acked && (rc = bc_feed_ack(a->s, a->peer, d->acked,
	    -1, NULL, a->err)))
		return rc;
	/*
	 * The document is judged by what the peer knew when it wrote it:
	 * it may have applied more of ours since, and a change of ours it
	 * applied after writing a snapshot is not in that snapshot.
	 */
	if (d->acked >= 0)
		a->acked = d->acked;
	if (!d->snapshot && d->after > applied)
		return bc_err_set(a->err, BC_ERULE, "changes of site '%s' "
		    "start after position %lld, this store applied them up to "
		    "%lld only: nothing applied", a->peer, d->after, applied);
	if ((rc = bc_sync_copy_prepare(a->s, a->err)))
		return rc;
	for (i = 0; rc == BC_OK && i < d->n; i++) {
		if ((rc = decide(a, &d->v[i])) == BC_OK && d->v[i].conflict)
			rc = record_conflict(a, &d->v[i]);
		if (d->v[i].o.hlc > a->res->max_hlc)
			a->res->max_hlc = d->v[i].o.hlc;
		if (d->v[i].act == ACT_NONE && !d->v[i].o.deleted &&
		    !d->v[i].peer_wins)
			a->res->kept++;
	}
	if (rc == BC_OK && d->snapshot)
		rc = snapshot_keys(a, d);
	for (p = 0; rc == BC_OK && p < bc_sync_nphases; p++) {
		const struct bc_sync_phase *ph = &bc_sync_phases[p];
		int quiet = quiet_pass(d, ph, a->flags), on;

		if (d->snapshot && ph->pass == PASS_DELETE)
			rc = snapshot_gone(a, ph->kind);
		if (rc == BC_OK && quiet)
			rc = capture(a, 0);
		for (i = 0; rc == BC_OK && i < d->n; i++)
			if (strcmp(d->v[i].o.kind, ph->kind) == 0)
				rc = apply_one(a, &d->v[i], ph->pass, quiet);
		/* back on whatever happened */
		if (quiet && (on = capture(a, 1)) != BC_OK && rc == BC_OK)
			rc = on;
	}
	if (rc == BC_OK)
		rc = bc_sync_copy_finish(a->s, a->err);
	/* then the objects that waited for what this document brought */
	if (rc == BC_OK)
		rc = bc_sync_exec(a->s, SQL_PENDING_STALE, a->err);
	/* only what this document can have completed: what names its kinds */
	for (i = 0; i < d->n; i++) {
		if (strcmp(d->v[i].o.kind, "login") == 0)
			retry_person = 1;
		else if (strcmp(d->v[i].o.kind, "dn") == 0)
			retry_place = 1;
		else if (strcmp(d->v[i].o.kind, "place") == 0)
			retry_person = 1;
	}
	if (rc == BC_OK && retry_place)
		rc = pending_retry(a, "place");
	if (rc == BC_OK && (retry_person || retry_place))
		rc = pending_retry(a, "person");
	if (rc == BC_OK)
		rc = bc_sync_copy_finish(a->s, a->err);
	if (rc == BC_OK && a->res->max_hlc > 0)
		rc = bc_hlc_observe(a->s, a->res->max_hlc, a->err);
	if (rc != BC_OK)
		return rc;
	if ((st = bc_stmt(a->s, SQL_CURSOR_SET, a->err)) == NULL)
		return a->err->status;
	bc_bind_text(st, 1, a->peer);
	sqlite3_bind_int64(st, 2, d->seq);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(st, 4, d->snapshot);
	return bc_step_done(a->s, st, a->err, "record peer position");
}

/* Applies d, read from peer's document (read_doc()): see bc-feed.h. */
static int
apply_doc(bc_store *s, const char *peer, struct doc *d, unsigned flags,
    struct bc_feed_result *res, struct bc_err *err)
{
	struct bc_site site;
	struct apply a;
	int rc;

	res->snapshot = d->snapshot;
	res->after = d->after;
	res->seq = d->seq;
	res->objects = d->n;
	if ((rc = bc_site_get(s, &site, err)))
		return rc;
	if (!(flags & BC_FEED_MIRROR) && strcmp(site.name, peer) == 0) {
		rc = bc_err_set(err, BC_EINVAL, "the peer '%s' has this "
		    "site's own name: nothing applied", peer);
		bc_site_clear(&site);
		return rc;
	}
	memset(&a, 0, sizeof(a));
	a.s = s;
	a.flags = flags;
	a.self = site.name;
	a.peer = peer;
	a.res = res;
	a.err = err;
	if ((rc = bc_tx_begin_bulk(s, err)) == BC_OK) {
		rc = run(&a, d);
		rc = bc_tx_end(s, rc, err);
	}
	bc_site_clear(&site);
	return rc;
}

/* What bc_feed_apply() leaves in res when it fails: the position only. */
static void
result_failed(struct bc_feed_result *res)
{
	long long seq = res->seq;

	memset(res, 0, sizeof(*res));
	res->seq = seq;
}

int
bc_feed_apply(bc_store *s, const char *peer, const char *buf, size_t len,
    unsigned flags, struct bc_feed_result *res, struct bc_err *err)
{
	struct doc d;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&d, 0, sizeof(d));
	if ((rc = read_doc(peer, buf, len, &d, err)) == BC_OK)
		rc = apply_doc(s, peer, &d, flags, res, err);
	doc_clear(&d);
	if (rc != BC_OK)
		result_failed(res);
	return rc;
}

struct bc_feed_doc {
	struct doc	 d;
};

int
bc_feed_read(const char *peer, const char *buf, size_t len,
    bc_feed_doc **out, struct bc_err *err)
{
	bc_feed_doc *fd;
	int rc;

	*out = NULL;
	if ((fd = calloc(1, sizeof(*fd))) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((rc = read_doc(peer, buf, len, &fd->d, err)) != BC_OK) {
		bc_feed_doc_free(fd);
		return rc;
	}
	*out = fd;
	return BC_OK;
}

int
bc_feed_apply_doc(bc_store *s, const char *peer, bc_feed_doc *fd,
    unsigned flags, struct bc_feed_result *res, struct bc_err *err)
{
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = apply_doc(s, peer, &fd->d, flags, res, err)) != BC_OK)
		result_failed(res);
	return rc;
}

void
bc_feed_doc_free(bc_feed_doc *fd)
{
	if (fd == NULL)
		return;
	doc_clear(&fd->d);
	free(fd);
}
