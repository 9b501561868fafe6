/*
 * xml-errors.h -- libxml2's errors that have no parser context
 * (encoding conversion, I/O) go to its per-thread handlers, by default
 * to stderr.  The library never writes there: while it parses, those
 * handlers are the caller's, and put back afterwards.
 */
#ifndef BC_XML_ERRORS_H
#define BC_XML_ERRORS_H

#include <libxml/xmlerror.h>

struct bc_xml_errors {
	xmlStructuredErrorFunc	 serror;	/* the thread's, saved */
	void			*sctx;
	xmlGenericErrorFunc	 generic;
	void			*gctx;
};

/* Sends the thread's context-less errors to fn(arg, error); fn may be NULL. */
void	bc_xml_errors_catch(struct bc_xml_errors *, xmlStructuredErrorFunc fn,
	    void *arg);
/* Puts back the handlers bc_xml_errors_catch() saved. */
void	bc_xml_errors_restore(const struct bc_xml_errors *);

#endif
