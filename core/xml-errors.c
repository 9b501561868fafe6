/*
 * xml-errors.c -- keeps libxml2's context-less errors off stderr
 * while the library parses (core/xml-errors.h).
 */
#include <libxml/globals.h>

#include "xml-errors.h"

/* Errors nobody asked for are dropped: the parser reports its own. */
static void
drop_structured(void *arg, xmlErrorPtr e)
{
	(void)arg;
	(void)e;
}

static void
drop_generic(void *arg, const char *fmt, ...)
{
	(void)arg;
	(void)fmt;
}

void
bc_xml_errors_catch(struct bc_xml_errors *q, xmlStructuredErrorFunc fn,
    void *arg)
{
	q->serror = xmlStructuredError;
	q->sctx = xmlStructuredErrorContext;
	q->generic = xmlGenericError;
	q->gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(arg, fn != NULL ? fn : drop_structured);
	xmlSetGenericErrorFunc(NULL, drop_generic);
}

void
bc_xml_errors_restore(const struct bc_xml_errors *q)
{
	xmlSetStructuredErrorFunc(q->sctx, q->serror);
	xmlSetGenericErrorFunc(q->gctx, q->generic);
}
