/*
 * xml-export.c -- bc_xml_export(): the store as one site document
 * (sipbc-site(5)), written with libxml2's xmlTextWriter so that memory
 * stays flat whatever the size of the store.
 *
 * Order: logins by code, DNs by (type, number), places by name, persons
 * by user name, as the store's list functions return them; lists inside
 * an object (a place's DNs, a person's logins, annex options) in their
 * store order too.  Attributes holding a default value are left out, so
 * the same store always gives the same bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "store-internal.h"
#include "bc-xml.h"

struct exp {
	bc_store		*s;
	FILE			*f;
	xmlTextWriterPtr	 w;
	unsigned		 flags;
	int			 werrno;	/* errno of a failed write */
	struct bc_err		*err;
};

/* xmlOutputBuffer write callback: everything goes to the FILE. */
static int
exp_write(void *ctx, const char *buf, int len)
{
	struct exp *x = ctx;

	if (len <= 0)
		return 0;
	if (fwrite(buf, 1, (size_t)len, x->f) != (size_t)len) {
		x->werrno = errno != 0 ? errno : EIO;
		return -1;
	}
	return len;
}

static int
exp_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* The error of a failed writer call. */
static int
exp_ioerr(struct exp *x)
{
	if (x->err->status != BC_OK && x->err->msg[0] != '\0')
		return x->err->status;
	return bc_err_set(x->err, BC_EIO, "cannot write export: %s",
	    strerror(x->werrno != 0 ? x->werrno : EIO));
}

/*
 * Whether s can be carried by XML 1.0: valid UTF-8 without control
 * characters other than tab, newline and carriage return (which the
 * writer escapes).  The library never writes such values; rows written
 * around it might hold them.
 */
static int
xml_safe(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return 0;
	return xmlCheckUTF8((const xmlChar *)s) != 0;
}

/* Writes attribute name="value" when value is set. */
static int
attr(struct exp *x, const char *kind, const char *id, const char *name,
    const char *value)
{
	if (value == NULL)
		return BC_OK;
	if (!xml_safe(value))
		return bc_err_set(x->err, BC_EINVAL, "%s '%s': %s cannot be "
		    "written as XML (control character or invalid UTF-8)",
		    kind, id, name);
	if (xmlTextWriterWriteAttribute(x->w, BAD_CAST name,
	    BAD_CAST value) < 0)
		return exp_ioerr(x);
	return BC_OK;
}

static int
start(struct exp *x, const char *name)
{
	if (xmlTextWriterStartElement(x->w, BAD_CAST name) < 0)
		return exp_ioerr(x);
	return BC_OK;
}

static int
end(struct exp *x)
{
	if (xmlTextWriterEndElement(x->w) < 0)
		return exp_ioerr(x);
	return BC_OK;
}

/* <annex><section name=S><option key=K value=V/>...</section></annex> */
static int
annex(struct exp *x, const char *kind, const char *id,
    const struct bc_options *o)
{
	const char *section = NULL;
	size_t i;
	int rc;

	if (o->n == 0)
		return BC_OK;
	if ((rc = start(x, "annex")))
		return rc;
	for (i = 0; i < o->n; i++) {
		if (section == NULL || strcmp(section, o->v[i].section) != 0) {
			if ((section != NULL && (rc = end(x))) ||
			    (rc = start(x, "section")) ||
			    (rc = attr(x, kind, id, "name", o->v[i].section)))
				return rc;
			section = o->v[i].section;
		}
		if ((rc = start(x, "option")) ||
		    (rc = attr(x, kind, id, "key", o->v[i].key)) ||
		    (rc = attr(x, kind, id, "value", o->v[i].value)) ||
		    (rc = end(x)))
			return rc;
	}
	if ((rc = end(x)))		/* section */
		return rc;
	return end(x);			/* annex */
}

static int
exp_login(const struct bc_login *l, void *arg)
{
	struct exp *x = arg;
	int rc;

	if ((rc = start(x, "login")) ||
	    (rc = attr(x, "login", l->code, "code", l->code)) ||
	    (rc = attr(x, "login", l->code, "password", l->password)) ||
	    (rc = attr(x, "login", l->code, "override", l->override)) ||
	    (l->use_override &&
	    (rc = attr(x, "login", l->code, "use-override", "true"))) ||
	    (!l->enabled &&
	    (rc = attr(x, "login", l->code, "enabled", "false"))) ||
	    (rc = annex(x, "login", l->code, &l->options)))
		return rc;
	return end(x);
}

static int
exp_dn(const struct bc_dn *d, void *arg)
{
	struct exp *x = arg;
	const char *id = d->number;
	int rc;

	if ((x->flags & BC_XML_SYNCHRONIZED_ONLY) &&
	    !bc_dn_type_synchronized(d->type))
		return BC_OK;
	if ((rc = start(x, "dn")) ||
	    (rc = attr(x, "dn", id, "type", bc_dn_type_name(d->type))) ||
	    (rc = attr(x, "dn", id, "number", d->number)) ||
	    (rc = attr(x, "dn", id, "alias", d->alias)) ||
	    (d->reg != BC_REG_TRUE &&
	    (rc = attr(x, "dn", id, "register", bc_register_name(d->reg)))) ||
	    (rc = attr(x, "dn", id, "association", d->association)) ||
	    (rc = attr(x, "dn", id, "contact", d->contact)) ||
	    (rc = attr(x, "dn", id, "password", d->password)) ||
	    (!d->enabled && (rc = attr(x, "dn", id, "enabled", "false"))) ||
	    (rc = annex(x, "dn", id, &d->options)))
		return rc;
	return end(x);
}

