/*
 * conf.c -- bc.conf, the INI file every sipbc program reads (inih).
 * Unknown sections and keys are errors: a typo must not pass silently.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "bc.h"

struct conf_parse {
	struct bc_conf	*conf;
	FILE		*f;
	int		 line;		/* lines read so far */
	int		 bad_line;	/* unknown section seen by reader() */
	char		 why[256];	/* reason of the first error */
};

static const char *const sections[] = { "site", "peer", NULL };

static int
set_string(char **field, const char *value, struct conf_parse *cp)
{
	char *copy;

	if ((copy = strdup(value)) == NULL) {
		snprintf(cp->why, sizeof(cp->why), "out of memory");
		return 0;
	}
	free(*field);
	*field = copy;
	return 1;
}

static int
set_millis(int *field, const char *name, const char *value,
    struct conf_parse *cp)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0 || v < 0 ||
	    v > INT_MAX) {
		snprintf(cp->why, sizeof(cp->why), "%s '%s' is not a number "
		    "of milliseconds", name, value);
		return 0;
	}
	*field = (int)v;
	return 1;
}

/* inih handler: returns 0 to stop at this line with cp->why set. */
static int
handler(void *arg, const char *section, const char *name, const char *value)
{
	struct conf_parse *cp = arg;
	struct bc_conf *c = cp->conf;

	if (strcmp(section, "site") == 0) {
		if (strcmp(name, "name") == 0)
			return set_string(&c->site_name, value, cp);
		if (strcmp(name, "store") == 0)
			return set_string(&c->site_store, value, cp);
		if (strcmp(name, "busy_timeout") == 0)
			return set_millis(&c->busy_timeout, name, value, cp);
		snprintf(cp->why, sizeof(cp->why), "unknown key '%s' in "
		    "section [%s]", name, section);
		return 0;
	}
	if (strcmp(section, "peer") == 0) {
		if (strcmp(name, "name") == 0)
			return set_string(&c->peer_name, value, cp);
		if (strcmp(name, "store") == 0)
			return set_string(&c->peer_store, value, cp);
		snprintf(cp->why, sizeof(cp->why), "unknown key '%s' in "
		    "section [%s]", name, section);
		return 0;
	}
	snprintf(cp->why, sizeof(cp->why), "unknown section [%s]", section);
	return 0;
}

/*
 * inih line reader: sees every line, so a section header is checked even
 * when no key follows it (inih calls the handler only for keys).
 */
static char *
reader(char *str, int num, void *arg)
{
	struct conf_parse *cp = arg;
	const char *p, *end;
	int i;

	if (fgets(str, num, cp->f) == NULL)
		return NULL;
	cp->line++;
	for (p = str; *p == ' ' || *p == '\t'; p++)
		;
	if (*p != '[' || (end = strchr(p, ']')) == NULL)
		return str;
	for (i = 0; sections[i] != NULL; i++)
		if ((size_t)(end - p - 1) == strlen(sections[i]) &&
		    strncmp(p + 1, sections[i], strlen(sections[i])) == 0)
			return str;
	snprintf(cp->why, sizeof(cp->why), "unknown section [%.*s]",
	    (int)(end - p - 1), p + 1);
	cp->bad_line = cp->line;
	return NULL;
}

void
bc_conf_init(struct bc_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->busy_timeout = BC_BUSY_TIMEOUT_DEFAULT;
}

int
bc_conf_load(struct bc_conf *c, const char *path, struct bc_err *err)
{
	struct conf_parse cp;
	FILE *f;
	int line;

	memset(&cp, 0, sizeof(cp));
	cp.conf = c;
	free(c->path);
	if ((c->path = strdup(path)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((f = fopen(path, "r")) == NULL)
		return bc_err_set(err, BC_ECONFIG, "cannot read configuration "
		    "'%s': %s", path, strerror(errno));
	cp.f = f;
	line = ini_parse_stream(reader, &cp, handler, &cp);
	if (line == 0 && cp.bad_line > 0)
		line = cp.bad_line;
	if (line == 0 && ferror(f))
		line = -1;	/* a directory, an I/O error */
	fclose(f);
	if (line > 0)
		return bc_err_set(err, BC_ECONFIG, "%s:%d: %s", path, line,
		    cp.why[0] != '\0' ? cp.why : "syntax error");
	if (line < 0)
		return bc_err_set(err, BC_ECONFIG, "cannot read configuration "
		    "'%s'", path);
	return BC_OK;
}

void
bc_conf_clear(struct bc_conf *c)
{
	free(c->path);
	free(c->site_name);
	free(c->site_store);
	free(c->peer_name);
	free(c->peer_store);
	bc_conf_init(c);
}
