/*
 * names.c -- enumeration names and the syntax of names, numbers and codes.
 */
#include <string.h>

#include "store-internal.h"

static const char *const dn_type_names[BC_DN_TYPE_COUNT] = {
	"extension",
	"acd-queue",
	"call-processing-port",
	"routing-point",
	"trunk",
	"voip-service",
};

static const char *const register_names[BC_REG_COUNT] = {
	"true",
	"false",
	"on-demand",
};

const char *
bc_dn_type_name(enum bc_dn_type t)
{
	if ((unsigned)t >= BC_DN_TYPE_COUNT)
		return "?";
	return dn_type_names[t];
}

int
bc_dn_type_parse(const char *s, enum bc_dn_type *out)
{
	int i;

	for (i = 0; i < BC_DN_TYPE_COUNT; i++)
		if (strcmp(s, dn_type_names[i]) == 0) {
			*out = (enum bc_dn_type)i;
			return 0;
		}
	return -1;
}

int
bc_dn_type_synchronized(enum bc_dn_type t)
{
	return t == BC_DN_EXTENSION || t == BC_DN_ACD_QUEUE ||
	    t == BC_DN_CALL_PROCESSING_PORT;
}

int
bc_dn_type_placeable(enum bc_dn_type t)
{
	return t == BC_DN_EXTENSION || t == BC_DN_CALL_PROCESSING_PORT;
}

const char *
bc_register_name(enum bc_register r)
{
	if ((unsigned)r >= BC_REG_COUNT)
		return "?";
	return register_names[r];
}

int
bc_register_parse(const char *s, enum bc_register *out)
{
	int i;

	for (i = 0; i < BC_REG_COUNT; i++)
		if (strcmp(s, register_names[i]) == 0) {
			*out = (enum bc_register)i;
			return 0;
		}
	return -1;
}

/*
 * Decodes the UTF-8 sequence at *p, whose lead byte is past ASCII, and
 * moves *p past it: its code point, or -1 when it is not a character XML
 * can carry in shortest-form UTF-8 (a bad byte sequence, an overlong
 * form, a surrogate, a code point past U+10FFFF, U+FFFE or U+FFFF).
 */
long
bc_utf8_decode(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned int cp;
	int more, i;

	if ((*s & 0xe0) == 0xc0) {
		cp = *s & 0x1f;
		more = 1;
	} else if ((*s & 0xf0) == 0xe0) {
		cp = *s & 0x0f;
		more = 2;
	} else if ((*s & 0xf8) == 0xf0) {
		cp = *s & 0x07;
		more = 3;
	} else
		return -1;
	for (i = 1; i <= more; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((more == 1 && cp < 0x80) || (more == 2 && cp < 0x800) ||
	    (more == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return -1;
	*p = s + more + 1;
	return (long)cp;
}

/*
 * Counts the characters of a UTF-8 string; -1 when it is not valid UTF-8
 * (bc_utf8_decode()) or holds a control character (C1 included).
 */
static long
utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0, cp;

	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return -1;
			p++;
		} else if ((cp = bc_utf8_decode(&p)) < 0 ||
		    (cp >= 0x80 && cp < 0xa0))
			return -1;
		n++;
	}
	return n;
}

int
bc_valid_text(const char *what, const char *s, size_t maxchars,
    struct bc_err *err)
{
	long n;

	n = utf8_chars(s);
	if (n < 0)
		return bc_err_set(err, BC_EINVAL, "%s is not valid UTF-8 text "
		    "(control character or bad byte sequence)", what);
	if ((size_t)n > maxchars)
		return bc_err_set(err, BC_EINVAL, "%s '%.40s...' is longer "
		    "than %zu characters", what, s, maxchars);
	return BC_OK;
}

int
bc_valid_name(const char *what, const char *s, int optional,
    struct bc_err *err)
{
	if (s == NULL) {
		if (optional)
			return BC_OK;
		return bc_err_set(err, BC_EINVAL, "%s is missing", what);
	}
	if (*s == '\0')
		return bc_err_set(err, BC_EINVAL, "%s is empty", what);
	return bc_valid_text(what, s, BC_NAME_MAX, err);
}

int
bc_valid_dn_number(const char *s, struct bc_err *err)
{
	const char *p;

	if (s == NULL || *s == '\0')
		return bc_err_set(err, BC_EINVAL, "dn number is empty");
	if (strlen(s) > BC_NAME_MAX)
		return bc_err_set(err, BC_EINVAL, "dn number '%.40s...' is "
		    "longer than %d characters", s, BC_NAME_MAX);
	for (p = s; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || strchr("*#+._-", *p) != NULL))
			return bc_err_set(err, BC_EINVAL, "dn number '%s' may "
			    "hold only digits, letters and * # + . _ -", s);
	return BC_OK;
}

int
bc_valid_login_code(const char *s, struct bc_err *err)
{
	const char *p;
	int rc;

	if (s == NULL || *s == '\0')
		return bc_err_set(err, BC_EINVAL, "agent login code is empty");
	if ((rc = bc_valid_text("agent login code", s, BC_NAME_MAX, err)))
		return rc;
	for (p = s; *p != '\0'; p++)
		if (*p == ' ' || *p == ':')
			return bc_err_set(err, BC_EINVAL, "agent login code "
			    "'%s' may not hold spaces or ':'", s);
	return BC_OK;
}
