/*
 * xml-export.c -- bc_xml_export(): the store as one site document
 * (sipbc-site(5)), written as it is read so that memory stays flat
 * whatever the size of the store.
 *
 * Order: logins by code, DNs by (type, number), places by name, persons
 * by user name, as the store's list functions return them; lists inside
 * an object (a place's DNs, a person's logins, annex options) in their
 * store order too.  Attributes holding a default value are left out, so
 * the same store always gives the same bytes.
 *
 * Each section is one ordered scan of its objects, and one ordered scan
 * of each list inside them (options, a place's DNs, a person's logins)
 * in the same order, merged as they are read: a few statements for the
 * whole document instead of several per object, and the columns written
 * from SQLite's own memory, without copies.  The bytes are those
 * libxml2's xmlTextWriter wrote (indented by two spaces, the document
 * ending with an empty line), through the buffered writer of
 * xml-out.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "bc-xml.h"
#include "xml-out.h"

/*
 * The objects of a section, and the lists of each, in the same order.
 * CROSS JOIN keeps SQLite's loops in the order written: the objects
 * outside, walked by the index of their identity, the lists found by
 * owner inside.  Any other plan would sort the whole list first, in
 * memory that grows with the store.  A person's logins come in the
 * order of their row ids: exp_persons() sorts them by code, one person
 * at a time (SQLite would run a sorter for each person).
 */
static const char SQL_X_LOGINS[] =
    "SELECT id, code, password, override, use_override, enabled "
    "FROM agent_login ORDER BY code";
static const char SQL_X_LOGIN_OPTIONS[] =
    "SELECT o.login_id, o.section, o.key, o.value FROM agent_login l "
    "CROSS JOIN login_option o ON o.login_id = l.id "
    "ORDER BY l.code, o.section, o.key";
static const char SQL_X_DNS[] =
    "SELECT id, type, number, alias, register, association, contact, "
    "password, enabled FROM dn ORDER BY type, number";
static const char SQL_X_DN_OPTIONS[] =
    "SELECT o.dn_id, o.section, o.key, o.value FROM dn d "
    "CROSS JOIN dn_option o ON o.dn_id = d.id "
    "ORDER BY d.type, d.number, o.section, o.key";
static const char SQL_X_PLACES[] =
    "SELECT id, name, enabled FROM place ORDER BY name";
static const char SQL_X_PLACE_DNS[] =
    "SELECT p.id, d.type, d.number FROM place p "
    "CROSS JOIN dn d ON d.place_id = p.id "
    "ORDER BY p.name, d.type, d.number";
static const char SQL_X_PLACE_OPTIONS[] =
    "SELECT o.place_id, o.section, o.key, o.value FROM place p "
    "CROSS JOIN place_option o ON o.place_id = p.id "
    "ORDER BY p.name, o.section, o.key";
static const char SQL_X_PERSONS[] =
    "SELECT r.id, r.username, r.first_name, r.last_name, r.employee_id, "
    "r.agent, r.enabled, r.preferred_site, p.name FROM person r "
    "LEFT JOIN place p ON p.id = r.place_id ORDER BY r.username";
static const char SQL_X_PERSON_LOGINS[] =
    "SELECT r.id, l.code, pl.wrapup FROM person r "
    "CROSS JOIN person_login pl ON pl.person_id = r.id "
    "CROSS JOIN agent_login l ON l.id = pl.login_id ORDER BY r.username";

/* A scan: its statement, and the owner (column 0) of the current row. */
struct scan {
	sqlite3_stmt	*st;
	int		 row;		/* a row is current */
	sqlite3_int64	 id;
	const char	*what;		/* for messages */
};

struct exp {
	bc_store		*s;
	struct bc_xml_out	 o;
	unsigned		 flags;
	struct bc_err		*err;
	char			*section;	/* the annex section open */
	size_t			 section_cap;
	struct plogin		*pl;		/* a person's logins */
	size_t			 npl, pl_cap;
	char			*codes;		/* their codes, end to end */
	size_t			 codes_len, codes_cap;
	int			 nomem;		/* col() could not convert */
};

