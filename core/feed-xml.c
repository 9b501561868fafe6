/*
 * feed-xml.c -- the objects of feed documents: the synchronized fields of
 * objects (those of their canonical documents, the sync_*_doc views of
 * the store) written from their rows as the elements of sipbc-site(5),
 * with their change metadata as attributes of BC_FEED_NS, and read back
 * into canonical documents.  One table per kind lists the attributes;
 * the children (annex options, a place's DNs, a person's logins) are the
 * same for every kind that has them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bc-feed.h"
#include "bc-xml.h"
#include "feed-internal.h"
#include "store-internal.h"
#include "xml-out.h"

const char *const bc_feed_kinds[] = { "login", "dn", "place", "person" };

enum ftype { F_STR, F_BOOL };

struct field {
	const char	*name;		/* JSON member and XML attribute */
	enum ftype	 type;
	int		 def;		/* F_BOOL: when absent */
};

static const struct field login_fields[] = {
	{ "code", F_STR, 0 }, { "password", F_STR, 0 },
	{ "override", F_STR, 0 }, { "use-override", F_BOOL, 0 },
	{ "enabled", F_BOOL, 1 }, { NULL, F_STR, 0 }
};
static const struct field dn_fields[] = {
	{ "type", F_STR, 0 }, { "number", F_STR, 0 }, { "alias", F_STR, 0 },
	{ "register", F_STR, 0 }, { "password", F_STR, 0 },
	{ "enabled", F_BOOL, 1 }, { NULL, F_STR, 0 }
};
static const struct field place_fields[] = {
	{ "name", F_STR, 0 }, { "enabled", F_BOOL, 1 }, { NULL, F_STR, 0 }
};
static const struct field person_fields[] = {
	{ "username", F_STR, 0 }, { "first", F_STR, 0 }, { "last", F_STR, 0 },
	{ "employee-id", F_STR, 0 }, { "agent", F_BOOL, 0 },
	{ "enabled", F_BOOL, 1 }, { "preferred-site", F_STR, 0 },
	{ "place", F_STR, 0 }, { NULL, F_STR, 0 }
};

static const struct field *
fields_of(const char *kind)
{
	if (strcmp(kind, "login") == 0)
		return login_fields;
	if (strcmp(kind, "dn") == 0)
		return dn_fields;
	if (strcmp(kind, "place") == 0)
		return place_fields;
	if (strcmp(kind, "person") == 0)
		return person_fields;
	return NULL;
}

/* ---- writing ------------------------------------------------------- */

/*
 * Objects are written from their rows (the fields of their canonical
 * documents, as the sync_*_doc views give them) by the export's buffered
 * writer (xml-out.c), with the bytes libxml2's xmlTextWriter wrote for
 * them: two spaces a level, empty elements closed with "/>".
 */
static const char SQL_W_LOGIN[] = "SELECT id, code, password, override, "
    "use_override, enabled FROM agent_login WHERE code = ?1";
static const char SQL_W_LOGIN_OPTIONS[] = "SELECT section, key, value "
    "FROM login_option WHERE login_id = ?1 ORDER BY section, key";
static const char SQL_W_DN[] = "SELECT id, type, number, alias, register, "
    "password, enabled FROM dn WHERE type = ?1 AND number = ?2 AND "
    "(type = 'extension' OR type = 'acd-queue' OR "
    "type = 'call-processing-port')";
static const char SQL_W_DN_OPTIONS[] = "SELECT section, key, value "
    "FROM dn_option WHERE dn_id = ?1 ORDER BY section, key";
static const char SQL_W_PLACE[] = "SELECT id, name, enabled FROM place "
    "WHERE name = ?1";
static const char SQL_W_PLACE_DNS[] = "SELECT type, number FROM dn "
    "WHERE place_id = ?1 ORDER BY type, number";
static const char SQL_W_PLACE_OPTIONS[] = "SELECT section, key, value "
    "FROM place_option WHERE place_id = ?1 ORDER BY section, key";
