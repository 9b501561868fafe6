/*
 * feed-xml.c -- the objects of feed documents: canonical JSON documents
 * (the sync_*_doc views of the store) written as the elements of
 * sipbc-site(5), with their change metadata as attributes of
 * BC_FEED_NS, and read back.  One table per kind lists the attributes;
 * the children (annex options, a place's DNs, a person's logins) are the
 * same for every kind that has them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/xmlwriter.h>

#include "bc-feed.h"
#include "bc-xml.h"
#include "feed-internal.h"

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

static int
fw_write(void *ctx, const char *buf, int len)
{
	struct bc_feed_writer *fw = ctx;

	if (len <= 0)
		return 0;
	if (fwrite(buf, 1, (size_t)len, fw->f) != (size_t)len) {
		fw->werrno = errno != 0 ? errno : EIO;
		return -1;
	}
	return len;
}

static int
fw_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static int
fw_err(struct bc_feed_writer *fw, struct bc_err *err)
{
	return bc_err_set(err, BC_EIO, "cannot write feed document: %s",
	    strerror(fw->werrno != 0 ? fw->werrno : EIO));
}

#define X(s)	((const xmlChar *)(s))

static int
attr(struct bc_feed_writer *fw, const char *name, const char *value)
{
	return xmlTextWriterWriteAttribute(fw->w, X(name), X(value)) < 0;
}

static int
cattr(struct bc_feed_writer *fw, const char *name, const char *value)
{
	return xmlTextWriterWriteAttributeNS(fw->w, X("c"), X(name), NULL,
	    X(value)) < 0;
}

static int
cattr_ll(struct bc_feed_writer *fw, const char *name, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return cattr(fw, name, buf);
}

int
bc_feed_xml_begin(struct bc_feed_writer *fw, FILE *f, const char *site,
    const char *document, long long after, long long seq, long long acked,
    struct bc_err *err)
{
	xmlOutputBufferPtr out;
	int bad;

	memset(fw, 0, sizeof(*fw));
	fw->f = f;
	if ((out = xmlOutputBufferCreateIO(fw_write, fw_close, fw, NULL)) ==
	    NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((fw->w = xmlNewTextWriter(out)) == NULL) {
		xmlOutputBufferClose(out);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	xmlTextWriterSetIndent(fw->w, 1);
	xmlTextWriterSetIndentString(fw->w, X("  "));
	bad = xmlTextWriterStartDocument(fw->w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(fw->w, NULL, X("site"),
	    X(BC_XML_NS)) < 0 ||
	    xmlTextWriterWriteAttribute(fw->w, X("xmlns:c"),
	    X(BC_FEED_NS)) < 0 ||
	    attr(fw, "format", "1") || attr(fw, "name", site) ||
	    attr(fw, "synchronized-only", "true") ||
	    cattr_ll(fw, "protocol", BC_FEED_PROTOCOL) ||
	    cattr(fw, "document", document) ||
	    (strcmp(document, "changes") == 0 &&
	    cattr_ll(fw, "after", after)) ||
	    cattr_ll(fw, "seq", seq) ||
	    (acked >= 0 && cattr_ll(fw, "acked", acked));
	if (bad) {
		xmlFreeTextWriter(fw->w);
		fw->w = NULL;
		return fw_err(fw, err);
	}
	return BC_OK;
}

int
bc_feed_xml_group(struct bc_feed_writer *fw, const char *kind,
    struct bc_err *err)
{
	char name[16];

	if (fw->group && xmlTextWriterEndElement(fw->w) < 0)
		return fw_err(fw, err);
	snprintf(name, sizeof(name), "%ss", kind);
	if (xmlTextWriterStartElement(fw->w, X(name)) < 0)
		return fw_err(fw, err);
	fw->group = 1;
	return BC_OK;
}

/* <annex><section name=S><option key=K value=V/>...: option "S/K": V */
static int
write_annex(struct bc_feed_writer *fw, json_t *opts)
{
	const char *k, *slash, *cur = NULL;
	size_t curlen = 0;
	json_t *v;
	char sec[BC_NAME_MAX + 1];

	if (!json_is_object(opts) || json_object_size(opts) == 0)
		return 0;
	if (xmlTextWriterStartElement(fw->w, X("annex")) < 0)
		return 1;
	/* members come sorted by section/key from the view */
	json_object_foreach(opts, k, v) {
		if ((slash = strchr(k, '/')) == NULL || !json_is_string(v))
			continue;
		if (cur == NULL || curlen != (size_t)(slash - k) ||
		    strncmp(cur, k, curlen) != 0) {
			if (cur != NULL && xmlTextWriterEndElement(fw->w) < 0)
				return 1;
			cur = k;
			curlen = (size_t)(slash - k);
			snprintf(sec, sizeof(sec), "%.*s", (int)curlen, k);
			if (xmlTextWriterStartElement(fw->w, X("section")) <
			    0 || attr(fw, "name", sec))
				return 1;
		}
		if (xmlTextWriterStartElement(fw->w, X("option")) < 0 ||
		    attr(fw, "key", slash + 1) ||
		    attr(fw, "value", json_string_value(v)) ||
		    xmlTextWriterEndElement(fw->w) < 0)
			return 1;
	}
	if (cur != NULL && xmlTextWriterEndElement(fw->w) < 0)
		return 1;
	return xmlTextWriterEndElement(fw->w) < 0;
}