/* A login of the person being written: its code at codes + off. */
struct plogin {
	const char	*code;
	size_t		 off;
	int		 wrapup;
};

/* The error of a failed write. */
static int
exp_ioerr(struct exp *x)
{
	if (x->o.werrno == ENOMEM)
		return bc_err_set(x->err, BC_ENOMEM, "out of memory");
	return bc_err_set(x->err, BC_EIO, "cannot write export: %s",
	    strerror(x->o.werrno != 0 ? x->o.werrno : EIO));
}

static int
lit(struct exp *x, const char *s, size_t n)
{
	if (bc_xml_out_raw(&x->o, s, n) != 0)
		return exp_ioerr(x);
	return BC_OK;
}
#define LIT(x, s)	lit((x), (s), sizeof(s) - 1)

/* Indentation of depth levels, then s. */
static int
open_tag(struct exp *x, int depth, const char *s, size_t n)
{
	static const char spaces[] = "            ";

	if (bc_xml_out_raw(&x->o, spaces, (size_t)depth * 2) != 0 ||
	    bc_xml_out_raw(&x->o, s, n) != 0)
		return exp_ioerr(x);
	return BC_OK;
}
#define TAG(x, depth, s)	open_tag((x), (depth), (s), sizeof(s) - 1)

/* Writes attribute name="value" when value is set. */
static int
attr(struct exp *x, const char *kind, const char *id, const char *name,
    const char *value)
{
	if (x->nomem)
		return bc_err_set(x->err, BC_ENOMEM, "out of memory");
	if (value == NULL)
		return BC_OK;
	switch (bc_xml_out_attr(&x->o, name, value)) {
	case 0:
		return BC_OK;
	case 1:
		return bc_xml_out_refused(x->err, kind, id, name);
	default:
		return exp_ioerr(x);
	}
}

/*
 * A text column, NULL when the column is (or when SQLite ran out of
 * memory converting it: x->nomem, reported by the next attribute or
 * step).
 */
static const char *
col(struct exp *x, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	if (t == NULL && sqlite3_column_type(st, i) != SQLITE_NULL)
		x->nomem = 1;
	return t;
}

static int
scan_open(struct exp *x, struct scan *c, const char *sql, const char *what)
{
	int rc;

	c->row = 0;
	c->what = what;
	rc = sqlite3_prepare_v2(x->s->db, sql, -1, &c->st, NULL);
	if (rc != SQLITE_OK) {
		c->st = NULL;
		return bc_sqlite_err(x->s, rc, x->err, "prepare export");
	}
	return BC_OK;
}

static void
scan_close(struct scan *c)
{
	sqlite3_finalize(c->st);
	c->st = NULL;
}

/* Steps to the next row. */
static int
scan_next(struct exp *x, struct scan *c)
{
	int rc;

	if (x->nomem)
		return bc_err_set(x->err, BC_ENOMEM, "out of memory");
	rc = sqlite3_step(c->st);
	if (rc == SQLITE_ROW) {
		c->row = 1;
		c->id = sqlite3_column_int64(c->st, 0);
		return BC_OK;
	}
	c->row = 0;
	if (rc == SQLITE_DONE)
		return BC_OK;
	return bc_sqlite_err(x->s, rc, x->err, c->what);
}

/* Whether the current row of a list belongs to object id. */
static int
scan_at(const struct scan *c, sqlite3_int64 id)
{
	return c->row && c->id == id;
}

/*
 * A list scan that has rows left after its objects: the two orders
 * disagree (cannot happen: both sort by the same columns).
 */
static int
scan_end(struct exp *x, const struct scan *c)
{
	if (c->row)
		return bc_err_set(x->err, BC_EINTERNAL, "export: %s out of "
		    "order", c->what);
	return BC_OK;
}

/*
 * Remembers the annex section being written (its value changes with the
 * next step of the scan).
 */