static const char SQL_W_PERSON[] = "SELECT r.id, r.username, r.first_name, "
    "r.last_name, r.employee_id, r.agent, r.enabled, r.preferred_site, "
    "p.name FROM person r LEFT JOIN place p ON p.id = r.place_id "
    "WHERE r.username = ?1";
static const char SQL_W_PERSON_LOGINS[] = "SELECT l.code, pl.wrapup "
    "FROM person_login pl JOIN agent_login l ON l.id = pl.login_id "
    "WHERE pl.person_id = ?1 ORDER BY l.code";

static int
fw_ioerr(struct bc_feed_writer *fw, struct bc_err *err)
{
	if (fw->o.werrno == ENOMEM)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	return bc_err_set(err, BC_EIO, "cannot write feed document: %s",
	    strerror(fw->o.werrno != 0 ? fw->o.werrno : EIO));
}

static int
lit(struct bc_feed_writer *fw, const char *s, size_t n, struct bc_err *err)
{
	return bc_xml_out_raw(&fw->o, s, n) != 0 ? fw_ioerr(fw, err) : BC_OK;
}
#define LIT(fw, s, err)	lit((fw), (s), sizeof(s) - 1, (err))

/* Indentation of depth levels, then the literal s. */
static int
tag(struct bc_feed_writer *fw, int depth, const char *s, size_t n,
    struct bc_err *err)
{
	static const char spaces[] = "          ";

	if (bc_xml_out_raw(&fw->o, spaces, (size_t)depth * 2) != 0)
		return fw_ioerr(fw, err);
	return lit(fw, s, n, err);
}
#define TAG(fw, depth, s, err)	tag((fw), (depth), (s), sizeof(s) - 1, (err))

/* name="value", left out when value is NULL. */
static int
attr(struct bc_feed_writer *fw, const struct bc_feed_meta *m,
    const char *name, const char *value, struct bc_err *err)
{
	if (value == NULL)
		return BC_OK;
	switch (bc_xml_out_attr(&fw->o, name, value)) {
	case 0:
		return BC_OK;
	case 1:
		return bc_xml_out_refused(err, m != NULL ? m->kind : "site",
		    m != NULL ? m->key : value, name);
	default:
		return fw_ioerr(fw, err);
	}
}

static int
attr_ll(struct bc_feed_writer *fw, const char *name, long long v,
    struct bc_err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return attr(fw, NULL, name, buf, err);
}

/* A text column (NULL when NULL; out of memory: *nomem). */
static const char *
col(sqlite3_stmt *st, int i, int *nomem)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	if (t == NULL && sqlite3_column_type(st, i) != SQLITE_NULL)
		*nomem = 1;
	return t;
}

/*
 * The end of a loop reading st's rows, stopped at step with rc: a
 * failed step, or a text column short of memory (nomem), is the error
 * when nothing else failed first.  Resets st.
 */
static int
read_end(bc_store *s, sqlite3_stmt *st, int rc, int step, int nomem,
    struct bc_err *err)
{
	if (rc == BC_OK && step != SQLITE_DONE)
		rc = bc_sqlite_err(s, step, err, "read feed");
	if (rc == BC_OK && nomem)
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
	sqlite3_reset(st);
	return rc;
}

/* A flag column as the documents give it: "true" or "false". */
static const char *
flag(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return sqlite3_column_type(st, i) == SQLITE_INTEGER &&
	    sqlite3_column_int64(st, i) != 0 ? "true" : "false";
}

int
bc_feed_xml_begin(struct bc_feed_writer *fw, FILE *f, const char *site,
    const char *document, long long after, long long seq, long long acked,
    struct bc_err *err)
{
	int rc;