static int
exp_place(const struct bc_place *p, void *arg)
{
	struct exp *x = arg;
	size_t i;
	int rc;

	if ((rc = start(x, "place")) ||
	    (rc = attr(x, "place", p->name, "name", p->name)) ||
	    (!p->enabled && (rc = attr(x, "place", p->name, "enabled",
	    "false"))))
		return rc;
	for (i = 0; i < p->ndns; i++)
		if ((rc = start(x, "dn")) ||
		    (rc = attr(x, "place", p->name, "type",
		    bc_dn_type_name(p->dns[i].type))) ||
		    (rc = attr(x, "place", p->name, "number",
		    p->dns[i].number)) ||
		    (rc = end(x)))
			return rc;
	if ((rc = annex(x, "place", p->name, &p->options)))
		return rc;
	return end(x);
}

static int
exp_person(const struct bc_person *p, void *arg)
{
	struct exp *x = arg;
	const char *id = p->username;
	char num[16];
	size_t i;
	int rc;

	if ((rc = start(x, "person")) ||
	    (rc = attr(x, "person", id, "username", p->username)) ||
	    (rc = attr(x, "person", id, "first", p->first)) ||
	    (rc = attr(x, "person", id, "last", p->last)) ||
	    (rc = attr(x, "person", id, "employee-id", p->employee_id)) ||
	    (p->agent && (rc = attr(x, "person", id, "agent", "true"))) ||
	    (!p->enabled && (rc = attr(x, "person", id, "enabled",
	    "false"))) ||
	    (rc = attr(x, "person", id, "preferred-site",
	    p->preferred_site)) ||
	    (rc = attr(x, "person", id, "place", p->place)))
		return rc;
	for (i = 0; i < p->nlogins; i++) {
		snprintf(num, sizeof(num), "%d", p->logins[i].wrapup);
		if ((rc = start(x, "login")) ||
		    (rc = attr(x, "person", id, "code", p->logins[i].code)) ||
		    (rc = attr(x, "person", id, "wrapup", num)) ||
		    (rc = end(x)))
			return rc;
	}
	return end(x);
}

/* Writes the document; the caller holds a read transaction. */
static int
exp_document(struct exp *x)
{
	struct bc_site site;
	int rc;

	if ((rc = bc_site_get(x->s, &site, x->err)))
		return rc;
	if (xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(x->w, BAD_CAST "site") < 0 ||
	    xmlTextWriterWriteAttribute(x->w, BAD_CAST "xmlns",
	    BAD_CAST BC_XML_NS) < 0 ||
	    xmlTextWriterWriteAttribute(x->w, BAD_CAST "format",
	    BAD_CAST "1") < 0)
		rc = exp_ioerr(x);
	else
		rc = attr(x, "site", site.name, "name", site.name);
	bc_site_clear(&site);
	if (rc == BC_OK && (x->flags & BC_XML_SYNCHRONIZED_ONLY))
		rc = attr(x, "site", "", "synchronized-only", "true");
	if (rc != BC_OK)
		return rc;

	if ((rc = start(x, "logins")) ||
	    (rc = bc_login_foreach(x->s, exp_login, x, x->err)) ||
	    (rc = end(x)) ||
	    (rc = start(x, "dns")) ||
	    (rc = bc_dn_foreach(x->s, NULL, exp_dn, x, x->err)) ||
	    (rc = end(x)) ||
	    (rc = start(x, "places")) ||
	    (rc = bc_place_foreach(x->s, exp_place, x, x->err)) ||
	    (rc = end(x)) ||
	    (rc = start(x, "persons")) ||
	    (rc = bc_person_foreach(x->s, exp_person, x, x->err)) ||
	    (rc = end(x)))
		return rc;
	if (xmlTextWriterEndDocument(x->w) < 0 || xmlTextWriterFlush(x->w) < 0)
		return exp_ioerr(x);
	/* the writer ends the last line without a newline */
	if (fputc('\n', x->f) == EOF) {
		x->werrno = errno;
		return exp_ioerr(x);
	}
	return BC_OK;
}

int
bc_xml_export(bc_store *s, FILE *f, unsigned flags, struct bc_err *err)
{
	xmlOutputBufferPtr out;
	struct exp x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.s = s;
	x.f = f;
	x.flags = flags;
	x.err = err;
	err->status = BC_OK;
	err->msg[0] = '\0';

	if ((out = xmlOutputBufferCreateIO(exp_write, exp_close, &x,
	    NULL)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((x.w = xmlNewTextWriter(out)) == NULL) {
		xmlOutputBufferClose(out);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	if (xmlTextWriterSetIndent(x.w, 1) < 0 ||
	    xmlTextWriterSetIndentString(x.w, BAD_CAST "  ") < 0) {
		xmlFreeTextWriter(x.w);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	/* one read transaction: the document is one state of the store */
	if ((rc = bc_read_begin(s, err)) == BC_OK) {
		rc = exp_document(&x);
		bc_read_end(s);
	}
	xmlFreeTextWriter(x.w);		/* closes the output buffer */
	if (rc == BC_OK && (fflush(f) == EOF || ferror(f)))
		rc = bc_err_set(err, BC_EIO, "cannot write export: %s",
		    strerror(errno != 0 ? errno : EIO));
	return rc;
}