static int
section_keep(struct exp *x, const char *name)
{
	size_t n = strlen(name) + 1;
	char *p;

	if (n > x->section_cap) {
		if ((p = realloc(x->section, n)) == NULL)
			return bc_err_set(x->err, BC_ENOMEM, "out of memory");
		x->section = p;
		x->section_cap = n;
	}
	memcpy(x->section, name, n);
	return BC_OK;
}

/*
 * The options of object id, when the scan o is at them, at depth:
 * <annex><section name=S><option key=K value=V/>...</section></annex>
 */
static int
annex(struct exp *x, struct scan *o, sqlite3_int64 id, int depth,
    const char *kind, const char *oid)
{
	const char *section;
	int rc, first = 1;

	if ((rc = TAG(x, depth, "<annex>\n")))
		return rc;
	while (scan_at(o, id)) {
		if ((section = col(x, o->st, 1)) == NULL)
			return bc_err_set(x->err, BC_ENOMEM, "out of memory");
		if (first || strcmp(section, x->section) != 0) {
			if ((!first && (rc = TAG(x, depth + 1,
			    "</section>\n"))) ||
			    (rc = TAG(x, depth + 1, "<section")) ||
			    (rc = attr(x, kind, oid, "name", section)) ||
			    (rc = LIT(x, ">\n")) ||
			    (rc = section_keep(x, section)))
				return rc;
			first = 0;
		}
		if ((rc = TAG(x, depth + 2, "<option")) ||
		    (rc = attr(x, kind, oid, "key", col(x, o->st, 2))) ||
		    (rc = attr(x, kind, oid, "value", col(x, o->st, 3))) ||
		    (rc = LIT(x, "/>\n")) ||
		    (rc = scan_next(x, o)))
			return rc;
	}
	if ((rc = TAG(x, depth + 1, "</section>\n")))
		return rc;
	return TAG(x, depth, "</annex>\n");
}

/* <logins>: code, password, override, use-override, enabled, annex. */
static int
exp_logins(struct exp *x)
{
	struct scan l = { 0 }, o = { 0 };
	sqlite3_int64 id;
	const char *code;
	int rc, any = 0;

	if ((rc = scan_open(x, &l, SQL_X_LOGINS, "list agent logins")) ||
	    (rc = scan_open(x, &o, SQL_X_LOGIN_OPTIONS, "read options")) ||
	    (rc = scan_next(x, &o)))
		goto out;
	for (;;) {
		if ((rc = scan_next(x, &l)) || !l.row)
			break;
		if (!any && (rc = TAG(x, 1, "<logins>\n")))
			break;
		any = 1;
		id = l.id;
		code = col(x, l.st, 1);
		if ((rc = TAG(x, 2, "<login")) ||
		    (rc = attr(x, "login", code, "code", code)) ||
		    (rc = attr(x, "login", code, "password",
		    col(x, l.st, 2))) ||
		    (rc = attr(x, "login", code, "override",
		    col(x, l.st, 3))) ||
		    (sqlite3_column_int(l.st, 4) != 0 &&
		    (rc = attr(x, "login", code, "use-override", "true"))) ||
		    (sqlite3_column_int(l.st, 5) == 0 &&
		    (rc = attr(x, "login", code, "enabled", "false"))))
			break;
		if (!scan_at(&o, id))
			rc = LIT(x, "/>\n");
		else if (!(rc = LIT(x, ">\n")) &&
		    !(rc = annex(x, &o, id, 3, "login", code)))
			rc = TAG(x, 2, "</login>\n");
		if (rc)
			break;
	}
	if (rc == BC_OK && (rc = scan_end(x, &o)) == BC_OK)
		rc = any ? TAG(x, 1, "</logins>\n") : TAG(x, 1, "<logins/>\n");
out:
	scan_close(&l);
	scan_close(&o);
	return rc;
}

