/*
 * test-codec.c -- the XML codec of the library (bc-xml.h): every object
 * kind and field through export and import, escaping, annex options,
 * updates, --replace, --dry-run and the errors that leave the store
 * unchanged.  Each test has its own temporary stores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bc.h"
#include "bc-xml.h"
#include "xmltest.h"

static char dir[256];
static int nstore;

/* A new initialised store of site name in the test's directory. */
static bc_store *
store_new(const char *site)
{
	struct bc_err err;
	bc_store *s = NULL;
	char path[300];

	snprintf(path, sizeof(path), "%s/s%d.db", dir, nstore++);
	if (bc_store_open(&s, path, BC_OPEN_CREATE, 1000, &err) != BC_OK) {
		CU_FAIL_FATAL("cannot create a store");
		return NULL;
	}
	if (bc_site_init(s, site, NULL, &err) != BC_OK)
		CU_FAIL_FATAL("cannot init a store");
	return s;
}

/* The export of s as a string (caller frees). */
static char *
export_str(bc_store *s, unsigned flags)
{
	struct bc_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	rc = bc_xml_export(s, f, flags, &err);
	fclose(f);
	if (rc != BC_OK)
		fprintf(stderr, "export: %s\n", err.msg);
	CU_ASSERT_EQUAL(rc, BC_OK);
	return buf;
}

/* Changes reported by an import, one "action kind 'id'" a line. */
struct log {
	char	buf[8192];
	size_t	len;
};

static int
log_change(const char *action, const char *kind, const char *id, void *arg)
{
	struct log *l = arg;

	if (l->len < sizeof(l->buf))
		l->len += (size_t)snprintf(l->buf + l->len,
		    sizeof(l->buf) - l->len, "%s %s '%s'\n", action, kind, id);
	return 0;
}

static int
import_str(bc_store *s, const char *doc, unsigned flags, struct log *l,
    size_t *n, struct bc_err *err)
{
	if (l != NULL)
		memset(l, 0, sizeof(*l));
	return bc_xml_import_mem(s, doc, strlen(doc), "t.xml", flags,
	    l != NULL ? log_change : NULL, l, n, err);
}

/* Everything of every kind, with every field set somewhere. */
static void
populate(bc_store *s)
{
	struct bc_err err;
	struct bc_login l;
	struct bc_dn d;
	struct bc_place p;
	struct bc_person r;
	static const enum bc_dn_type types[] = {
		BC_DN_EXTENSION, BC_DN_ACD_QUEUE, BC_DN_CALL_PROCESSING_PORT,
		BC_DN_ROUTING_POINT, BC_DN_TRUNK, BC_DN_VOIP_SERVICE,
	};
	size_t i;

	bc_login_init(&l);
	l.code = strdup("1001");
	l.password = strdup("pw<&>\"'");
	l.override = strdup("ov");
	l.use_override = 1;
	l.enabled = 0;
	bc_options_set(&l.options, "TServer", "k", "v", &err);
	bc_options_set(&l.options, "Other", "a b", "x=y/z", &err);
	CU_ASSERT_EQUAL(bc_login_add(s, &l, &err), BC_OK);
	bc_login_clear(&l);
	l.code = strdup("1002");
	CU_ASSERT_EQUAL(bc_login_add(s, &l, &err), BC_OK);
	bc_login_clear(&l);
	l.code = strdup("1003");
	CU_ASSERT_EQUAL(bc_login_add(s, &l, &err), BC_OK);
	bc_login_clear(&l);

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		bc_dn_init(&d);
		d.type = types[i];
		d.number = strdup("5001");
		d.alias = strdup(i == 0 ? "Zoë's \"desk\" <main>" : "a");
		d.reg = (enum bc_register)(i % BC_REG_COUNT);
		d.association = strdup("assoc & co");
		d.contact = strdup("sip:5001@east;transport=tls");
		d.password = strdup("s1p");
		d.enabled = i % 2;
		bc_options_set(&d.options, "TServer", "dr-forward", "no-agent",
		    &err);
		CU_ASSERT_EQUAL(bc_dn_add(s, &d, &err), BC_OK);
		bc_dn_clear(&d);
	}
	bc_dn_init(&d);
	d.number = strdup("5002");
	CU_ASSERT_EQUAL(bc_dn_add(s, &d, &err), BC_OK);
	bc_dn_clear(&d);

	bc_place_init(&p);
	p.name = strdup("Desk \xc3\xa9 & <1>");
	p.enabled = 0;
	bc_place_add_dn(&p, "5001", BC_DN_EXTENSION, &err);
	bc_place_add_dn(&p, "5001", BC_DN_CALL_PROCESSING_PORT, &err);
	bc_options_set(&p.options, "TServer", "x", "1", &err);
	CU_ASSERT_EQUAL(bc_place_add(s, &p, &err), BC_OK);
	bc_place_clear(&p);
	p.name = strdup("Empty");
	CU_ASSERT_EQUAL(bc_place_add(s, &p, &err), BC_OK);
	bc_place_clear(&p);

	bc_person_init(&r);
	r.username = strdup("jdoe");
	r.first = strdup("J\xc3\xa1ne");
	r.last = strdup("O'Neil");
	r.employee_id = strdup("E-1");
	r.agent = 1;
	r.enabled = 0;
	r.preferred_site = strdup("east");
	r.place = strdup("Desk \xc3\xa9 & <1>");
	bc_person_add_login(&r, "1002", 30, &err);
	bc_person_add_login(&r, "1001", 0, &err);
	CU_ASSERT_EQUAL(bc_person_add(s, &r, &err), BC_OK);
	bc_person_clear(&r);
	r.username = strdup("boss");
	CU_ASSERT_EQUAL(bc_person_add(s, &r, &err), BC_OK);
	bc_person_clear(&r);
}

