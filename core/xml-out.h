/*
 * xml-out.h -- the buffered writer of the XML export (core/xml-out.c):
 * the bytes libxml2's xmlTextWriter wrote for the export's documents
 * (attributes escaped as xmlTextWriterWriteAttribute() escapes them),
 * without its per-call buffers.  Internal to the library.
 */
#ifndef BC_XML_OUT_H
#define BC_XML_OUT_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct bc_xml_out {
	FILE		*f;
	char		*buf;
	size_t		 len;		/* bytes waiting in buf */
	size_t		 cap;
	int		 werrno;	/* errno of the failed write, else 0 */
};

/* An empty writer to f; -1 when out of memory. */
int	bc_xml_out_init(struct bc_xml_out *, FILE *f);
/* Frees the buffer (what it still holds is not written). */
void	bc_xml_out_free(struct bc_xml_out *);
/* Writes what the buffer holds to f (fwrite; f is not flushed). */
int	bc_xml_out_flush(struct bc_xml_out *);

/*
 * Whether value can be carried by an XML 1.0 attribute: no control
 * character other than tab, newline and carriage return, and only
 * characters of XML's Char production, in shortest-form UTF-8.
 */
int	bc_xml_out_safe(const char *value);

/*
 * s as an error message may show it: s itself when XML can carry it
 * (bc_xml_out_safe()), else a copy in buf (n bytes, truncated) with every
 * byte outside printable ASCII written \xNN.
 */
const char *bc_xml_out_shown(const char *s, char *buf, size_t n);

/*
 * The error of a value bc_xml_out_attr() refused (BC_EINVAL): "KIND 'ID':
 * NAME cannot be written as XML (...)", id shown by bc_xml_out_shown().
 */
struct bc_err;
int	bc_xml_out_refused(struct bc_err *, const char *kind, const char *id,
	    const char *name);

/*
 * Appends n bytes; 0, or -1 when a write failed (werrno says why).
 * Most of the writer's output goes through here.
 */
int	bc_xml_out_grow(struct bc_xml_out *, size_t n);
static inline int
bc_xml_out_raw(struct bc_xml_out *o, const char *s, size_t n)
{
	if (o->cap - o->len < n && bc_xml_out_grow(o, n) != 0)
		return -1;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return 0;
}
/* A string literal. */
#define BC_XML_OUT_LIT(o, lit)	bc_xml_out_raw((o), (lit), sizeof(lit) - 1)

/*
 * Appends ' name="value"', value escaped as libxml2's writer escapes an
 * attribute: & < > " as entities, tab, newline and carriage return as
 * character references, everything else (UTF-8 included) as is.
 * 0; 1 when value is not safe (bc_xml_out_safe(), nothing appended); -1
 * when a write failed.
 */
int	bc_xml_out_attr(struct bc_xml_out *, const char *name,
	    const char *value);

#endif