/* <dns>: type, number, alias, register, ..., enabled, annex. */
static int
exp_dns(struct exp *x)
{
	struct scan d = { 0 }, o = { 0 };
	enum bc_dn_type type;
	enum bc_register reg;
	sqlite3_int64 id;
	const char *number, *tname, *rname;
	int rc, any = 0;

	if ((rc = scan_open(x, &d, SQL_X_DNS, "list dns")) ||
	    (rc = scan_open(x, &o, SQL_X_DN_OPTIONS, "read options")) ||
	    (rc = scan_next(x, &o)))
		goto out;
	for (;;) {
		if ((rc = scan_next(x, &d)) || !d.row)
			break;
		id = d.id;
		number = col(x, d.st, 2);
		tname = col(x, d.st, 1);
		rname = col(x, d.st, 4);
		if (x->nomem) {
			rc = bc_err_set(x->err, BC_ENOMEM, "out of memory");
			break;
		}
		if (tname == NULL || bc_dn_type_parse(tname, &type) != 0 ||
		    rname == NULL || bc_register_parse(rname, &reg) != 0) {
			rc = bc_err_set(x->err, BC_EINTERNAL, "dn '%s': bad "
			    "type or register value in store",
			    number ? number : "?");
			break;
		}
		if ((x->flags & BC_XML_SYNCHRONIZED_ONLY) &&
		    !bc_dn_type_synchronized(type)) {
			/* its options too */
			while (scan_at(&o, id) && (rc = scan_next(x, &o)) == 0)
				;
			if (rc)
				break;
			continue;
		}
		if (!any && (rc = TAG(x, 1, "<dns>\n")))
			break;
		any = 1;
		if ((rc = TAG(x, 2, "<dn")) ||
		    (rc = attr(x, "dn", number, "type",
		    bc_dn_type_name(type))) ||
		    (rc = attr(x, "dn", number, "number", number)) ||
		    (rc = attr(x, "dn", number, "alias", col(x, d.st, 3))) ||
		    (reg != BC_REG_TRUE && (rc = attr(x, "dn", number,
		    "register", bc_register_name(reg)))) ||
		    (rc = attr(x, "dn", number, "association",
		    col(x, d.st, 5))) ||
		    (rc = attr(x, "dn", number, "contact", col(x, d.st, 6))) ||
		    (rc = attr(x, "dn", number, "password", col(x, d.st, 7))) ||
		    (sqlite3_column_int(d.st, 8) == 0 &&
		    (rc = attr(x, "dn", number, "enabled", "false"))))
			break;
		if (!scan_at(&o, id))
			rc = LIT(x, "/>\n");
		else if (!(rc = LIT(x, ">\n")) &&
		    !(rc = annex(x, &o, id, 3, "dn", number)))
			rc = TAG(x, 2, "</dn>\n");
		if (rc)
			break;
	}
	if (rc == BC_OK && (rc = scan_end(x, &o)) == BC_OK)
		rc = any ? TAG(x, 1, "</dns>\n") : TAG(x, 1, "<dns/>\n");
out:
	scan_close(&d);
	scan_close(&o);
	return rc;
}