	memset(fw, 0, sizeof(*fw));
	if (bc_xml_out_init(&fw->o, f) != 0)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((rc = LIT(fw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<site xmlns:c=\"" BC_FEED_NS "\" format=\"1\"", err)) ||
	    (rc = attr(fw, NULL, "name", site, err)) ||
	    (rc = LIT(fw, " synchronized-only=\"true\"", err)) ||
	    (rc = attr_ll(fw, "c:protocol", BC_FEED_PROTOCOL, err)) ||
	    (rc = attr(fw, NULL, "c:document", document, err)) ||
	    (strcmp(document, "changes") == 0 &&
	    (rc = attr_ll(fw, "c:after", after, err))) ||
	    (rc = attr_ll(fw, "c:seq", seq, err)) ||
	    (acked >= 0 && (rc = attr_ll(fw, "c:acked", acked, err))) ||
	    (rc = LIT(fw, " xmlns=\"" BC_XML_NS "\">\n", err))) {
		bc_xml_out_free(&fw->o);
		return rc;
	}
	fw->open = 1;
	return BC_OK;
}

/* Ends the open group: "/>" when nothing was written in it. */
static int
group_end(struct bc_feed_writer *fw, struct bc_err *err)
{
	char buf[24];

	if (fw->group == NULL)
		return BC_OK;
	if (fw->empty)
		return LIT(fw, "/>\n", err);
	snprintf(buf, sizeof(buf), "  </%ss>\n", fw->group);
	return lit(fw, buf, strlen(buf), err);
}

int
bc_feed_xml_group(struct bc_feed_writer *fw, const char *kind,
    struct bc_err *err)
{
	char buf[24];
	int rc;

	if ((rc = group_end(fw, err)))
		return rc;
	snprintf(buf, sizeof(buf), "  <%ss", kind);
	if ((rc = lit(fw, buf, strlen(buf), err)))
		return rc;
	fw->group = kind;
	fw->empty = 1;
	return BC_OK;
}

/* The start tag of an object: "<kind" (its group opened first). */
static int
object_start(struct bc_feed_writer *fw, const struct bc_feed_meta *m,
    struct bc_err *err)
{
	int rc;

	if (fw->empty) {
		if ((rc = LIT(fw, ">\n", err)))
			return rc;
		fw->empty = 0;
	}
	if ((rc = TAG(fw, 2, "<", err)))
		return rc;
	return lit(fw, m->kind, strlen(m->kind), err);
}

/* The change metadata, the last attributes of an object. */
static int
object_meta(struct bc_feed_writer *fw, const struct bc_feed_meta *m,
    struct bc_err *err)
{
	int rc;

	if ((rc = attr_ll(fw, "c:seq", m->seq, err)) ||
	    (rc = attr_ll(fw, "c:hlc", m->hlc, err)) ||
	    (rc = attr(fw, m, "c:origin", m->origin, err)))
		return rc;
	if (m->deleted)
		return LIT(fw, " c:deleted=\"true\"", err);
	return attr(fw, m, "c:hash", m->hash != NULL ? m->hash : "", err);
}

/* ">\n" before the first child, then *open. */
static int
child_open(struct bc_feed_writer *fw, int *open, struct bc_err *err)
{
	if (*open)
		return BC_OK;
	*open = 1;
	return LIT(fw, ">\n", err);
}

/*
 * The options of the object with row id, read by st:
 * <annex><section name=S><option key=K value=V/>...</section></annex>
 */
