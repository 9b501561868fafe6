/*
 * test-writer.c -- the export's own XML writer (core/xml-out.c) against
 * libxml2's xmlTextWriter, which the export used before: every ASCII
 * byte and UTF-8 sequences in an attribute value give the same bytes,
 * values XML 1.0 cannot carry are refused as before, and whole
 * documents (raw rows with tabs and line ends, an empty store) are
 * byte for byte what the export wrote with libxml2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>
#include <sqlite3.h>

#include "bc.h"
#include "bc-xml.h"
#include "xml-out.h"
#include "xmltest.h"

static char dir[256];
static int nstore;

/*
 * The attribute a="value" as xmlTextWriter writes it (the export's
 * settings: a document declared UTF-8, indented), with its leading
 * space; NULL when the writer fails.  Caller frees.
 */
static char *
libxml2_attr(const char *value)
{
	xmlBufferPtr b = xmlBufferCreate();
	xmlTextWriterPtr w;
	const char *s, *e;
	char *r = NULL;

	if (b == NULL || (w = xmlNewTextWriterMemory(b, 0)) == NULL) {
		xmlBufferFree(b);
		return NULL;
	}
	if (xmlTextWriterSetIndent(w, 1) >= 0 &&
	    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) >= 0 &&
	    xmlTextWriterStartElement(w, BAD_CAST "e") >= 0 &&
	    xmlTextWriterWriteAttribute(w, BAD_CAST "a",
	    BAD_CAST value) >= 0 &&
	    xmlTextWriterEndElement(w) >= 0 &&
	    xmlTextWriterEndDocument(w) >= 0) {
		xmlFreeTextWriter(w);
		w = NULL;
		s = strstr((const char *)xmlBufferContent(b), "<e ");
		e = s != NULL ? strstr(s, "/>") : NULL;
		if (e != NULL && (r = malloc((size_t)(e - s))) != NULL) {
			memcpy(r, s + 2, (size_t)(e - s - 2));
			r[e - s - 2] = '\0';
		}
	}
	if (w != NULL)
		xmlFreeTextWriter(w);
	xmlBufferFree(b);
	return r;
}

/* The attribute as bc_xml_out_attr() writes it; *rc its status. */
static char *
ours_attr(const char *value, int *rc)
{
	struct bc_xml_out o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(bc_xml_out_init(&o, f), 0);
	*rc = bc_xml_out_attr(&o, "a", value);
	CU_ASSERT_EQUAL(bc_xml_out_flush(&o), 0);
	bc_xml_out_free(&o);
	fclose(f);
	return buf;
}

/* value gives what libxml2 gives. */
static void
same_as_libxml2(const char *value)
{
	char *ref = libxml2_attr(value), *ours;
	int rc;

	ours = ours_attr(value, &rc);
	CU_ASSERT_PTR_NOT_NULL(ref);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(bc_xml_out_safe(value), 1);
	if (ref != NULL && strcmp(ref, ours) != 0) {
		fprintf(stderr, "\nvalue \"%s\": libxml2 [%s], ours [%s]\n",
		    value, ref, ours);
		CU_FAIL("attribute differs from libxml2's");
	}
	free(ref);
	free(ours);
}

/* value is refused, nothing written. */
static void
refused(const char *value)
{
	char *ours;
	int rc;

	ours = ours_attr(value, &rc);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_STRING_EQUAL(ours, "");
	CU_ASSERT_EQUAL(bc_xml_out_safe(value), 0);
	free(ours);
}

/* Every ASCII byte, alone, between others and repeated. */
static void
test_ascii(void)
{
	char v[16];
	int c;

	same_as_libxml2("");
	for (c = 1; c < 0x80; c++) {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			snprintf(v, sizeof(v), "x%cy", c);
			refused(v);
			snprintf(v, sizeof(v), "%c", c);
			refused(v);
			continue;
		}
		snprintf(v, sizeof(v), "%c", c);
		same_as_libxml2(v);
		snprintf(v, sizeof(v), "a%cb%c%c", c, c, c);
		same_as_libxml2(v);
	}
	same_as_libxml2("<&>\"'\t\n\r \r\n =/;#x");
	same_as_libxml2("&lt;&amp;&#10;");
}