/* The document without its root line (which names the site). */
static const char *
after_root(const char *doc)
{
	const char *p = strstr(doc, "<site ");

	return p != NULL && (p = strchr(p, '\n')) != NULL ? p : "";
}

static void
test_roundtrip(void)
{
	bc_store *a = store_new("east"), *b = store_new("west");
	struct bc_err err;
	char *x, *y;
	size_t n;

	populate(a);
	x = export_str(a, 0);
	CU_ASSERT_EQUAL(import_str(b, x, 0, NULL, &n, &err), BC_OK);
	CU_ASSERT_EQUAL(n, 3 + 7 + 2 + 2);
	y = export_str(b, 0);
	CU_ASSERT_STRING_EQUAL(after_root(x), after_root(y));
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "name=\"east\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(y, "name=\"west\""));
	/* again: nothing to do */
	CU_ASSERT_EQUAL(import_str(b, x, 0, NULL, &n, &err), BC_OK);
	CU_ASSERT_EQUAL(n, 0);
	free(x);
	free(y);
	bc_store_close(a);
	bc_store_close(b);
}

/* Every field of every kind survives the trip. */
static void
test_fields(void)
{
	bc_store *a = store_new("east"), *b = store_new("west");
	enum bc_dn_type t = BC_DN_EXTENSION;
	struct bc_err err;
	struct bc_login l;
	struct bc_dn d;
	struct bc_place p;
	struct bc_person r;
	char *x;

	populate(a);
	x = export_str(a, 0);
	CU_ASSERT_EQUAL_FATAL(import_str(b, x, 0, NULL, NULL, &err), BC_OK);
	free(x);

	CU_ASSERT_EQUAL_FATAL(bc_login_get(b, "1001", &l, &err), BC_OK);
	CU_ASSERT_STRING_EQUAL(l.password, "pw<&>\"'");
	CU_ASSERT_STRING_EQUAL(l.override, "ov");
	CU_ASSERT_EQUAL(l.use_override, 1);
	CU_ASSERT_EQUAL(l.enabled, 0);
	CU_ASSERT_STRING_EQUAL(l.person, "jdoe");
	CU_ASSERT_STRING_EQUAL(bc_options_get(&l.options, "Other", "a b"),
	    "x=y/z");
	CU_ASSERT_STRING_EQUAL(bc_options_get(&l.options, "TServer", "k"),
	    "v");
	bc_login_clear(&l);

	CU_ASSERT_EQUAL_FATAL(bc_dn_get(b, "5001", &t, &d, &err), BC_OK);
	CU_ASSERT_STRING_EQUAL(d.alias, "Zo\xc3\xab's \"desk\" <main>");
	CU_ASSERT_EQUAL(d.reg, BC_REG_TRUE);
	CU_ASSERT_STRING_EQUAL(d.association, "assoc & co");
	CU_ASSERT_STRING_EQUAL(d.contact, "sip:5001@east;transport=tls");
	CU_ASSERT_STRING_EQUAL(d.password, "s1p");
	CU_ASSERT_EQUAL(d.enabled, 0);
	CU_ASSERT_STRING_EQUAL(d.place, "Desk \xc3\xa9 & <1>");
	CU_ASSERT_STRING_EQUAL(bc_options_get(&d.options, "TServer",
	    "dr-forward"), "no-agent");
	bc_dn_clear(&d);
	t = BC_DN_CALL_PROCESSING_PORT;
	CU_ASSERT_EQUAL_FATAL(bc_dn_get(b, "5001", &t, &d, &err), BC_OK);
	CU_ASSERT_EQUAL(d.reg, BC_REG_ON_DEMAND);
	CU_ASSERT_EQUAL(d.enabled, 0);
	bc_dn_clear(&d);
	t = BC_DN_ACD_QUEUE;
	CU_ASSERT_EQUAL_FATAL(bc_dn_get(b, "5001", &t, &d, &err), BC_OK);
	CU_ASSERT_EQUAL(d.reg, BC_REG_FALSE);
	CU_ASSERT_EQUAL(d.enabled, 1);
	CU_ASSERT_PTR_NULL(d.place);
	bc_dn_clear(&d);

	CU_ASSERT_EQUAL_FATAL(bc_place_get(b, "Desk \xc3\xa9 & <1>", &p,
	    &err), BC_OK);
	CU_ASSERT_EQUAL(p.enabled, 0);
	CU_ASSERT_EQUAL(p.ndns, 2);
	CU_ASSERT_STRING_EQUAL(bc_options_get(&p.options, "TServer", "x"),
	    "1");
	bc_place_clear(&p);

	CU_ASSERT_EQUAL_FATAL(bc_person_get(b, "jdoe", &r, &err), BC_OK);
	CU_ASSERT_STRING_EQUAL(r.first, "J\xc3\xa1ne");
	CU_ASSERT_STRING_EQUAL(r.last, "O'Neil");
	CU_ASSERT_STRING_EQUAL(r.employee_id, "E-1");
	CU_ASSERT_EQUAL(r.agent, 1);
	CU_ASSERT_EQUAL(r.enabled, 0);
	CU_ASSERT_STRING_EQUAL(r.preferred_site, "east");
	CU_ASSERT_STRING_EQUAL(r.place, "Desk \xc3\xa9 & <1>");
	CU_ASSERT_EQUAL_FATAL(r.nlogins, 2);
	CU_ASSERT_STRING_EQUAL(r.logins[0].code, "1001");
	CU_ASSERT_EQUAL(r.logins[0].wrapup, 0);
	CU_ASSERT_STRING_EQUAL(r.logins[1].code, "1002");
	CU_ASSERT_EQUAL(r.logins[1].wrapup, 30);
	bc_person_clear(&r);
	CU_ASSERT_EQUAL_FATAL(bc_person_get(b, "boss", &r, &err), BC_OK);
	CU_ASSERT_EQUAL(r.agent, 0);
	CU_ASSERT_PTR_NULL(r.first);
	CU_ASSERT_EQUAL(r.nlogins, 0);
	bc_person_clear(&r);
	bc_store_close(a);
	bc_store_close(b);
}

