/*
 * doc.c -- canonical documents of synchronized objects: reading them from
 * the sync_*_doc views, applying one to a store through the object API
 * (so every rule still holds), and comparing two field by field.
 *
 * Documents are JSON texts built by SQLite; a document applied is parsed
 * once with jansson (its fields read from that, not one SQLite
 * json_extract() per field).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bc-sync.h"
#include "store-internal.h"
#include "sync-internal.h"

static const char SQL_DOC_DN[] =
    "SELECT doc FROM sync_dn_doc WHERE type = CAST(?1 AS TEXT) AND number = ?2";
static const char SQL_DOC_PLACE[] = "SELECT doc FROM sync_place_doc "
    "WHERE key = ?1";
static const char SQL_DOC_PERSON[] = "SELECT doc FROM sync_person_doc "
    "WHERE key = ?1";
static const char SQL_DOC_LOGIN[] = "SELECT doc FROM sync_login_doc "
    "WHERE key = ?1";
static const char SQL_HASH_DN[] = "SELECT bc_hash(doc) FROM sync_dn_doc "
    "WHERE type = CAST(?1 AS TEXT) AND number = ?2";
static const char SQL_HASH_PLACE[] = "SELECT bc_hash(doc) FROM sync_place_doc "
    "WHERE key = ?1";
static const char SQL_HASH_PERSON[] = "SELECT bc_hash(doc) FROM "
    "sync_person_doc WHERE key = ?1";
static const char SQL_HASH_LOGIN[] = "SELECT bc_hash(doc) FROM sync_login_doc "
    "WHERE key = ?1";

/* Splits a DN key TYPE:NUMBER. */
static int
dn_key(const char *key, enum bc_dn_type *type, const char **number,
    struct bc_err *err)
{
	const char *colon = strchr(key, ':');
	char tname[32];
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - key)) >= sizeof(tname))
		return bc_err_set(err, BC_EINVAL, "dn key '%s' is not "
		    "TYPE:NUMBER", key);
	memcpy(tname, key, n);
	tname[n] = '\0';
	if (bc_dn_type_parse(tname, type) != 0)
		return bc_err_set(err, BC_EINVAL, "dn key '%s': unknown type",
		    key);
	*number = colon + 1;
	return BC_OK;
}

/*
 * The statement reading the document of kind/key (hash: its bc_hash()
 * instead), bound; NULL with err set.
 */
static sqlite3_stmt *
doc_stmt(bc_store *s, const char *kind, const char *key, int hash,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	enum bc_dn_type type;
	const char *number, *sql;

	if (strcmp(kind, "dn") == 0) {
		if (dn_key(key, &type, &number, err))
			return NULL;
		if ((st = bc_stmt(s, hash ? SQL_HASH_DN : SQL_DOC_DN,
		    err)) == NULL)
			return NULL;
		bc_bind_text(st, 1, bc_dn_type_name(type));
		bc_bind_text(st, 2, number);
		return st;
	}
	sql = strcmp(kind, "place") == 0 ? (hash ? SQL_HASH_PLACE :
	    SQL_DOC_PLACE) : strcmp(kind, "person") == 0 ? (hash ?
	    SQL_HASH_PERSON : SQL_DOC_PERSON) : strcmp(kind, "login") == 0 ?
	    (hash ? SQL_HASH_LOGIN : SQL_DOC_LOGIN) : NULL;
	if (sql == NULL) {
		bc_err_set(err, BC_EINVAL, "unknown kind '%s'", kind);
		return NULL;
	}
	if ((st = bc_stmt(s, sql, err)) == NULL)
		return NULL;
	bc_bind_text(st, 1, key);
	return st;
}