/* Explicit bytes, so that a change of libxml2 does not move both. */
static void
test_escapes(void)
{
	char *s;
	int rc;

	s = ours_attr("<a href=\"x\">&amp;</a>\t1\n2\r3'", &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(s, " a=\"&lt;a href=&quot;x&quot;&gt;"
	    "&amp;amp;&lt;/a&gt;&#9;1&#10;2&#13;3'\"");
	free(s);
	s = ours_attr("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80", &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(s,
	    " a=\"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80\"");
	free(s);
}

/*
 * UTF-8 passes through; what xmlCheckUTF8() refuses is refused, and so is
 * what it lets through that XML cannot carry.
 */
static void
test_utf8(void)
{
	static const char *const good[] = {
		"\xc3\xa9", "Chlo\xc3\xa9", "\xe2\x82\xac", "\xef\xbf\xbd",
		"\xf0\x9f\x98\x80", "a\xc3\xa9<\xe2\x82\xac&\xf0\x9f\x98\x80\"",
		"\xc2\x80\xdf\xbf\xe0\xa0\x80\xf4\x8f\xbf\xbf",
	};
	static const char *const bad[] = {
		"\xff", "\xfe", "\x80", "a\xbf", "\xc3", "\xc3(", "\xe2\x82",
		"\xe2(\xa1", "\xf0\x9f\x98", "\xf8\x88\x80\x80\x80", "x\xc3",
		"\xc3\xa9\x01",
	};
	/* byte patterns xmlCheckUTF8() lets through, but no character of
	 * XML: an overlong NUL, an overlong 3- and 4-byte form, a
	 * surrogate, U+FFFE, U+FFFF, past U+10FFFF */
	static const char *const notxml[] = {
		"\xc0\x80", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
		"\xed\xa0\x80", "a\xef\xbf\xbe", "\xef\xbf\xbf" "b",
		"\xf4\x90\x80\x80",
	};
	char doc[64];
	xmlDocPtr d;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		same_as_libxml2(good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refused(bad[i]);
		if (strchr(bad[i], '\x01') == NULL)
			CU_ASSERT_EQUAL(xmlCheckUTF8(BAD_CAST bad[i]), 0);
	}
	/* what an error message shows of such text */
	CU_ASSERT_STRING_EQUAL(bc_xml_out_shown("ok \xc3\xa9", doc,
	    sizeof(doc)), "ok \xc3\xa9");
	CU_ASSERT_STRING_EQUAL(bc_xml_out_shown("a\x01\xc0\x80\\b", doc,
	    sizeof(doc)), "a\\x01\\xc0\\x80\\x5cb");
	CU_ASSERT_STRING_EQUAL(bc_xml_out_shown("\x01\x02", doc, 6), "\\x01");
	for (i = 0; i < sizeof(notxml) / sizeof(notxml[0]); i++) {
		refused(notxml[i]);
		/* rightly: libxml2's parser refuses a document holding it */
		snprintf(doc, sizeof(doc), "<a b=\"%s\"/>", notxml[i]);
		d = xmlReadMemory(doc, (int)strlen(doc), "t.xml", "UTF-8",
		    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET);
		CU_ASSERT_PTR_NULL(d);
		xmlFreeDoc(d);
	}
}

/* A value longer than the writer's buffer: the buffer grows. */
static void
test_long(void)
{
	static const char chunk[] = "a&<\"\xc3\xa9";	/* 6 bytes */
	size_t n = 100 * 1024, i;
	char *v = malloc(n * 6 + 1), *s, *ref;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	for (i = 0; i < n; i++)
		memcpy(v + i * 6, chunk, 6);
	v[n * 6] = '\0';
	s = ours_attr(v, &rc);
	ref = libxml2_attr(v);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(ref);
	CU_ASSERT(ref != NULL && strcmp(s, ref) == 0);
	free(ref);
	free(s);
	free(v);
}

/* A store of site name with raw SQL run on it after the library. */
static bc_store *
store_sql(const char *site, const char *sql)
{
	struct bc_err err;
	bc_store *s = NULL;
	sqlite3 *db = NULL;
	char path[300];

	snprintf(path, sizeof(path), "%s/w%d.db", dir, nstore++);
	if (bc_store_open(&s, path, BC_OPEN_CREATE, 1000, &err) != BC_OK ||
	    bc_site_init(s, site, NULL, &err) != BC_OK)
		CU_FAIL_FATAL("cannot create a store");
	if (sql != NULL) {
		CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			fprintf(stderr, "\n%s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
	}
	return s;
}

static char *
export_of(bc_store *s, unsigned flags, int *rc, struct bc_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	*rc = bc_xml_export(s, f, flags, err);
	fclose(f);
	return buf;
}

/* What the export wrote with libxml2 for an empty store. */
static void
test_empty(void)
{
	bc_store *s = store_sql("east", NULL);
	struct bc_err err;
	char *x;
	int rc;

	x = export_of(s, 0, &rc, &err);
	CU_ASSERT_EQUAL(rc, BC_OK);
	CU_ASSERT_STRING_EQUAL(x,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<site xmlns=\"urn:sipbc:site:1\" format=\"1\" name=\"east\">\n"
	    "  <logins/>\n  <dns/>\n  <places/>\n  <persons/>\n"
	    "</site>\n\n");
	free(x);
	x = export_of(s, BC_XML_SYNCHRONIZED_ONLY, &rc, &err);
	CU_ASSERT_EQUAL(rc, BC_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "name=\"east\" "
	    "synchronized-only=\"true\">\n  <logins/>\n"));
	free(x);
	bc_store_close(s);
}

/*
 * Rows written around the library (the library refuses control
 * characters): tabs and line ends in values become character references
 * (a parser would read them as spaces), every kind with lists and
 * attributes, and raw_doc is byte for byte what the export wrote with
 * libxml2's xmlTextWriter (56b7a7b) for this store.
 */
static const char raw_rows[] =
    "INSERT INTO agent_login (id, code, password) VALUES "
    " (1, '1001', 'a' || char(9) || 'b' || char(10) || 'c' || char(13) ||"
    "  'd <&>\"'''),"
    " (2, '1002', NULL), (3, '0999', NULL);"
    "UPDATE agent_login SET override = 'o>', use_override = 1, enabled = 0 "
    " WHERE id = 2;"
    "INSERT INTO login_option VALUES (1, 'S' || char(9), 'k', "
    " ' x' || char(10) || ' '), (1, 'S' || char(9), 'l', '&'),"
    " (1, 'T', 'k', 'Zo\xc3\xab');"
    "INSERT INTO place (id, name) VALUES (1, 'P' || char(13) || char(10)),"
    " (2, 'Q');"
    "INSERT INTO dn (type, number, alias, register, place_id) VALUES "
    " ('extension', '5001', char(9) || 'tab', 'on-demand', 1),"
    " ('call-processing-port', '5001', NULL, 'true', 1),"
    " ('trunk', '7', 'T' || char(10), 'false', NULL);"
    "INSERT INTO dn_option SELECT id, 'A', 'b', 'c' || char(9) FROM dn "
    " WHERE type = 'trunk';"
    "INSERT INTO place_option VALUES (2, 'X', 'y', 'z'), (1, 'M', 'n', '');"
    "UPDATE place SET enabled = 0 WHERE id = 2;"
    "UPDATE dn SET enabled = 0, contact = 'sip:7@h;x=\"1\"', "
    " association = 'a', password = 'p' WHERE number = '7';"
    "INSERT INTO person (id, username, first_name, last_name, place_id, "
    " agent) VALUES (1, 'ann', 'A' || char(10) || 'nn', '\"O''N\"', 1, 0),"
    " (2, 'bob', NULL, NULL, NULL, 1);"
    "UPDATE person SET enabled = 0, employee_id = 'E<1>', "
    " preferred_site = 'west' WHERE id = 2;"
    "INSERT INTO person_login VALUES (1, 2, 5), (1, 1, 86400), (1, 3, 0);";

static const char raw_doc[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<site xmlns=\"urn:sipbc:site:1\" format=\"1\" name=\"east\">\n"
    "  <logins>\n"
    "    <login code=\"0999\"/>\n"
    "    <login code=\"1001\" password=\"a&#9;b&#10;c&#13;d "
    "&lt;&amp;&gt;&quot;'\">\n"
    "      <annex>\n"
    "        <section name=\"S&#9;\">\n"
    "          <option key=\"k\" value=\" x&#10; \"/>\n"
    "          <option key=\"l\" value=\"&amp;\"/>\n"
    "        </section>\n"
    "        <section name=\"T\">\n"
    "          <option key=\"k\" value=\"Zo\xc3\xab\"/>\n"
    "        </section>\n"
    "      </annex>\n"
    "    </login>\n"
    "    <login code=\"1002\" override=\"o&gt;\" use-override=\"true\" "
    "enabled=\"false\"/>\n"
    "  </logins>\n"
    "  <dns>\n"
    "    <dn type=\"call-processing-port\" number=\"5001\"/>\n"
    "    <dn type=\"extension\" number=\"5001\" alias=\"&#9;tab\" "
    "register=\"on-demand\"/>\n"
    "    <dn type=\"trunk\" number=\"7\" alias=\"T&#10;\" "
    "register=\"false\" association=\"a\" "
    "contact=\"sip:7@h;x=&quot;1&quot;\" password=\"p\" "
    "enabled=\"false\">\n"
    "      <annex>\n"
    "        <section name=\"A\">\n"
    "          <option key=\"b\" value=\"c&#9;\"/>\n"
    "        </section>\n"
    "      </annex>\n"
    "    </dn>\n"
    "  </dns>\n"
    "  <places>\n"
    "    <place name=\"P&#13;&#10;\">\n"
    "      <dn type=\"call-processing-port\" number=\"5001\"/>\n"
    "      <dn type=\"extension\" number=\"5001\"/>\n"
    "      <annex>\n"
    "        <section name=\"M\">\n"
    "          <option key=\"n\" value=\"\"/>\n"
    "        </section>\n"
    "      </annex>\n"
    "    </place>\n"
    "    <place name=\"Q\" enabled=\"false\">\n"
    "      <annex>\n"
    "        <section name=\"X\">\n"
    "          <option key=\"y\" value=\"z\"/>\n"
    "        </section>\n"
    "      </annex>\n"
    "    </place>\n"
    "  </places>\n"
    "  <persons>\n"
    "    <person username=\"ann\" first=\"A&#10;nn\" "
    "last=\"&quot;O'N&quot;\" place=\"P&#13;&#10;\">\n"
    "      <login code=\"0999\" wrapup=\"0\"/>\n"
    "      <login code=\"1001\" wrapup=\"86400\"/>\n"
    "      <login code=\"1002\" wrapup=\"5\"/>\n"
    "    </person>\n"
    "    <person username=\"bob\" employee-id=\"E&lt;1&gt;\" "
    "agent=\"true\" enabled=\"false\" preferred-site=\"west\"/>\n"
    "  </persons>\n"
    "</site>\n"
    "\n";

static void
test_raw_rows(void)
{
	bc_store *s = store_sql("east", raw_rows);
	struct bc_err err;
	char *x, *y;
	int rc;

	x = export_of(s, 0, &rc, &err);
	CU_ASSERT_EQUAL(rc, BC_OK);
	CU_ASSERT_STRING_EQUAL(x, raw_doc);
	/* synchronized only: the trunk, a site-local type, is left out,
	 * its options too */
	y = export_of(s, BC_XML_SYNCHRONIZED_ONLY, &rc, &err);
	CU_ASSERT_EQUAL(rc, BC_OK);
	CU_ASSERT_PTR_NULL(strstr(y, "trunk"));
	CU_ASSERT_PTR_NULL(strstr(y, "c&#9;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(y, "  <dns>\n"
	    "    <dn type=\"call-processing-port\" number=\"5001\"/>\n"
	    "    <dn type=\"extension\" number=\"5001\" alias=\"&#9;tab\" "
	    "register=\"on-demand\"/>\n  </dns>\n  <places>\n"));
	free(y);
	free(x);
	bc_store_close(s);
}

/* A control character stops the export with the value's owner named. */
static void
test_refused_row(void)
{
	bc_store *s = store_sql("east",
	    "INSERT INTO agent_login (code) VALUES ('1001');"
	    "INSERT INTO login_option SELECT id, 'S', 'k', 'a' || char(1) "
	    " FROM agent_login;");
	struct bc_err err;
	char *x;
	int rc;

	x = export_of(s, 0, &rc, &err);
	CU_ASSERT_EQUAL(rc, BC_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "login '1001': value cannot be "
	    "written as XML (control character or invalid UTF-8)");
	free(x);
	bc_store_close(s);
}

static int
suite_init(void)
{
	snprintf(dir, sizeof(dir), "%s/bcxmlw.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char path[300];
	int i, j;

	for (i = 0; i < nstore; i++)
		for (j = 0; j < 3; j++) {
			snprintf(path, sizeof(path), "%s/w%d.db%s", dir, i,
			    ext[j]);
			unlink(path);
		}
	return rmdir(dir);
}

int
xml_writer_suite(void)
{
	static const struct {
		const char	*name;
		void		(*fn)(void);
	} tests[] = {
		{ "ascii", test_ascii },
		{ "escapes", test_escapes },
		{ "utf8", test_utf8 },
		{ "long", test_long },
		{ "empty", test_empty },
		{ "raw-rows", test_raw_rows },
		{ "refused-row", test_refused_row },
	};
	CU_pSuite s;
	size_t i;

	if ((s = CU_add_suite("xml-writer", suite_init, suite_clean)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