/* <places>: name, enabled, its DNs, annex. */
static int
exp_places(struct exp *x)
{
	struct scan p = { 0 }, d = { 0 }, o = { 0 };
	enum bc_dn_type type;
	sqlite3_int64 id;
	const char *name, *tname;
	int rc, any = 0, body;

	if ((rc = scan_open(x, &p, SQL_X_PLACES, "list places")) ||
	    (rc = scan_open(x, &d, SQL_X_PLACE_DNS, "read place")) ||
	    (rc = scan_open(x, &o, SQL_X_PLACE_OPTIONS, "read options")) ||
	    (rc = scan_next(x, &d)) ||
	    (rc = scan_next(x, &o)))
		goto out;
	for (;;) {
		if ((rc = scan_next(x, &p)) || !p.row)
			break;
		if (!any && (rc = TAG(x, 1, "<places>\n")))
			break;
		any = 1;
		id = p.id;
		name = col(x, p.st, 1);
		if ((rc = TAG(x, 2, "<place")) ||
		    (rc = attr(x, "place", name, "name", name)) ||
		    (sqlite3_column_int(p.st, 2) == 0 &&
		    (rc = attr(x, "place", name, "enabled", "false"))))
			break;
		body = 0;
		while (scan_at(&d, id)) {
			/* as the store's reader: a type it does not know is
			 * left out */
			tname = col(x, d.st, 1);
			if (tname != NULL &&
			    bc_dn_type_parse(tname, &type) == 0 &&
			    ((!body++ && (rc = LIT(x, ">\n"))) ||
			    (rc = TAG(x, 3, "<dn")) ||
			    (rc = attr(x, "place", name, "type",
			    bc_dn_type_name(type))) ||
			    (rc = attr(x, "place", name, "number",
			    col(x, d.st, 2))) ||
			    (rc = LIT(x, "/>\n"))))
				break;
			if ((rc = scan_next(x, &d)))
				break;
		}
		if (rc)
			break;
		if (scan_at(&o, id) &&
		    ((!body++ && (rc = LIT(x, ">\n"))) ||
		    (rc = annex(x, &o, id, 3, "place", name))))
			break;
		if ((rc = body ? TAG(x, 2, "</place>\n") : LIT(x, "/>\n")))
			break;
	}
	if (rc == BC_OK && (rc = scan_end(x, &d)) == BC_OK &&
	    (rc = scan_end(x, &o)) == BC_OK)
		rc = any ? TAG(x, 1, "</places>\n") :
		    TAG(x, 1, "<places/>\n");
out:
	scan_close(&p);
	scan_close(&d);
	scan_close(&o);
	return rc;
}

static int
plogin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct plogin *)a)->code,
	    ((const struct plogin *)b)->code);
}

/*
 * Reads the logins of person id from the scan l into x->pl, sorted by
 * code (the store's order: codes are unique, compared byte by byte).
 */
static int
person_logins(struct exp *x, struct scan *l, sqlite3_int64 id)
{
	struct plogin *np;
	const char *code;
	size_t i, n;
	char *nc;
	int rc;

	x->npl = 0;
	x->codes_len = 0;
	while (scan_at(l, id)) {
		if ((code = col(x, l->st, 1)) == NULL)
			code = "";
		n = strlen(code) + 1;
		if (x->npl == x->pl_cap) {
			np = realloc(x->pl, (x->pl_cap + 8) * sizeof(*np));
			if (np == NULL)
				return bc_err_set(x->err, BC_ENOMEM,
				    "out of memory");
			x->pl = np;
			x->pl_cap += 8;
		}
		if (x->codes_cap - x->codes_len < n) {
			if ((nc = realloc(x->codes, x->codes_len + n +
			    256)) == NULL)
				return bc_err_set(x->err, BC_ENOMEM,
				    "out of memory");
			x->codes = nc;
			x->codes_cap = x->codes_len + n + 256;
		}
		memcpy(x->codes + x->codes_len, code, n);
		x->pl[x->npl].off = x->codes_len;
		x->pl[x->npl].wrapup = sqlite3_column_int(l->st, 2);
		x->codes_len += n;
		x->npl++;
		if ((rc = scan_next(x, l)))
			return rc;
	}
	for (i = 0; i < x->npl; i++)
		x->pl[i].code = x->codes + x->pl[i].off;
	if (x->npl > 1)
		qsort(x->pl, x->npl, sizeof(*x->pl), plogin_cmp);
	return BC_OK;
}