/* Markup characters are escaped, non-ASCII written as UTF-8. */
static void
test_escaping(void)
{
	bc_store *a = store_new("east");
	char *x;

	populate(a);
	x = export_str(a, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "password=\"pw&lt;&amp;&gt;&quot;'\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(x,
	    "<place name=\"Desk \xc3\xa9 &amp; &lt;1&gt;\" enabled=\"false\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "first=\"J\xc3\xa1ne\""));
	CU_ASSERT_PTR_NULL(strstr(x, "&#"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<site "
	    "xmlns=\"urn:sipbc:site:1\" format=\"1\" name=\"east\">\n"));
	free(x);
	bc_store_close(a);
}

/* Order: by kind, then identity; sections and keys sorted. */
static void
test_order(void)
{
	bc_store *a = store_new("east");
	char *x, *p1, *p2, *p3, *p4;

	populate(a);
	x = export_str(a, 0);
	p1 = strstr(x, "<logins>");
	p2 = strstr(x, "<dns>");
	p3 = strstr(x, "<places>");
	p4 = strstr(x, "<persons>");
	CU_ASSERT(p1 != NULL && p1 < p2 && p2 < p3 && p3 < p4);
	CU_ASSERT(strstr(x, "code=\"1001\"") < strstr(x, "code=\"1002\""));
	CU_ASSERT(strstr(x, "type=\"acd-queue\"") <
	    strstr(x, "type=\"trunk\""));
	CU_ASSERT(strstr(x, "<section name=\"Other\">") <
	    strstr(x, "<section name=\"TServer\">"));
	CU_ASSERT(strstr(x, "username=\"boss\"") <
	    strstr(x, "username=\"jdoe\""));
	free(x);
	bc_store_close(a);
}

static void
test_synchronized_only(void)
{
	bc_store *a = store_new("east"), *b = store_new("west");
	struct bc_err err;
	char *x;

	populate(a);
	x = export_str(a, BC_XML_SYNCHRONIZED_ONLY);
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "synchronized-only=\"true\""));
	CU_ASSERT_PTR_NULL(strstr(x, "type=\"trunk\""));
	CU_ASSERT_PTR_NULL(strstr(x, "type=\"routing-point\""));
	CU_ASSERT_PTR_NULL(strstr(x, "type=\"voip-service\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "type=\"call-processing-port\""));
	/* --replace with it keeps the site-local DNs of the target */
	free(x);
	x = export_str(a, 0);
	CU_ASSERT_EQUAL(import_str(b, x, 0, NULL, NULL, &err), BC_OK);
	free(x);
	x = export_str(a, BC_XML_SYNCHRONIZED_ONLY);
	CU_ASSERT_EQUAL(import_str(b, x, BC_XML_REPLACE, NULL, NULL, &err),
	    BC_OK);
	free(x);
	x = export_str(b, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "type=\"trunk\""));
	free(x);
	bc_store_close(a);
	bc_store_close(b);
}

