/*
 * bc-xml.h -- a site store as an XML document (format 1, namespace
 * urn:sipbc:site:1, schema/sipbc-site.xsd, described in sipbc-site(5)).
 *
 * Export writes the whole store, or its synchronized objects, as one
 * document in a stable order, streaming: memory does not grow with the
 * store.  Import validates a document against the schema (embedded in
 * the library) while it reads it and applies every object in one
 * transaction: on any error the store is unchanged.
 *
 * Of the codec, only core/xml-out.c (xmlCheckUTF8) and core/xml-import.c
 * include libxml2 headers.
 * The importer sets no process-wide libxml2 state: it relies on parser
 * options alone (no network, no DTD loading, no entity substitution, no
 * XML_PARSE_HUGE) and refuses any document type declaration.  Programs
 * that parse other XML in the same process keep their own settings.
 *
 * The same element shapes are meant for the payload of the replication
 * daemon; keep them here, not in a program.
 */
#ifndef BC_XML_H
#define BC_XML_H

#include <stdio.h>

#include "bc.h"

#define BC_XML_NS	"urn:sipbc:site:1"
#define BC_XML_FORMAT	1

/* Export flags. */
#define BC_XML_SYNCHRONIZED_ONLY 0x1	/* leave out site-local DN types */

/*
 * Writes the store as one indented UTF-8 document to f, in one read
 * transaction: logins by code, DNs by (type, number), places by name,
 * persons by user name.  Passwords are written in clear.  BC_EIO when
 * f cannot be written; f is flushed, not closed.
 */
int	bc_xml_export(bc_store *, FILE *f, unsigned flags, struct bc_err *);

/* Import flags. */
#define BC_XML_DRY_RUN	0x1	/* do everything, then roll back */
#define BC_XML_REPLACE	0x2	/* also delete objects absent from the file */

/*
 * Called once per object the import creates, changes or deletes, in the
 * order of the changes: action is "create", "update" or "delete", kind
 * "login", "dn", "place" or "person", id the object's identity ("5001"
 * for a DN is written "extension:5001").  A non-zero return stops the
 * import, which then fails with that value as status.
 */
typedef int (*bc_xml_change_cb)(const char *action, const char *kind,
    const char *id, void *arg);

/*
 * Imports the document read from fd; name is the file name used in
 * messages ("FILE:LINE:COLUMN: what is wrong").  Creates or updates
 * every object of the document and, with BC_XML_REPLACE, deletes those
 * absent from it, in one transaction (a level of the caller's when one
 * is open).  An object that already matches the document is not
 * written and not reported.  *nchanges (may be NULL) receives the
 * number of changes.  A document that is not well-formed or not valid
 * is BC_EINVAL; a broken rule of the store BC_ERULE (or the status of
 * the library call that refused it), with the line of the element.
 * fd is not closed.
 */
int	bc_xml_import_fd(bc_store *, int fd, const char *name, unsigned flags,
	    bc_xml_change_cb, void *, size_t *nchanges, struct bc_err *);
/* The same for a file name; "-" is not special here. */
int	bc_xml_import_file(bc_store *, const char *path, unsigned flags,
	    bc_xml_change_cb, void *, size_t *nchanges, struct bc_err *);
/* The same for a document in memory (tests, fuzzing, the daemon). */
int	bc_xml_import_mem(bc_store *, const char *buf, size_t len,
	    const char *name, unsigned flags, bc_xml_change_cb, void *,
	    size_t *nchanges, struct bc_err *);

#endif /* BC_XML_H */