/* <persons>: username, names, flags, site, place, its logins. */
static int
exp_persons(struct exp *x)
{
	struct scan r = { 0 }, l = { 0 };
	sqlite3_int64 id;
	const char *user;
	char num[16];
	size_t i;
	int rc, any = 0, body;

	if ((rc = scan_open(x, &r, SQL_X_PERSONS, "list persons")) ||
	    (rc = scan_open(x, &l, SQL_X_PERSON_LOGINS, "read person")) ||
	    (rc = scan_next(x, &l)))
		goto out;
	for (;;) {
		if ((rc = scan_next(x, &r)) || !r.row)
			break;
		if (!any && (rc = TAG(x, 1, "<persons>\n")))
			break;
		any = 1;
		id = r.id;
		user = col(x, r.st, 1);
		if ((rc = TAG(x, 2, "<person")) ||
		    (rc = attr(x, "person", user, "username", user)) ||
		    (rc = attr(x, "person", user, "first", col(x, r.st, 2))) ||
		    (rc = attr(x, "person", user, "last", col(x, r.st, 3))) ||
		    (rc = attr(x, "person", user, "employee-id",
		    col(x, r.st, 4))) ||
		    (sqlite3_column_int(r.st, 5) != 0 &&
		    (rc = attr(x, "person", user, "agent", "true"))) ||
		    (sqlite3_column_int(r.st, 6) == 0 &&
		    (rc = attr(x, "person", user, "enabled", "false"))) ||
		    (rc = attr(x, "person", user, "preferred-site",
		    col(x, r.st, 7))) ||
		    (rc = attr(x, "person", user, "place", col(x, r.st, 8))))
			break;
		if ((rc = person_logins(x, &l, id)))
			break;
		body = x->npl > 0;
		if (body && (rc = LIT(x, ">\n")))
			break;
		for (i = 0; i < x->npl; i++) {
			snprintf(num, sizeof(num), "%d", x->pl[i].wrapup);
			if ((rc = TAG(x, 3, "<login")) ||
			    (rc = attr(x, "person", user, "code",
			    x->pl[i].code)) ||
			    (rc = attr(x, "person", user, "wrapup", num)) ||
			    (rc = LIT(x, "/>\n")))
				break;
		}
		if (rc)
			break;
		if ((rc = body ? TAG(x, 2, "</person>\n") : LIT(x, "/>\n")))
			break;
	}
	if (rc == BC_OK && (rc = scan_end(x, &l)) == BC_OK)
		rc = any ? TAG(x, 1, "</persons>\n") :
		    TAG(x, 1, "<persons/>\n");
out:
	scan_close(&r);
	scan_close(&l);
	return rc;
}

/* Writes the document; the caller holds a read transaction. */
static int
exp_document(struct exp *x)
{
	struct bc_site site;
	int rc;

	if ((rc = bc_site_get(x->s, &site, x->err)))
		return rc;
	if ((rc = LIT(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<site")) == BC_OK &&
	    (rc = attr(x, "site", site.name, "xmlns", BC_XML_NS)) == BC_OK &&
	    (rc = attr(x, "site", site.name, "format", "1")) == BC_OK)
		rc = attr(x, "site", site.name, "name", site.name);
	bc_site_clear(&site);
	if (rc == BC_OK && (x->flags & BC_XML_SYNCHRONIZED_ONLY))
		rc = attr(x, "site", "", "synchronized-only", "true");
	if (rc != BC_OK ||
	    (rc = LIT(x, ">\n")) ||
	    (rc = exp_logins(x)) ||
	    (rc = exp_dns(x)) ||
	    (rc = exp_places(x)) ||
	    (rc = exp_persons(x)))
		return rc;
	/* libxml2's writer ended the document with a newline, and the
	 * export with another */
	if ((rc = LIT(x, "</site>\n\n")))
		return rc;
	if (bc_xml_out_flush(&x->o) != 0)
		return exp_ioerr(x);
	return BC_OK;
}

int
bc_xml_export(bc_store *s, FILE *f, unsigned flags, struct bc_err *err)
{
	struct exp x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.s = s;
	x.flags = flags;
	x.err = err;
	err->status = BC_OK;
	err->msg[0] = '\0';

	if (bc_xml_out_init(&x.o, f) != 0)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	/* one read transaction: the document is one state of the store */
	if ((rc = bc_read_begin(s, err)) == BC_OK) {
		rc = exp_document(&x);
		bc_read_end(s);
	}
	bc_xml_out_free(&x.o);
	free(x.section);
	free(x.pl);
	free(x.codes);
	if (rc == BC_OK && (fflush(f) == EOF || ferror(f)))
		rc = bc_err_set(err, BC_EIO, "cannot write export: %s",
		    strerror(errno != 0 ? errno : EIO));
	return rc;
}