static const char DOC_HEAD[] =
    "<?xml version=\"1.0\"?>\n"
    "<site xmlns=\"urn:sipbc:site:1\" format=\"1\">\n";

/* An update changes what differs and reports only that. */
static void
test_update(void)
{
	bc_store *b = store_new("west");
	struct bc_err err;
	struct log l;
	char doc[2048];
	size_t n;

	snprintf(doc, sizeof(doc), "%s"
	    "<dns><dn type=\"extension\" number=\"1\" alias=\"a\"/>"
	    "<dn type=\"extension\" number=\"2\"/></dns>"
	    "<places><place name=\"P\"><dn type=\"extension\" number=\"1\"/>"
	    "</place></places></site>", DOC_HEAD);
	CU_ASSERT_EQUAL(import_str(b, doc, 0, &l, &n, &err), BC_OK);
	CU_ASSERT_EQUAL(n, 3);
	snprintf(doc, sizeof(doc), "%s"
	    "<dns><dn type=\"extension\" number=\"1\" alias=\"b\"/>"
	    "<dn type=\"extension\" number=\"2\"/></dns>"
	    "<places><place name=\"P\"><dn type=\"extension\" number=\"1\"/>"
	    "</place></places></site>", DOC_HEAD);
	CU_ASSERT_EQUAL(import_str(b, doc, 0, &l, &n, &err), BC_OK);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(l.buf, "update dn 'extension:1'\n");
	/* the extension moves to another place, a new one */
	snprintf(doc, sizeof(doc), "%s"
	    "<places><place name=\"Q\"><dn type=\"extension\" number=\"1\"/>"
	    "</place></places></site>", DOC_HEAD);
	CU_ASSERT_EQUAL(import_str(b, doc, 0, &l, &n, &err), BC_OK);
	CU_ASSERT_STRING_EQUAL(l.buf, "update place 'P'\ncreate place 'Q'\n");
	bc_store_close(b);
}