int
bc_doc_get(bc_store *s, const char *kind, const char *key, char **doc,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc, nomem = 0;

	*doc = NULL;
	if ((st = doc_stmt(s, kind, key, 0, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*doc = bc_column_dup(st, 0, &nomem);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read document");
	if (nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	return BC_OK;
}

int
bc_doc_hash(bc_store *s, const char *kind, const char *key, char *h,
    size_t hlen, struct bc_err *err)
{
	sqlite3_stmt *st;
	const char *t;
	int rc;

	h[0] = '\0';
	if ((st = doc_stmt(s, kind, key, 1, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (t = (const char *)sqlite3_column_text(st,
	    0)) != NULL)
		snprintf(h, hlen, "%s", t);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read document");
	return BC_OK;
}

/* ---- reading fields of a document ---------------------------------- */

/* A JSON atom as text: strings as they are, numbers in decimal, NULL
 * for null and anything else. */
static const char *
json_text(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return buf;
	}
	if (json_is_true(v) || json_is_false(v)) {
		snprintf(buf, len, "%d", json_is_true(v) ? 1 : 0);
		return buf;
	}
	return NULL;
}

/*
 * A field of the parsed document j ("$.name") into *out as text, as
 * SQLite's json_extract() gives it: strings as they are, numbers in
 * decimal, true and false as 1 and 0, a list or map as its JSON text,
 * NULL for null or absent.  The document is parsed once per object
 * (bc_doc_apply()), not once per field.
 */
static int
doc_text(json_t *j, const char *path, char **out, struct bc_err *err)
{
	json_t *v;
	const char *t;
	char buf[64];

	free(*out);
	*out = NULL;
	if (strncmp(path, "$.", 2) != 0)
		return bc_err_set(err, BC_EINTERNAL, "bad document path '%s'",
		    path);
	if ((v = json_object_get(j, path + 2)) == NULL || json_is_null(v))
		return BC_OK;
	if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
		t = buf;
	} else if (json_is_object(v) || json_is_array(v)) {
		if ((*out = json_dumps(v, JSON_COMPACT |
		    JSON_PRESERVE_ORDER)) == NULL)
			return bc_err_set(err, BC_ENOMEM, "out of memory");
		return BC_OK;
	} else
		t = json_text(v, buf, sizeof(buf));
	if (t != NULL && (*out = strdup(t)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	return BC_OK;
}

static int
doc_int(json_t *j, const char *path, int *out, struct bc_err *err)
{
	char *t = NULL;
	int rc;

	if ((rc = doc_text(j, path, &t, err)))
		return rc;
	*out = t != NULL ? atoi(t) : 0;
	free(t);
	return BC_OK;
}

/*
 * Calls fn(key, value) for each member of the object or array at path
 * ("$.name") of the parsed document j: an array's keys are the indexes;
 * numbers come as their decimal text, null as NULL.
 */
static int
doc_each(json_t *j, const char *path,
    int (*fn)(void *, const char *, const char *, struct bc_err *),
    void *arg, struct bc_err *err)
{
	json_t *c, *v;
	const char *k;
	char kb[32], vb[32];
	size_t i;
	int rc = BC_OK;

	if (strncmp(path, "$.", 2) != 0)
		return bc_err_set(err, BC_EINTERNAL, "bad document path '%s'",
		    path);
	c = json_object_get(j, path + 2);
	if (json_is_object(c)) {
		json_object_foreach(c, k, v) {
			if ((rc = fn(arg, k, json_text(v, vb, sizeof(vb)), err)))
				break;
		}
	} else if (json_is_array(c)) {
		json_array_foreach(c, i, v) {
			snprintf(kb, sizeof(kb), "%zu", i);
			if ((rc = fn(arg, kb, json_text(v, vb, sizeof(vb)), err)))
				break;
		}
	}
	return rc;
}

static int
each_option(void *arg, const char *k, const char *v, struct bc_err *err)
{
	struct bc_options *opts = arg;
	const char *slash;
	char *section;
	int rc;

	if (k == NULL || v == NULL || (slash = strchr(k, '/')) == NULL)
		return bc_err_set(err, BC_EINVAL, "document: option '%s' is "
		    "not SECTION/KEY", k ? k : "");
	if ((section = strndup(k, (size_t)(slash - k))) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	rc = bc_options_set(opts, section, slash + 1, v, err);
	free(section);
	return rc;
}

static int
doc_options(json_t *doc, struct bc_options *opts, struct bc_err *err)
{
	bc_options_clear(opts);
	return doc_each(doc, "$.option", each_option, opts, err);
}

struct place_arg {
	bc_store	*s;
	struct bc_place	*p;
};

/* A DN the store lacks is left out (see bc_doc_apply()). */
static int
each_place_dn(void *arg, const char *k, const char *v, struct bc_err *err)
{
	struct place_arg *pa = arg;
	int rc;

	(void)k;
	if (v == NULL)
		return bc_err_set(err, BC_EINVAL, "document: empty dn");
	rc = bc_place_add_dn_ref(pa->s, pa->p, v, err);
	return rc == BC_ENOENT ? BC_OK : rc;
}

struct person_arg {
	bc_store		*s;
	struct bc_person	*p;
};

/* A login the store lacks is left out (see bc_doc_apply()). */
static int
each_login(void *arg, const char *k, const char *v, struct bc_err *err)
{
	struct person_arg *pa = arg;
	sqlite3_int64 id;
	int rc;

	if (k == NULL)
		return bc_err_set(err, BC_EINVAL, "document: empty login");
	if ((rc = bc_login_id(pa->s, k, &id, err)) == BC_ENOENT)
		return BC_OK;
	if (rc)
		return rc;
	return bc_person_add_login(pa->p, k, v != NULL ? atoi(v) : 0, err);
}

static const char SQL_UNHOLD_LOGIN[] = "DELETE FROM person_login WHERE "
    "login_id = (SELECT id FROM agent_login WHERE code = ?1)";
static const char SQL_UNUSE_PLACE[] = "UPDATE person SET place_id = NULL "
    "WHERE place_id = (SELECT id FROM place WHERE name = ?1)";

/* Frees an object from what refers to it, before it is deleted. */
static int
unreference(bc_store *s, const char *sql, const char *key,
    struct bc_err *err)
{
	sqlite3_stmt *st;

	if ((st = bc_stmt(s, sql, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, key);
	return bc_step_done(s, st, err, "free references");
}

/* ---- applying a document ------------------------------------------- */

/*
 * The hash (bc_hash()) of the document an object holds once the struct
 * just written is stored, into h (17 bytes), or "" when the struct does
 * not give it exactly.  Every field of a document is written from the
 * struct (flags as 0 or 1, options unique and sorted by bc_options_set()),
 * so its document is built in C (bc_meta_hash_*()) instead of read back
 * from the sync_*_doc view; lists are taken only when they are already
 * in the view's order without duplicates, and text the C builder refuses
 * gives "" (the caller reads the hash from the store then).
 */
static void
hash_text(char *h, int built, const unsigned long long *v)
{
	if (h == NULL)
		return;
	if (built != 0) {
		h[0] = '\0';
		return;
	}
	snprintf(h, 17, "%016llx", *v);
}

static int
place_sorted(const struct bc_place *p)
{
	size_t i;
	int c;

	for (i = 1; i < p->ndns; i++) {
		c = strcmp(bc_dn_type_name(p->dns[i - 1].type),
		    bc_dn_type_name(p->dns[i].type));
		if (c > 0 || (c == 0 && strcmp(p->dns[i - 1].number,
		    p->dns[i].number) >= 0))
			return 0;
	}
	return 1;
}

static int
person_sorted(const struct bc_person *p)
{
	size_t i;

	for (i = 1; i < p->nlogins; i++)
		if (strcmp(p->logins[i - 1].code, p->logins[i].code) >= 0)
			return 0;
	return 1;
}

static int
apply_dn(bc_store *s, const char *key, json_t *doc, char *h,
    struct bc_err *err)
{
	unsigned long long v = 0;
	struct bc_dn dn;
	enum bc_dn_type type;
	const char *number;
	char *reg = NULL;
	int rc, exists;

	if ((rc = dn_key(key, &type, &number, err)))
		return rc;
	rc = bc_dn_get(s, number, &type, &dn, err);
	if (rc != BC_OK && rc != BC_ENOENT)
		return rc;
	exists = rc == BC_OK;
	if (doc == NULL) {
		bc_dn_clear(&dn);
		return exists ? bc_dn_delete(s, number, type, err) : BC_OK;
	}
	if (!exists) {
		bc_dn_init(&dn);
		dn.type = type;
		if ((dn.number = strdup(number)) == NULL) {
			rc = bc_err_set(err, BC_ENOMEM, "out of memory");
			goto done;
		}
	}
	/* association, contact and place are this site's own */
	if ((rc = doc_text(doc, "$.alias", &dn.alias, err)) ||
	    (rc = doc_text(doc, "$.password", &dn.password, err)) ||
	    (rc = doc_text(doc, "$.register", &reg, err)) ||
	    (rc = doc_int(doc, "$.enabled", &dn.enabled, err)) ||
	    (rc = doc_options(doc, &dn.options, err)))
		goto done;
	if (reg == NULL || bc_register_parse(reg, &dn.reg) != 0) {
		rc = bc_err_set(err, BC_EINVAL, "document of dn '%s': bad "
		    "register value", key);
		goto done;
	}
	rc = exists ? bc_dn_update(s, &dn, err) : bc_dn_add(s, &dn, err);
	if (rc == BC_OK)
		hash_text(h, bc_meta_hash_dn(&dn, &v), &v);
done:
	free(reg);
	bc_dn_clear(&dn);
	return rc;
}

/* what dn_sync_update (schema/010-dn-place-mark.sql) marks of a DN */
static const char SQL_MARK_DN[] = "INSERT OR IGNORE INTO sync_dirty "
    "SELECT 'dn', d.type || ':' || d.number FROM dn d "
    "WHERE d.type = CAST(?1 AS TEXT) AND d.number = ?2 AND "
    "(d.type = 'extension' OR d.type = 'acd-queue' OR "
    "d.type = 'call-processing-port') AND "
    "NOT EXISTS (SELECT 1 FROM sync_load WHERE dn < d.id)";

static int
place_lists(const struct bc_place_dn *v, size_t n,
    const struct bc_place_dn *d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].type == d->type && strcmp(v[i].number, d->number) == 0)
			return 1;
	return 0;
}

/*
 * With change capture off (BC_DOC_MARK_DNS): marks each DN in list a and
 * not in list b, as the DN update trigger did when the place's update
 * set or cleared the DN's place_id.  Called both ways round (what the
 * place held, what it holds now).  The trigger marked the place too:
 * the caller copies the place's metadata, which removes that mark.
 */
static int
mark_moved(bc_store *s, const struct bc_place_dn *a, size_t na,
    const struct bc_place_dn *b, size_t nb, struct bc_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < na; i++) {
		if (place_lists(b, nb, &a[i]))
			continue;
		if ((st = bc_stmt(s, SQL_MARK_DN, err)) == NULL)
			return err->status;
		bc_bind_text(st, 1, bc_dn_type_name(a[i].type));
		bc_bind_text(st, 2, a[i].number);
		if ((rc = bc_step_done(s, st, err, "mark dn")))
			return rc;
	}
	return BC_OK;
}

static int
apply_place(bc_store *s, const char *key, json_t *doc, char *h,
    unsigned how, struct bc_err *err)
{
	unsigned long long v = 0;
	struct bc_place p;
	struct place_arg pa;
	struct bc_place_dn *old = NULL;
	size_t nold = 0;
	int rc, exists;

	rc = bc_place_get(s, key, &p, err);
	if (rc != BC_OK && rc != BC_ENOENT)
		return rc;
	exists = rc == BC_OK;
	if (doc == NULL) {
		bc_place_clear(&p);
		if (!exists)
			return BC_OK;
		if ((rc = unreference(s, SQL_UNUSE_PLACE, key, err)))
			return rc;
		return bc_place_delete(s, key, err);
	}
	if (!exists && (p.name = strdup(key)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if (how & BC_DOC_MARK_DNS) {
		/* kept to compare with what the document lists */
		old = p.dns;
		nold = p.ndns;
		p.dns = NULL;
		p.ndns = 0;
	}
	while (p.ndns > 0)
		free(p.dns[--p.ndns].number);
	pa.s = s;
	pa.p = &p;
	if ((rc = doc_int(doc, "$.enabled", &p.enabled, err)) == BC_OK &&
	    (rc = doc_each(doc, "$.dn", each_place_dn, &pa, err)) == BC_OK &&
	    (rc = doc_options(doc, &p.options, err)) == BC_OK)
		rc = exists ? bc_place_update(s, &p, err) :
		    bc_place_add(s, &p, err);
	if (rc == BC_OK && (how & BC_DOC_MARK_DNS) &&
	    (rc = mark_moved(s, old, nold, p.dns, p.ndns, err)) == BC_OK)
		rc = mark_moved(s, p.dns, p.ndns, old, nold, err);
	if (rc == BC_OK)
		hash_text(h, place_sorted(&p) ? bc_meta_hash_place(&p, &v) :
		    -1, &v);
	while (nold > 0)
		free(old[--nold].number);
	free(old);
	bc_place_clear(&p);
	return rc;
}

static int
apply_person(bc_store *s, const char *key, json_t *doc, char *h,
    struct bc_err *err)
{
	unsigned long long v = 0;
	struct bc_person p;
	struct person_arg pa;
	sqlite3_int64 place_id;
	int rc, exists, agent;

	rc = bc_person_get(s, key, &p, err);
	if (rc != BC_OK && rc != BC_ENOENT)
		return rc;
	exists = rc == BC_OK;
	if (doc == NULL) {
		bc_person_clear(&p);
		return exists ? bc_person_delete(s, key, err) : BC_OK;
	}
	if ((rc = doc_int(doc, "$.agent", &agent, err)))
		goto done;
	/* the agent flag is fixed at creation: a changed one is a new person */
	if (exists && !p.agent != !agent) {
		if ((rc = bc_person_delete(s, key, err)))
			goto done;
		exists = 0;
	}
	if (!exists) {
		bc_person_clear(&p);
		if ((p.username = strdup(key)) == NULL) {
			rc = bc_err_set(err, BC_ENOMEM, "out of memory");
			goto done;
		}
	}
	p.agent = agent;
	while (p.nlogins > 0)
		free(p.logins[--p.nlogins].code);
	if ((rc = doc_text(doc, "$.first", &p.first, err)) ||
	    (rc = doc_text(doc, "$.last", &p.last, err)) ||
	    (rc = doc_text(doc, "$.employee-id", &p.employee_id, err)) ||
	    (rc = doc_text(doc, "$.preferred-site", &p.preferred_site,
	    err)) ||
	    (rc = doc_text(doc, "$.place", &p.place, err)) ||
	    (rc = doc_int(doc, "$.enabled", &p.enabled, err)))
		goto done;
	pa.s = s;
	pa.p = &p;
	if ((rc = doc_each(doc, "$.login", each_login, &pa, err)))
		goto done;
	/* a default place the store lacks is left out */
	if (p.place != NULL &&
	    (rc = bc_place_id(s, p.place, &place_id, err)) == BC_ENOENT) {
		free(p.place);
		p.place = NULL;
	} else if (rc)
		goto done;
	rc = exists ? bc_person_update(s, &p, err) : bc_person_add(s, &p, err);
	if (rc == BC_OK)
		hash_text(h, person_sorted(&p) ? bc_meta_hash_person(&p, &v) :
		    -1, &v);
done:
	bc_person_clear(&p);
	return rc;
}

static int
apply_login(bc_store *s, const char *key, json_t *doc, char *h,
    struct bc_err *err)
{
	unsigned long long v = 0;
	struct bc_login l;
	int rc, exists;

	rc = bc_login_get(s, key, &l, err);
	if (rc != BC_OK && rc != BC_ENOENT)
		return rc;
	exists = rc == BC_OK;
	if (doc == NULL) {
		bc_login_clear(&l);
		if (!exists)
			return BC_OK;
		if ((rc = unreference(s, SQL_UNHOLD_LOGIN, key, err)))
			return rc;
		return bc_login_delete(s, key, err);
	}
	if (!exists && (l.code = strdup(key)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((rc = doc_text(doc, "$.password", &l.password, err)) == BC_OK &&
	    (rc = doc_text(doc, "$.override", &l.override, err)) == BC_OK &&
	    (rc = doc_int(doc, "$.use-override", &l.use_override,
	    err)) == BC_OK &&
	    (rc = doc_int(doc, "$.enabled", &l.enabled, err)) == BC_OK &&
	    (rc = doc_options(doc, &l.options, err)) == BC_OK)
		rc = exists ? bc_login_update(s, &l, err) :
		    bc_login_add(s, &l, err);
	if (rc == BC_OK)
		hash_text(h, bc_meta_hash_login(&l, &v), &v);
	bc_login_clear(&l);
	return rc;
}

int
bc_doc_apply(bc_store *s, const char *kind, const char *key, const char *doc,
    struct bc_err *err)
{
	json_t *j = NULL;
	int rc;

	if (doc != NULL)
		j = json_loads(doc, 0, NULL);	/* not inside json_is_object():
						   a macro, it parses twice */
	if (doc != NULL && !json_is_object(j)) {
		json_decref(j);
		return bc_err_set(err, BC_EINVAL, "malformed document");
	}
	rc = bc_doc_apply_json(s, kind, key, j, err);
	json_decref(j);
	return rc;
}

int
bc_doc_apply_json(bc_store *s, const char *kind, const char *key,
    struct json_t *j, struct bc_err *err)
{
	return bc_doc_apply_json_hash(s, kind, key, j, NULL, 0, err);
}

int
bc_doc_apply_json_hash(bc_store *s, const char *kind, const char *key,
    struct json_t *j, char *h, unsigned how, struct bc_err *err)
{
	int rc;

	if (h != NULL)
		h[0] = '\0';
	if (j != NULL && !json_is_object(j))
		return bc_err_set(err, BC_EINVAL, "malformed document");
	if ((rc = bc_tx_begin(s, err)))
		return rc;
	if (strcmp(kind, "dn") == 0)
		rc = apply_dn(s, key, j, h, err);
	else if (strcmp(kind, "place") == 0)
		rc = apply_place(s, key, j, h, how, err);
	else if (strcmp(kind, "person") == 0)
		rc = apply_person(s, key, j, h, err);
	else if (strcmp(kind, "login") == 0)
		rc = apply_login(s, key, j, h, err);
	else
		rc = bc_err_set(err, BC_EINVAL, "unknown kind '%s'", kind);
	if (rc != BC_OK && h != NULL)
		h[0] = '\0';
	return bc_tx_end(s, rc, err);
}

/* ---- comparing ----------------------------------------------------- */

/*
 * Leaves of both documents joined by name; a field whose value differs,
 * or that one side lacks, is a row.  Names: a top-level field by its key
 * ("alias"), a member of a map by map and key ("option.TServer/x",
 * "login.1001"), a list element by list and value ("dn.extension:5001",
 * value "listed"): lists compare as sets, not by position.
 */
#define DOC_LEAVES(n) \
    "SELECT CASE WHEN p.id IS NULL THEN t.key" \
    " WHEN p.type = 'array' THEN p.key || '.' || t.atom" \
    " ELSE p.key || '.' || t.key END," \
    " CASE WHEN p.type = 'array' THEN 'listed'" \
    " WHEN t.type = 'null' THEN NULL ELSE t.atom END" \
    " FROM json_tree(" n ") t LEFT JOIN json_tree(" n ") p" \
    " ON p.id = t.parent AND p.parent IS NOT NULL" \
    " WHERE t.type NOT IN ('object', 'array')"
static const char SQL_COMPARE[] =
    "WITH a(k, v) AS (" DOC_LEAVES("?1") "),"
    " b(k, v) AS (" DOC_LEAVES("?2") ") "
    "SELECT coalesce(a.k, b.k), a.v, b.v FROM a FULL JOIN b ON a.k = b.k"
    " WHERE a.k IS NULL OR b.k IS NULL OR a.v IS NOT b.v ORDER BY 1";

int
bc_doc_compare(bc_store *s, const char *doc_a, const char *doc_b,
    bc_field_cb cb, void *arg, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc = BC_OK, step = SQLITE_DONE;

	if ((st = bc_stmt(s, SQL_COMPARE, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, doc_a != NULL ? doc_a : "{}");
	bc_bind_text(st, 2, doc_b != NULL ? doc_b : "{}");
	while (rc == BC_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2), arg);
	if (rc == BC_OK && step != SQLITE_DONE)
		rc = bc_sqlite_err(s, step, err, "compare documents");
	sqlite3_reset(st);
	return rc;
}
