/*
 * xml-out.c -- the buffered writer of the XML export (xml-out.h).
 *
 * The export used libxml2's xmlTextWriter, which copies every string
 * through several buffers of its own; this writer produces the same
 * bytes for the export's documents with one buffer.  Attribute values
 * are escaped as xmlTextWriterWriteAttribute() escapes them in a
 * document declared UTF-8 (libxml2's xmlBufAttrSerializeTxtContent()):
 * the CUnit tests (tests/xml/test-writer.c) compare both, byte by byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "xml-out.h"

#define OUT_SIZE	(256 * 1024)

int
bc_xml_out_init(struct bc_xml_out *o, FILE *f)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	if ((o->buf = malloc(OUT_SIZE)) == NULL)
		return -1;
	o->cap = OUT_SIZE;
	return 0;
}

void
bc_xml_out_free(struct bc_xml_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

int
bc_xml_out_flush(struct bc_xml_out *o)
{
	if (o->werrno != 0)
		return -1;
	if (o->len > 0 && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		o->werrno = errno != 0 ? errno : EIO;
		return -1;
	}
	o->len = 0;
	return 0;
}

/*
 * Makes room for n more bytes: writes the buffer out, and grows it when
 * n alone does not fit (a value longer than the buffer: it then stays
 * that large until the end of the export).
 */
int
bc_xml_out_grow(struct bc_xml_out *o, size_t n)
{
	char *nb;

	if (bc_xml_out_flush(o) != 0)
		return -1;
	if (n > o->cap) {
		if ((nb = realloc(o->buf, n)) == NULL) {
			o->werrno = ENOMEM;
			return -1;
		}
		o->buf = nb;
		o->cap = n;
	}
	return 0;
}

/*
 * Bytes each byte takes in an attribute value: 1 as is, more escaped, 0
 * when XML 1.0 cannot carry it (control characters; NUL ends the value).
 */
static const unsigned char esc_len[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 5, 0, 0, 5, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 6, 1, 1, 1, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 1, 4, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * Scans value: its length (*n), the length escaped (*esc), whether it
 * has a byte past ASCII (*high); -1 when it holds a control character.
 */
static int
scan(const char *value, size_t *n, size_t *esc, int *high)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t i, e = 0;
	unsigned char bits = 0, l;

	for (i = 0; p[i] != '\0'; i++) {
		if ((l = esc_len[p[i]]) == 0)
			return -1;
		e += l;
		bits |= p[i];
	}
	*n = i;
	*esc = e;
	*high = (bits & 0x80) != 0;
	return 0;
}

/*
 * Whether the bytes past ASCII of value are characters XML 1.0 can carry
 * (bc_utf8_decode()).  libxml2's xmlCheckUTF8() checks the byte patterns
 * only, and its parser then refuses a document holding what it let
 * through (overlong forms, surrogates, U+FFFE, U+FFFF).
 */
static int
xml_utf8(const char *value)
{
	const unsigned char *p = (const unsigned char *)value;

	while (*p != '\0')
		if (*p < 0x80)
			p++;
		else if (bc_utf8_decode(&p) < 0)
			return 0;
	return 1;
}

int
bc_xml_out_safe(const char *value)
{
	size_t n, esc;
	int high;

	if (scan(value, &n, &esc, &high) != 0)
		return 0;
	return !high || xml_utf8(value);
}

const char *
bc_xml_out_shown(const char *s, char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t j = 0;

	if (bc_xml_out_safe(s) || n == 0)
		return n == 0 ? "" : s;
	for (p = (const unsigned char *)s; *p != '\0' && j + 5 <= n; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			buf[j++] = (char)*p;
		else {
			buf[j++] = '\\';
			buf[j++] = 'x';
			buf[j++] = hex[*p >> 4];
			buf[j++] = hex[*p & 0xf];
		}
	}
	buf[j] = '\0';
	return buf;
}

int
bc_xml_out_refused(struct bc_err *err, const char *kind, const char *id,
    const char *name)
{
	char shown[128];

	return bc_err_set(err, BC_EINVAL, "%s '%s': %s cannot be written as "
	    "XML (control character or invalid UTF-8)", kind,
	    bc_xml_out_shown(id, shown, sizeof(shown)), name);
}

int
bc_xml_out_attr(struct bc_xml_out *o, const char *name, const char *value)
{
	const unsigned char *p;
	size_t n, esc, nlen, need;
	int high;
	char *d;

	if (scan(value, &n, &esc, &high) != 0)
		return 1;
	if (high && !xml_utf8(value))
		return 1;
	nlen = strlen(name);
	need = 1 + nlen + 2 + esc + 1;		/*  name="..." */
	if (o->cap - o->len < need && bc_xml_out_grow(o, need) != 0)
		return -1;
	d = o->buf + o->len;
	*d++ = ' ';
	memcpy(d, name, nlen);
	d += nlen;
	*d++ = '=';
	*d++ = '"';
	if (esc == n) {
		memcpy(d, value, n);
		d += n;
	} else
		for (p = (const unsigned char *)value; *p != '\0'; p++)
			switch (*p) {
			case '<':	memcpy(d, "&lt;", 4); d += 4; break;
			case '>':	memcpy(d, "&gt;", 4); d += 4; break;
			case '&':	memcpy(d, "&amp;", 5); d += 5; break;
			case '"':	memcpy(d, "&quot;", 6); d += 6; break;
			case '\t':	memcpy(d, "&#9;", 4); d += 4; break;
			case '\n':	memcpy(d, "&#10;", 5); d += 5; break;
			case '\r':	memcpy(d, "&#13;", 5); d += 5; break;
			default:	*d++ = (char)*p; break;
			}
	*d++ = '"';
	o->len = (size_t)(d - o->buf);
	return 0;
}