/* --replace deletes what the document lacks, dependants first. */
static void
test_replace(void)
{
	bc_store *a = store_new("east"), *b = store_new("west");
	struct bc_err err;
	struct log l;
	char *x, *y;
	size_t n;

	populate(b);
	x = export_str(a, 0);		/* empty */
	CU_ASSERT_EQUAL(import_str(b, x, BC_XML_REPLACE | BC_XML_DRY_RUN, &l,
	    &n, &err), BC_OK);
	CU_ASSERT_EQUAL(n, 2 + 2 + 7 + 3);
	CU_ASSERT(strncmp(l.buf, "delete person 'boss'\ndelete person "
	    "'jdoe'\ndelete place", 50) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(l.buf, "delete dn 'trunk:5001'\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.buf, "delete login '1003'\n"));
	/* dry run: nothing happened */
	y = export_str(b, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(y, "<person "));
	free(y);
	CU_ASSERT_EQUAL(import_str(b, x, BC_XML_REPLACE, &l, &n, &err),
	    BC_OK);
	y = export_str(b, 0);
	CU_ASSERT_STRING_EQUAL(after_root(x), after_root(y));
	free(x);
	free(y);
	bc_store_close(a);
	bc_store_close(b);
}

/* A failing import names file, line and column; the store is unchanged. */
static void
expect_fail(bc_store *s, const char *body, int status, const char *msg)
{
	struct bc_err err;
	char doc[4096];
	char *before, *after;

	snprintf(doc, sizeof(doc), "%s%s", DOC_HEAD, body);
	before = export_str(s, 0);
	CU_ASSERT_EQUAL(import_str(s, doc, 0, NULL, NULL, &err), status);
	if (strstr(err.msg, msg) == NULL) {
		fprintf(stderr, "\nwanted '%s' in '%s'\n", msg, err.msg);
		CU_FAIL("error message");
	}
	CU_ASSERT(strncmp(err.msg, "t.xml:", 6) == 0);
	after = export_str(s, 0);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
}

static void
test_errors(void)
{
	bc_store *b = store_new("west");

	populate(b);
	expect_fail(b, "<dns><dn type=\"acd-queue\" number=\"9\"/></dns>"
	    "<places><place name=\"Q\">\n<dn type=\"acd-queue\" number=\"9\"/>"
	    "</place></places></site>", BC_EINVAL, "t.xml:4:");
	expect_fail(b, "<persons>\n<person username=\"boss\" agent=\"true\"/>"
	    "</persons></site>", BC_ERULE, "t.xml:4:");
	expect_fail(b, "<logins><login code=\"77\"/>\n<login code=\"77\"/>"
	    "</logins></site>", BC_EINVAL, "duplicate login '77' (first at "
	    "line 3");
	expect_fail(b, "<places>\n<place name=\"Z\"><dn type=\"extension\" "
	    "number=\"404\"/></place></places></site>", BC_ENOENT,
	    "t.xml:4:");
	expect_fail(b, "<logins><login code=\"7\"><annex><section name=\"a/b\">"
	    "<option key=\"k\" value=\"v\"/></section></annex></login>"
	    "</logins></site>", BC_EINVAL, "may not hold '/'");
	expect_fail(b, "<logins><login code=\"7\"/></logins>", BC_EINVAL,
	    "not well-formed");
	expect_fail(b, "<dns><dn type=\"extension\" number=\"1\" "
	    "colour=\"red\"/></dns></site>", BC_EINVAL, "not a valid site");
	/* a later error undoes the earlier objects */
	expect_fail(b, "<logins><login code=\"new\"/></logins><persons>"
	    "<person username=\"x\" place=\"nowhere\"/></persons></site>",
	    BC_ENOENT, "place 'nowhere' does not exist");
	bc_store_close(b);
}

/* Annex options: several sections, several keys, removal on update. */
static void
test_options(void)
{
	bc_store *b = store_new("west");
	struct bc_err err;
	struct bc_login l;
	char doc[2048];

	snprintf(doc, sizeof(doc), "%s<logins><login code=\"1\"><annex>"
	    "<section name=\"B\"><option key=\"z\" value=\"\"/>"
	    "<option key=\"a\" value=\"1 &amp; 2\"/></section>"
	    "<section name=\"A\"><option key=\"k\" value=\"&#233;\"/>"
	    "</section></annex></login></logins></site>", DOC_HEAD);
	CU_ASSERT_EQUAL_FATAL(import_str(b, doc, 0, NULL, NULL, &err), BC_OK);
	CU_ASSERT_EQUAL_FATAL(bc_login_get(b, "1", &l, &err), BC_OK);
	CU_ASSERT_EQUAL(l.options.n, 3);
	CU_ASSERT_STRING_EQUAL(bc_options_get(&l.options, "B", "a"),
	    "1 & 2");
	CU_ASSERT_STRING_EQUAL(bc_options_get(&l.options, "A", "k"),
	    "\xc3\xa9");
	bc_login_clear(&l);
	snprintf(doc, sizeof(doc), "%s<logins><login code=\"1\"/></logins>"
	    "</site>", DOC_HEAD);
	CU_ASSERT_EQUAL(import_str(b, doc, 0, NULL, NULL, &err), BC_OK);
	CU_ASSERT_EQUAL_FATAL(bc_login_get(b, "1", &l, &err), BC_OK);
	CU_ASSERT_EQUAL(l.options.n, 0);
	bc_login_clear(&l);
	bc_store_close(b);
}

/* A login moves from one person to another within one document. */
static void
test_login_move(void)
{
	bc_store *b = store_new("west");
	struct bc_err err;
	struct bc_person r;
	struct log l;
	char doc[2048];

	snprintf(doc, sizeof(doc), "%s<logins><login code=\"1\"/></logins>"
	    "<persons><person username=\"b\" agent=\"true\"><login code=\"1\""
	    " wrapup=\"5\"/></person></persons></site>", DOC_HEAD);
	CU_ASSERT_EQUAL_FATAL(import_str(b, doc, 0, NULL, NULL, &err), BC_OK);
	snprintf(doc, sizeof(doc), "%s<persons><person username=\"a\" "
	    "agent=\"true\"><login code=\"1\"/></person><person "
	    "username=\"b\" agent=\"true\"/></persons></site>", DOC_HEAD);
	CU_ASSERT_EQUAL_FATAL(import_str(b, doc, 0, &l, NULL, &err), BC_OK);
	CU_ASSERT_STRING_EQUAL(l.buf, "update person 'b'\ncreate person "
	    "'a'\n");
	CU_ASSERT_EQUAL_FATAL(bc_person_get(b, "a", &r, &err), BC_OK);
	CU_ASSERT_EQUAL(r.nlogins, 1);
	bc_person_clear(&r);
	bc_store_close(b);
}

/*
 * The fresh path (an import into a store without objects) against the
 * per-object path (a store holding one unrelated object, a trunk DN
 * deleted again afterwards): the same status, message, reported changes
 * and resulting store, and an unchanged store on error.
 */
/* The change metadata of s but the clock, in feed order (caller frees). */
static char *
meta_str(bc_store *s)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(sqlite3_open_v2(bc_store_path(s), &db,
	    SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_prepare_v2(db, "SELECT kind, key, hash, "
	    "deleted, seq FROM sync_meta ORDER BY seq, kind, key", -1, &st,
	    NULL), SQLITE_OK);
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		fprintf(f, "%s %s %s %d %lld\n", sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
		    sqlite3_column_int(st, 3), sqlite3_column_int64(st, 4));
	sqlite3_finalize(st);
	sqlite3_close(db);
	fclose(f);
	return buf;
}

struct stop_log {
	struct log	 log;
	int		 left;		/* changes before stopping, -1: never */
};

static int
stop_change(const char *action, const char *kind, const char *id, void *arg)
{
	struct stop_log *l = arg;

	if (l->left == 0)
		return BC_EIO;
	if (l->left > 0)
		l->left--;
	return log_change(action, kind, id, &l->log);
}

static void
fresh_same(const char *body, unsigned flags, int stop_after, int status,
    const char *msg)
{
	bc_store *a = store_new("west"), *b = store_new("west");
	struct bc_err ea, eb;
	struct stop_log la, lb;
	struct bc_dn d;
	char doc[4096], *xa, *xb, *before;
	size_t na, nb;
	int ra, rb;

	bc_dn_init(&d);
	d.type = BC_DN_TRUNK;
	d.number = strdup("999999");
	CU_ASSERT_EQUAL_FATAL(bc_dn_add(b, &d, &eb), BC_OK);
	bc_dn_clear(&d);
	snprintf(doc, sizeof(doc), "%s%s", DOC_HEAD, body);
	before = export_str(a, 0);
	memset(&la, 0, sizeof(la));
	memset(&lb, 0, sizeof(lb));
	la.left = lb.left = stop_after;
	ea.msg[0] = eb.msg[0] = '\0';
	na = nb = 12345;
	ra = bc_xml_import_mem(a, doc, strlen(doc), "t.xml", flags,
	    stop_change, &la, &na, &ea);
	rb = bc_xml_import_mem(b, doc, strlen(doc), "t.xml", flags,
	    stop_change, &lb, &nb, &eb);
	CU_ASSERT_EQUAL(ra, status);
	CU_ASSERT_EQUAL(rb, status);
	if (ra != status)
		fprintf(stderr, "\nunexpected: %s\n", ea.msg);
	CU_ASSERT_EQUAL(na, nb);
	if (ra != BC_OK || rb != BC_OK) {
		CU_ASSERT_STRING_EQUAL(ea.msg, eb.msg);
		if (msg != NULL && strstr(ea.msg, msg) == NULL) {
			fprintf(stderr, "\nwanted '%s' in '%s'\n", msg, ea.msg);
			CU_FAIL("error message");
		}
	}
	CU_ASSERT_STRING_EQUAL(la.log.buf, lb.log.buf);
	CU_ASSERT_EQUAL_FATAL(bc_dn_delete(b, "999999", BC_DN_TRUNK, &eb),
	    BC_OK);
	xa = export_str(a, 0);
	xb = export_str(b, 0);
	CU_ASSERT_STRING_EQUAL(xa, xb);
	free(xa);
	free(xb);
	/* the same documents' hashes, in the same order */
	xa = meta_str(a);
	xb = meta_str(b);
	CU_ASSERT_STRING_EQUAL(xa, xb);
	if (strcmp(xa, xb) != 0)
		fprintf(stderr, "\nfresh:\n%s\nper object:\n%s", xa, xb);
	free(xa);
	free(xb);
	xa = export_str(a, 0);
	if (ra != BC_OK || (flags & BC_XML_DRY_RUN))
		CU_ASSERT_STRING_EQUAL(before, xa);
	free(before);
	free(xa);
	bc_store_close(a);
	bc_store_close(b);
}

#define LOGINS	"<logins><login code=\"1\"/><login code=\"2\"/></logins>"
#define DNS	"<dns><dn type=\"extension\" number=\"10\"/>" \
		"<dn type=\"extension\" number=\"11\"/>" \
		"<dn type=\"call-processing-port\" number=\"10\"/>" \
		"<dn type=\"acd-queue\" number=\"20\"><annex><section " \
		"name=\"TServer\"><option key=\"k\" value=\"v\"/></section>" \
		"</annex></dn></dns>"

/*
 * Over tombstones (objects deleted before, so the store holds none):
 * the fresh path writes the change metadata itself and takes their rows
 * over as the commit of the per-object path does, feed positions after
 * them, and its clock goes on from the store's.
 */
static void
fresh_tombstones(void)
{
	static const char body[] = LOGINS "<dns><dn type=\"extension\" "
	    "number=\"10\"/><dn type=\"trunk\" number=\"7\"/></dns>"
	    "<places><place name=\"P\"/></places></site>";
	bc_store *s[2];
	struct bc_login l;
	struct bc_place p;
	struct bc_dn d;
	struct bc_err e;
	sqlite3 *db;
	sqlite3_stmt *st;
	char doc[1024], *x[2];
	long long hlc[2];
	int i;

	snprintf(doc, sizeof(doc), "%s%s", DOC_HEAD, body);
	for (i = 0; i < 2; i++) {
		s[i] = store_new("west");
		bc_login_init(&l);
		l.code = strdup("2");
		bc_place_init(&p);
		p.name = strdup("P");
		CU_ASSERT_EQUAL(bc_login_add(s[i], &l, &e), BC_OK);
		CU_ASSERT_EQUAL(bc_place_add(s[i], &p, &e), BC_OK);
		CU_ASSERT_EQUAL(bc_login_delete(s[i], "2", &e), BC_OK);
		CU_ASSERT_EQUAL(bc_place_delete(s[i], "P", &e), BC_OK);
		bc_login_clear(&l);
		bc_place_clear(&p);
	}
	/* the second holds an object: the per-object path */
	bc_dn_init(&d);
	d.type = BC_DN_TRUNK;
	d.number = strdup("999999");
	CU_ASSERT_EQUAL_FATAL(bc_dn_add(s[1], &d, &e), BC_OK);
	bc_dn_clear(&d);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(bc_xml_import_mem(s[i], doc, strlen(doc),
		    "t.xml", 0, NULL, NULL, NULL, &e), BC_OK);
		CU_ASSERT_EQUAL(sqlite3_open_v2(bc_store_path(s[i]), &db,
		    SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		/* the clock: above every value written, the store's last */
		CU_ASSERT_EQUAL(sqlite3_prepare_v2(db, "SELECT (SELECT hlc "
		    "FROM site) - max(hlc) FROM sync_meta", -1, &st, NULL),
		    SQLITE_OK);
		CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
		hlc[i] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	CU_ASSERT_EQUAL(hlc[0], 0);
	CU_ASSERT_EQUAL(hlc[1], 0);
	CU_ASSERT_EQUAL_FATAL(bc_dn_delete(s[1], "999999", BC_DN_TRUNK, &e),
	    BC_OK);
	for (i = 0; i < 2; i++)
		x[i] = meta_str(s[i]);
	CU_ASSERT_STRING_EQUAL(x[0], x[1]);
	if (strcmp(x[0], x[1]) != 0)
		fprintf(stderr, "\nfresh:\n%s\nper object:\n%s", x[0], x[1]);
	for (i = 0; i < 2; i++) {
		free(x[i]);
		bc_store_close(s[i]);
	}
}

static void
test_fresh(void)
{
	bc_store *a;
	struct bc_err err;
	char *x, *y;

	/* everything of every kind, fresh and per object alike */
	a = store_new("east");
	populate(a);
	x = export_str(a, 0);
	fresh_same(after_root(x) + 1, 0, -1, BC_OK, NULL);
	fresh_same(after_root(x) + 1, BC_XML_DRY_RUN, -1, BC_OK, NULL);
	/* the caller stops the import at the fifth change */
	fresh_same(after_root(x) + 1, BC_XML_DRY_RUN, 4, BC_EIO,
	    "stopped by the caller");
	/* the fresh path stores exactly what the document says */
	bc_store_close(a);
	a = store_new("east");
	CU_ASSERT_EQUAL(import_str(a, x, 0, NULL, NULL, &err), BC_OK);
	y = export_str(a, 0);
	CU_ASSERT_STRING_EQUAL(after_root(x), after_root(y));
	free(y);
	bc_store_close(a);
	/* --replace into a fresh store: nothing to delete */
	a = store_new("east");
	CU_ASSERT_EQUAL(import_str(a, x, BC_XML_REPLACE, NULL, NULL, &err),
	    BC_OK);
	y = export_str(a, 0);
	CU_ASSERT_STRING_EQUAL(after_root(x), after_root(y));
	free(y);
	free(x);
	bc_store_close(a);

	fresh_same(LOGINS DNS "<places><place name=\"P\"><dn type=\"extension\" "
	    "number=\"10\"/><dn type=\"call-processing-port\" number=\"10\"/>"
	    "</place></places><persons><person username=\"u\" agent=\"true\" "
	    "place=\"P\"><login code=\"2\" wrapup=\"3\"/><login code=\"1\"/>"
	    "</person></persons></site>", 0, -1, BC_OK, NULL);
	/* a second place takes the DN of the first (a change of it) */
	fresh_same(DNS "<places><place name=\"P\"><dn type=\"extension\" "
	    "number=\"10\"/></place><place name=\"Q\"><dn type=\"extension\" "
	    "number=\"10\"/></place></places></site>", BC_XML_DRY_RUN, -1,
	    BC_OK, NULL);
	/* a second person takes the login of the first */
	fresh_same(LOGINS "<persons><person username=\"a\" agent=\"true\">"
	    "<login code=\"1\"/></person><person username=\"b\" "
	    "agent=\"true\"><login code=\"1\"/></person></persons></site>",
	    BC_XML_DRY_RUN, -1, BC_OK, NULL);

	/* text the documents escape; a tab (refused) */
	fresh_same("<logins><login code=\"q&quot;1\\\" password=\"a\\&quot;b/"
	    "&#233;&lt;\" override=\"x\"><annex><section name=\"S&quot;\">"
	    "<option key=\"k\\\" value=\"&quot;v&quot;\"/></section></annex>"
	    "</login></logins><dns><dn type=\"extension\" number=\"1\" "
	    "alias=\"Zo&#235; &quot;x&quot;\" password=\"p\\\" register="
	    "\"on-demand\" enabled=\"false\"/><dn type=\"trunk\" number=\"1\"/>"
	    "<dn type=\"acd-queue\" number=\"1\"/><dn type=\"call-processing-"
	    "port\" number=\"0\"/></dns><places><place name=\"P &quot;1\" "
	    "enabled=\"false\"><dn type=\"extension\" number=\"1\"/><dn "
	    "type=\"call-processing-port\" number=\"0\"/></place></places>"
	    "<persons><person username=\"u\\\" first=\"&#233;\" agent=\"true\" "
	    "place=\"P &quot;1\" preferred-site=\"w\"><login code=\"q&quot;1\\\" "
	    "wrapup=\"86400\"/></person></persons></site>", 0, -1, BC_OK, NULL);
	fresh_same("<logins><login code=\"1\" password=\"a&#9;b\"/></logins>"
	    "<dns><dn type=\"extension\" number=\"1\" alias=\"x\"/></dns>"
	    "</site>", 0, -1, BC_EINVAL, "not valid UTF-8");

	/* each rule, broken */
	fresh_same(DNS "<places><place name=\"P\"><dn type=\"acd-queue\" "
	    "number=\"20\"/></place></places></site>", 0, -1, BC_EINVAL,
	    "not a valid site");
	fresh_same(DNS "<places><place name=\"P\"><dn type=\"extension\" "
	    "number=\"10\"/><dn type=\"extension\" number=\"11\"/></place>"
	    "</places></site>", 0, -1, BC_ERULE, "more than one extension");
	fresh_same(DNS "<places><place name=\"P\"><dn type=\"call-processing-"
	    "port\" number=\"10\"/><dn type=\"call-processing-port\" "
	    "number=\"10\"/></place></places></site>", 0, -1, BC_EINVAL,
	    "twice");
	fresh_same(DNS "<places><place name=\"P\"><dn type=\"extension\" "
	    "number=\"12\"/></place></places></site>", 0, -1, BC_ENOENT,
	    "does not exist");
	fresh_same(LOGINS "<persons><person username=\"u\" place=\"P\"/>"
	    "</persons></site>", 0, -1, BC_ENOENT,
	    "place 'P' does not exist");
	fresh_same(LOGINS "<persons><person username=\"u\" agent=\"true\">"
	    "<login code=\"3\"/></person></persons></site>", 0, -1, BC_ENOENT,
	    "does not exist");
	fresh_same(LOGINS "<persons><person username=\"u\"><login code=\"1\"/>"
	    "</person></persons></site>", 0, -1, BC_ERULE, "not an agent");
	fresh_same(LOGINS "<persons><person username=\"u\" agent=\"true\">"
	    "<login code=\"1\"/><login code=\"1\"/></person></persons></site>",
	    0, -1, BC_EINVAL, "twice");
	fresh_same(LOGINS "<persons><person username=\"u\"/><person "
	    "username=\"u\"/></persons></site>", 0, -1, BC_EINVAL,
	    "duplicate person 'u'");
	fresh_same("<dns><dn type=\"extension\" number=\"1\"/>"
	    "<dn type=\"extension\" number=\"1\"/></dns></site>", 0, -1,
	    BC_EINVAL, "duplicate dn 'extension:1'");
	/* checked by the importer: the embedded schema has no xs:unique */
	fresh_same("<logins><login code=\"1\"><annex><section name=\"S\">"
	    "<option key=\"k\" value=\"1\"/><option key=\"k\" "
	    "value=\"2\"/></section></annex></login></logins></site>", 0, -1,
	    BC_EINVAL, "option S/k given twice");
	fresh_same("<places><place name=\"P\"><annex><section name=\"S\">"
	    "<option key=\"k\" value=\"1\"/></section><section "
	    "name=\"S\"><option key=\"l\" value=\"2\"/></section></annex>"
	    "</place></places></site>", 0, -1, BC_EINVAL,
	    "option section S given twice");
	/* errors of the document after objects that were written */
	fresh_same(LOGINS DNS "<places><place name=\"P\"/></places>", 0, -1,
	    BC_EINVAL, "not well-formed");
	fresh_same(LOGINS DNS "<places><place name=\"P\" colour=\"red\"/>"
	    "</places></site>", 0, -1, BC_EINVAL, "not a valid site");
	fresh_tombstones();
}

static int
suite_init(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/bcxml.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
suite_clean(void)
{
	char path[300];
	int i;

	for (i = 0; i < nstore; i++) {
		snprintf(path, sizeof(path), "%s/s%d.db", dir, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/s%d.db-wal", dir, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/s%d.db-shm", dir, i);
		unlink(path);
	}
	return rmdir(dir);
}

int
xml_codec_suite(void)
{
	static const struct {
		const char	*name;
		void		(*fn)(void);
	} tests[] = {
		{ "roundtrip", test_roundtrip },
		{ "fields", test_fields },
		{ "escaping", test_escaping },
		{ "order", test_order },
		{ "synchronized-only", test_synchronized_only },
		{ "update", test_update },
		{ "replace", test_replace },
		{ "errors", test_errors },
		{ "options", test_options },
		{ "login-move", test_login_move },
		{ "fresh", test_fresh },
	};
	CU_pSuite s;
	size_t i;

	if ((s = CU_add_suite("xml-codec", suite_init, suite_clean)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