static int
annex(struct bc_feed_writer *fw, const struct bc_feed_meta *m,
    bc_store *s, const char *sql, sqlite3_int64 id, int *open,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	const char *sec;
	char *cur = NULL;
	int rc = BC_OK, step, nomem = 0;

	if ((st = bc_stmt(s, sql, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	while (rc == BC_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((sec = col(st, 0, &nomem)) == NULL) {
			rc = bc_err_set(err, BC_ENOMEM, "out of memory");
			break;
		}
		if (cur == NULL && ((rc = child_open(fw, open, err)) ||
		    (rc = TAG(fw, 3, "<annex>\n", err))))
			break;
		if (cur == NULL || strcmp(cur, sec) != 0) {
			if ((cur != NULL &&
			    (rc = TAG(fw, 4, "</section>\n", err))) ||
			    (rc = TAG(fw, 4, "<section", err)) ||
			    (rc = attr(fw, m, "name", sec, err)) ||
			    (rc = LIT(fw, ">\n", err)))
				break;
			free(cur);
			if ((cur = strdup(sec)) == NULL) {
				rc = bc_err_set(err, BC_ENOMEM, "out of memory");
				break;
			}
		}
		if ((rc = TAG(fw, 5, "<option", err)) ||
		    (rc = attr(fw, m, "key", col(st, 1, &nomem), err)) ||
		    (rc = attr(fw, m, "value", col(st, 2, &nomem), err)) ||
		    (rc = LIT(fw, "/>\n", err)))
			break;
	}
	rc = read_end(s, st, rc, step, nomem, err);
	if (rc == BC_OK && cur != NULL &&
	    !(rc = TAG(fw, 4, "</section>\n", err)))
		rc = TAG(fw, 3, "</annex>\n", err);
	free(cur);
	return rc;
}

/* A place's DNs, or a person's logins: <dn type number/>, <login .../> */
static int
links(struct bc_feed_writer *fw, const struct bc_feed_meta *m, bc_store *s,
    const char *sql, sqlite3_int64 id, int *open, struct bc_err *err)
{
	sqlite3_stmt *st;
	int place = strcmp(m->kind, "place") == 0;
	int rc = BC_OK, step, nomem = 0;

	if ((st = bc_stmt(s, sql, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	while (rc == BC_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = child_open(fw, open, err)) ||
		    (rc = place ? TAG(fw, 3, "<dn", err) :
		    TAG(fw, 3, "<login", err)) ||
		    (rc = attr(fw, m, place ? "type" : "code",
		    col(st, 0, &nomem), err)) ||
		    (rc = place ? attr(fw, m, "number", col(st, 1, &nomem),
		    err) : attr_ll(fw, "wrapup", sqlite3_column_int64(st, 1),
		    err)) ||
		    (rc = LIT(fw, "/>\n", err)))
			break;
	}
	return read_end(s, st, rc, step, nomem, err);
}

/* The identity attributes of a tombstone, from its key. */
static int
identity(struct bc_feed_writer *fw, const struct bc_feed_meta *m,
    struct bc_err *err)
{
	const char *colon;
	char type[32];
	int rc;

	if (strcmp(m->kind, "dn") == 0) {
		if ((colon = strchr(m->key, ':')) == NULL)
			return bc_err_set(err, BC_EINTERNAL, "dn key '%s' "
			    "without a type", m->key);
		snprintf(type, sizeof(type), "%.*s", (int)(colon - m->key),
		    m->key);
		if ((rc = attr(fw, m, "type", type, err)))
			return rc;
		return attr(fw, m, "number", colon + 1, err);
	}
	return attr(fw, m, fields_of(m->kind)[0].name, m->key, err);
}

/*
 * The row of the object named by m, read by its statement: columns from
 * the first field on, as many as its kind has fields (the row id
 * before them).  *found = 0 when there is none.
 */
static int
object_row(bc_store *s, const struct bc_feed_meta *m, sqlite3_stmt **out,
    int *found, struct bc_err *err)
{
	static const char *const sql[] = { SQL_W_LOGIN, SQL_W_DN,
	    SQL_W_PLACE, SQL_W_PERSON };
	const char *colon = NULL;
	sqlite3_stmt *st;
	size_t k;
	int step;

	*found = 0;
	for (k = 0; k < BC_FEED_KINDS; k++)
		if (strcmp(m->kind, bc_feed_kinds[k]) == 0)
			break;
	if (k == BC_FEED_KINDS)
		return bc_err_set(err, BC_EINTERNAL, "unknown kind '%s'",
		    m->kind);
	if ((st = bc_stmt(s, sql[k], err)) == NULL)
		return err->status;
	if (strcmp(m->kind, "dn") == 0) {
		if ((colon = strchr(m->key, ':')) == NULL)
			return BC_OK;
		sqlite3_bind_text(st, 1, m->key, (int)(colon - m->key),
		    SQLITE_TRANSIENT);
		bc_bind_text(st, 2, colon + 1);
	} else
		bc_bind_text(st, 1, m->key);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		*out = st;
		return BC_OK;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return bc_sqlite_err(s, step, err, "read feed");
	return BC_OK;
}

int
bc_feed_xml_object(struct bc_feed_writer *fw, bc_store *s,
    const struct bc_feed_meta *m, int *written, struct bc_err *err)
{
	const struct field *f = fields_of(m->kind);
	sqlite3_stmt *st = NULL;
	sqlite3_int64 id = 0;
	const char *v;
	char end[24];
	int rc, i, found, open = 0, nomem = 0;

	*written = 0;
	if (f == NULL)
		return bc_err_set(err, BC_EINTERNAL, "unknown kind '%s'",
		    m->kind);
	if (m->deleted) {
		if ((rc = object_start(fw, m, err)) ||
		    (rc = identity(fw, m, err)) ||
		    (rc = object_meta(fw, m, err)) ||
		    (rc = LIT(fw, "/>\n", err)))
			return rc;
		*written = 1;
		return BC_OK;
	}
	/* marked, not recorded yet: the next flush records it */
	if ((rc = object_row(s, m, &st, &found, err)) || !found)
		return rc;
	id = sqlite3_column_int64(st, 0);
	if ((rc = object_start(fw, m, err)))
		goto out;
	for (i = 1; f[i - 1].name != NULL; i++) {
		v = f[i - 1].type == F_BOOL ? flag(st, i) : col(st, i, &nomem);
		if ((rc = attr(fw, m, f[i - 1].name, v, err)))
			goto out;
	}
	if (nomem) {
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = object_meta(fw, m, err)))
		goto out;
	sqlite3_reset(st);
	st = NULL;
	if (strcmp(m->kind, "login") == 0)
		rc = annex(fw, m, s, SQL_W_LOGIN_OPTIONS, id, &open, err);
	else if (strcmp(m->kind, "dn") == 0)
		rc = annex(fw, m, s, SQL_W_DN_OPTIONS, id, &open, err);
	else if (strcmp(m->kind, "place") == 0 &&
	    !(rc = links(fw, m, s, SQL_W_PLACE_DNS, id, &open, err)))
		rc = annex(fw, m, s, SQL_W_PLACE_OPTIONS, id, &open, err);
	else if (strcmp(m->kind, "person") == 0)
		rc = links(fw, m, s, SQL_W_PERSON_LOGINS, id, &open, err);
	if (rc == BC_OK) {
		if (open)
			snprintf(end, sizeof(end), "    </%s>\n", m->kind);
		else
			snprintf(end, sizeof(end), "/>\n");
		rc = lit(fw, end, strlen(end), err);
	}
	if (rc == BC_OK)
		*written = 1;
out:
	if (st != NULL)
		sqlite3_reset(st);
	return rc;
}

int
bc_feed_xml_end(struct bc_feed_writer *fw, int rc, struct bc_err *err)
{
	if (!fw->open)
		return rc;
	if (rc == BC_OK && !(rc = group_end(fw, err)) &&
	    !(rc = LIT(fw, "</site>\n", err)) &&
	    bc_xml_out_flush(&fw->o) != 0)
		rc = fw_ioerr(fw, err);
	bc_xml_out_free(&fw->o);
	fw->open = 0;
	if (rc == BC_OK && fflush(fw->o.f) != 0) {
		fw->o.werrno = errno;
		rc = fw_ioerr(fw, err);
	}
	return rc;
}

#define X(s)	((const xmlChar *)(s))

/* ---- reading ------------------------------------------------------- */

void
bc_feed_obj_clear(struct bc_feed_obj *o)
{
	free(o->key);
	free(o->origin);
	free(o->doc);
	json_decref(o->json);
	memset(o, 0, sizeof(*o));
}

int
bc_feed_obj_doc(struct bc_feed_obj *o, const char **doc, struct bc_err *err)
{
	if (o->doc == NULL && o->json != NULL &&
	    (o->doc = json_dumps(o->json, JSON_COMPACT)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	*doc = o->doc;
	return BC_OK;
}

static int
is_elem(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrcmp(n->ns->href, X(BC_XML_NS)) == 0 &&
	    xmlStrcmp(n->name, X(name)) == 0;
}

static char *
prop(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetNoNsProp(n, X(name));
}

static char *
cprop(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetNsProp(n, X(name), X(BC_FEED_NS));
}

static int
bad_obj(xmlNodePtr n, struct bc_err *err, const char *what)
{
	return bc_err_set(err, BC_EINVAL, "line %ld: <%s>: %s",
	    (long)xmlGetLineNo(n), (const char *)n->name, what);
}

/*
 * The largest HLC a peer may send (milliseconds about year 4200): this
 * store's clock takes it (bc_hlc_observe) and counts on from it, which
 * must not overflow.
 */
#define FEED_HLC_MAX	(1LL << 62)

static int
parse_ll(const char *s, long long *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return *end != '\0' || errno != 0 || *v < 0 ? -1 : 0;
}

static int
parse_bool(const char *s, int *v)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*v = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*v = 0;
	else
		return -1;
	return 0;
}

/* The annex of n into doc's "option" member. */
static int
read_annex(xmlNodePtr annex, json_t *opts, struct bc_err *err)
{
	xmlNodePtr sec, opt;
	char *sname, *k, *v, *full;
	int rc = BC_OK;

	for (sec = annex->children; rc == BC_OK && sec != NULL;
	    sec = sec->next) {
		if (sec->type != XML_ELEMENT_NODE)
			continue;
		if (!is_elem(sec, "section") ||
		    (sname = prop(sec, "name")) == NULL)
			return bad_obj(sec, err, "expected <section name=...>");
		for (opt = sec->children; rc == BC_OK && opt != NULL;
		    opt = opt->next) {
			if (opt->type != XML_ELEMENT_NODE)
				continue;
			k = prop(opt, "key");
			v = prop(opt, "value");
			if (!is_elem(opt, "option") || k == NULL || v == NULL)
				rc = bad_obj(opt, err, "expected <option "
				    "key=... value=...>");
			else if ((full = malloc(strlen(sname) + strlen(k) +
			    2)) == NULL)
				rc = bc_err_set(err, BC_ENOMEM,
				    "out of memory");
			else {
				sprintf(full, "%s/%s", sname, k);
				json_object_set_new(opts, full,
				    json_string(v));
				free(full);
			}
			xmlFree(k);
			xmlFree(v);
		}
		xmlFree(sname);
	}
	return rc;
}

static int
read_children(xmlNodePtr n, const char *kind, json_t *doc,
    struct bc_err *err)
{
	xmlNodePtr c;
	json_t *dns = NULL, *logins = NULL, *opts = json_object();
	char *a = NULL, *b = NULL, *key;
	long long w;
	int rc = BC_OK;

	if (strcmp(kind, "place") == 0)
		json_object_set_new(doc, "dn", dns = json_array());
	if (strcmp(kind, "person") == 0)
		json_object_set_new(doc, "login", logins = json_object());
	for (c = n->children; rc == BC_OK && c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_elem(c, "annex") && strcmp(kind, "person") != 0) {
			rc = read_annex(c, opts, err);
		} else if (dns != NULL && is_elem(c, "dn")) {
			a = prop(c, "type");
			b = prop(c, "number");
			if (a == NULL || b == NULL)
				rc = bad_obj(c, err, "type and number "
				    "required");
			else if ((key = malloc(strlen(a) + strlen(b) + 2)) ==
			    NULL)
				rc = bc_err_set(err, BC_ENOMEM,
				    "out of memory");
			else {
				sprintf(key, "%s:%s", a, b);
				json_array_append_new(dns, json_string(key));
				free(key);
			}
		} else if (logins != NULL && is_elem(c, "login")) {
			a = prop(c, "code");
			b = prop(c, "wrapup");
			w = 0;
			if (a == NULL || (b != NULL && (parse_ll(b, &w) ||
			    w > BC_WRAPUP_MAX)))
				rc = bad_obj(c, err, "code required, wrapup "
				    "a number of seconds");
			else
				json_object_set_new(logins, a,
				    json_integer(w));
		} else
			rc = bad_obj(c, err, "unexpected element");
		xmlFree(a);
		xmlFree(b);
		a = b = NULL;
	}
	if (strcmp(kind, "person") != 0)
		json_object_set_new(doc, "option", opts);
	else
		json_decref(opts);
	return rc;
}

/* The document of a live object from its attributes and children. */
static int
read_doc(xmlNodePtr n, struct bc_feed_obj *o, struct bc_err *err)
{
	const struct field *f;
	json_t *doc = json_object();
	char *v;
	int b, rc = BC_OK;

	for (f = fields_of(o->kind); rc == BC_OK && f->name != NULL; f++) {
		v = prop(n, f->name);
		if (f->type == F_STR)
			json_object_set_new(doc, f->name, v != NULL ?
			    json_string(v) : json_null());
		else if (v == NULL)
			json_object_set_new(doc, f->name,
			    json_integer(f->def));
		else if (parse_bool(v, &b))
			rc = bad_obj(n, err, "a boolean must be true or false");
		else
			json_object_set_new(doc, f->name, json_integer(b));
		xmlFree(v);
	}
	if (rc == BC_OK)
		rc = read_children(n, o->kind, doc, err);
	/*
	 * Kept parsed: applying it reads it so (its text, made when needed,
	 * parses back to the same values in the same order: jansson keeps
	 * the order members were set in).
	 */
	if (rc == BC_OK)
		o->json = doc;
	else
		json_decref(doc);
	return rc;
}

int
bc_feed_xml_read(xmlNodePtr n, struct bc_feed_obj *o, struct bc_err *err)
{
	char *a = NULL, *b = NULL, *v;
	size_t i;
	int rc = BC_OK, del = 0;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < BC_FEED_KINDS; i++)
		if (is_elem(n, bc_feed_kinds[i]))
			break;
	if (i == BC_FEED_KINDS)
		return bad_obj(n, err, "not an object element");
	snprintf(o->kind, sizeof(o->kind), "%s", bc_feed_kinds[i]);
	/* identity */
	if (strcmp(o->kind, "dn") == 0) {
		a = prop(n, "type");
		b = prop(n, "number");
		if (a != NULL && b != NULL && (o->key = malloc(strlen(a) +
		    strlen(b) + 2)) != NULL)
			sprintf(o->key, "%s:%s", a, b);
		xmlFree(a);
		xmlFree(b);
	} else if ((a = prop(n, fields_of(o->kind)[0].name)) != NULL) {
		o->key = strdup(a);
		xmlFree(a);
	}
	if (o->key == NULL || o->key[0] == '\0') {
		rc = bad_obj(n, err, "identity attribute missing");
		goto out;
	}
	/* metadata */
	v = cprop(n, "seq");
	if (parse_ll(v, &o->seq))
		rc = bad_obj(n, err, "c:seq missing or not a number");
	xmlFree(v);
	v = cprop(n, "hlc");
	if (rc == BC_OK && (parse_ll(v, &o->hlc) || o->hlc > FEED_HLC_MAX))
		rc = bad_obj(n, err, "c:hlc missing, not a number or "
		    "out of range");
	xmlFree(v);
	v = cprop(n, "deleted");
	if (rc == BC_OK && v != NULL && parse_bool(v, &del))
		rc = bad_obj(n, err, "c:deleted must be true or false");
	xmlFree(v);
	o->deleted = del;
	if (rc == BC_OK) {
		v = cprop(n, "origin");
		if (v == NULL || *v == '\0' || strlen(v) > BC_NAME_MAX)
			rc = bad_obj(n, err, "c:origin missing");
		else if ((o->origin = strdup(v)) == NULL)
			rc = bc_err_set(err, BC_ENOMEM, "out of memory");
		xmlFree(v);
	}
	if (rc == BC_OK && !del) {
		v = cprop(n, "hash");
		if (v == NULL || strlen(v) != 16 ||
		    strspn(v, "0123456789abcdef") != 16)
			rc = bad_obj(n, err, "c:hash missing or not 16 hex "
			    "digits");
		else
			memcpy(o->hash, v, 17);
		xmlFree(v);
	}
	if (rc == BC_OK && !del)
		rc = read_doc(n, o, err);
out:
	if (rc != BC_OK)
		bc_feed_obj_clear(o);
	return rc;
}