static int
write_children(struct bc_feed_writer *fw, const char *kind, json_t *doc)
{
	const char *k, *colon;
	json_t *v, *list;
	size_t i;
	char buf[32];

	if (strcmp(kind, "place") == 0 &&
	    json_is_array(list = json_object_get(doc, "dn"))) {
		json_array_foreach(list, i, v) {
			k = json_string_value(v);
			if (k == NULL || (colon = strchr(k, ':')) == NULL)
				continue;
			snprintf(buf, sizeof(buf), "%.*s", (int)(colon - k), k);
			if (xmlTextWriterStartElement(fw->w, X("dn")) < 0 ||
			    attr(fw, "type", buf) ||
			    attr(fw, "number", colon + 1) ||
			    xmlTextWriterEndElement(fw->w) < 0)
				return 1;
		}
	}
	if (strcmp(kind, "person") == 0 &&
	    json_is_object(list = json_object_get(doc, "login"))) {
		json_object_foreach(list, k, v) {
			snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
			if (xmlTextWriterStartElement(fw->w, X("login")) < 0 ||
			    attr(fw, "code", k) || attr(fw, "wrapup", buf) ||
			    xmlTextWriterEndElement(fw->w) < 0)
				return 1;
		}
	}
	return write_annex(fw, json_object_get(doc, "option"));
}

/* The identity attributes of a tombstone, from its key. */
static int
write_identity(struct bc_feed_writer *fw, const struct bc_feed_meta *m)
{
	const char *colon;
	char type[32];

	if (strcmp(m->kind, "dn") == 0) {
		if ((colon = strchr(m->key, ':')) == NULL)
			return 1;
		snprintf(type, sizeof(type), "%.*s", (int)(colon - m->key),
		    m->key);
		return attr(fw, "type", type) || attr(fw, "number", colon + 1);
	}
	return attr(fw, fields_of(m->kind)[0].name, m->key);
}

int
bc_feed_xml_object(struct bc_feed_writer *fw, const struct bc_feed_meta *m,
    const char *doc, struct bc_err *err)
{
	const struct field *f = fields_of(m->kind);
	json_t *j = NULL, *v;
	json_error_t je;
	char buf[32];
	int bad = 0;

	if (f == NULL)
		return bc_err_set(err, BC_EINTERNAL, "unknown kind '%s'",
		    m->kind);
	if (doc != NULL && (j = json_loads(doc, 0, &je)) == NULL)
		return bc_err_set(err, BC_EINTERNAL, "document of %s '%s': %s",
		    m->kind, m->key, je.text);
	if (xmlTextWriterStartElement(fw->w, X(m->kind)) < 0)
		bad = 1;
	else if (j == NULL)
		bad = write_identity(fw, m);
	for (; !bad && j != NULL && f->name != NULL; f++) {
		v = json_object_get(j, f->name);
		if (v == NULL || json_is_null(v))
			continue;
		if (f->type == F_BOOL)
			bad = attr(fw, f->name, json_is_true(v) ||
			    (json_is_integer(v) && json_integer_value(v) != 0) ?
			    "true" : "false");
		else if (json_is_string(v))
			bad = attr(fw, f->name, json_string_value(v));
		else if (json_is_integer(v)) {
			snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
			bad = attr(fw, f->name, buf);
		}
	}
	if (!bad)
		bad = cattr_ll(fw, "seq", m->seq) ||
		    cattr_ll(fw, "hlc", m->hlc) ||
		    cattr(fw, "origin", m->origin) ||
		    (m->deleted ? cattr(fw, "deleted", "true") :
		    cattr(fw, "hash", m->hash != NULL ? m->hash : ""));
	if (!bad && j != NULL)
		bad = write_children(fw, m->kind, j);
	if (!bad)
		bad = xmlTextWriterEndElement(fw->w) < 0;
	json_decref(j);
	return bad ? fw_err(fw, err) : BC_OK;
}

int
bc_feed_xml_end(struct bc_feed_writer *fw, int rc, struct bc_err *err)
{
	if (fw->w == NULL)
		return rc;
	if (rc == BC_OK && ((fw->group && xmlTextWriterEndElement(fw->w) <
	    0) || xmlTextWriterEndDocument(fw->w) < 0 ||
	    xmlTextWriterFlush(fw->w) < 0))
		rc = fw_err(fw, err);
	xmlFreeTextWriter(fw->w);
	fw->w = NULL;
	if (rc == BC_OK && fflush(fw->f) != 0) {
		fw->werrno = errno;
		rc = fw_err(fw, err);
	}
	return rc;
}

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
