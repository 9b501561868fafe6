/*
 * test-conf.c -- bc_conf_load() on temporary INI files.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/*
 * Writes text to a file in a fresh temp dir and loads it.  Returns the
 * status; *dirp and *pathp are for the caller to free (unit_rmdir).
 */
static int
load_text(const char *text, struct bc_conf *c, struct bc_err *err,
    char **dirp, char **pathp)
{
	*pathp = NULL;
	bc_conf_init(c);
	memset(err, 0, sizeof(*err));
	if ((*dirp = unit_tmpdir()) == NULL)
		return -1;
	*pathp = unit_path(*dirp, "bc.conf");
	if (!TRUE_MSG(unit_write_file(*pathp, text) == 0, "cannot write %s",
	    *pathp))
		return -1;
	return bc_conf_load(c, *pathp, err);
}

static void
done(struct bc_conf *c, char *dir, char *path)
{
	bc_conf_clear(c);
	free(path);
	unit_rmdir(dir);
}

static void
test_init_defaults(void)
{
	struct bc_conf c;

	memset(&c, 0x5a, sizeof(c));
	bc_conf_init(&c);
	STR_EQ(c.path, NULL);
	STR_EQ(c.site_name, NULL);
	STR_EQ(c.site_store, NULL);
	INT_EQ(c.busy_timeout, BC_BUSY_TIMEOUT_DEFAULT);
	bc_conf_clear(&c);
}

static void
test_good_file(void)
{
	struct bc_conf c;
	struct bc_err err;
	char *dir, *path;
	int rc;

	rc = load_text(
	    "; sipbc configuration\n"
	    "# comment\n"
	    "\n"
	    "[site]\n"
	    "name = east \xe6\x9d\xb1\n"
	    "store = /var/lib/sipbc/east site.db\n"
	    "busy_timeout = 2500\n", &c, &err, &dir, &path);
	if (ST_GOT(rc, BC_OK, &err)) {
		STR_EQ(c.path, path);
		STR_EQ(c.site_name, "east \xe6\x9d\xb1");
		STR_EQ(c.site_store, "/var/lib/sipbc/east site.db");
		INT_EQ(c.busy_timeout, 2500);
	}
	done(&c, dir, path);

	/* busy_timeout omitted: the default */
	rc = load_text("[site]\nstore=/tmp/x.db\n", &c, &err, &dir, &path);
	if (ST_GOT(rc, BC_OK, &err)) {
		STR_EQ(c.site_name, NULL);
		STR_EQ(c.site_store, "/tmp/x.db");
		INT_EQ(c.busy_timeout, BC_BUSY_TIMEOUT_DEFAULT);
	}
	done(&c, dir, path);

	/* an empty file is a valid configuration */
	rc = load_text("", &c, &err, &dir, &path);
	if (ST_GOT(rc, BC_OK, &err)) {
		STR_EQ(c.site_store, NULL);
		INT_EQ(c.busy_timeout, BC_BUSY_TIMEOUT_DEFAULT);
	}
	done(&c, dir, path);
}

/* rc is BC_ECONFIG with "PATH:LINE" and needle in the message. */
static void
want_error(const char *text, int line, const char *needle)
{
	struct bc_conf c;
	struct bc_err err;
	char *dir, *path, where[1200];
	int rc;

	rc = load_text(text, &c, &err, &dir, &path);
	if (path != NULL && ST_GOT(rc, BC_ECONFIG, &err)) {
		snprintf(where, sizeof(where), "%s:%d", path, line);
		TRUE_MSG(strstr(err.msg, where) != NULL,
		    "message '%s' does not say '%s'", err.msg, where);
		if (needle != NULL)
			TRUE_MSG(strstr(err.msg, needle) != NULL,
			    "message '%s' does not mention '%s'", err.msg,
			    needle);
	}
	done(&c, dir, path);
}

static void
test_unknown_key(void)
{
	want_error("[site]\nname = east\ncolour = red\n", 3, "colour");
	want_error("# c\n\n[site]\n\nstore = /x\n\nname = e\nbusy = 5\n", 8,
	    "busy");
}

static void
test_unknown_section(void)
{
	struct bc_conf c;
	struct bc_err err;
	char *dir, *path;
	int rc;

	want_error("[site]\nname = east\n[nosuch]\nname = west\n", 3,
	    "nosuch");
	/* an unknown section with no keys is still an unknown section */
	rc = load_text("[site]\nname = east\n[other]\n", &c, &err, &dir,
	    &path);
	STM_GOT(rc, BC_ECONFIG, &err, "other");
	done(&c, dir, path);
}

static void
test_syntax_errors(void)
{
	want_error("[site]\nname = east\nthis line has no equals sign\n", 3,
	    NULL);
	want_error("name = east\n", 1, NULL);	/* key outside a section */
	want_error("[site\nname = east\n", 1, NULL);
}

static void
test_missing_file(void)
{
	struct bc_conf c;
	struct bc_err err;
	char *dir, *path;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "absent.conf");
	bc_conf_init(&c);
	STM(bc_conf_load(&c, path, &err), BC_ECONFIG, &err, path);
	bc_conf_clear(&c);
	/* a directory is not a configuration file */
	bc_conf_init(&c);
	ST(bc_conf_load(&c, dir, &err), BC_ECONFIG, &err);
	bc_conf_clear(&c);
	free(path);
	unit_rmdir(dir);
}

static void
test_busy_timeout(void)
{
	static const struct { const char *v; int ok, want; } cases[] = {
		{ "0", 1, 0 },
		{ "1", 1, 1 },
		{ "250", 1, 250 },
		{ "  750  ", 1, 750 },
		{ "600000", 1, 600000 },
		{ "2147483648", 0, 0 },
		{ "99999999999999999999", 0, 0 },
		{ "-1", 0, 0 },
		{ "abc", 0, 0 },
		{ "100ms", 0, 0 },
		{ "1.5", 0, 0 },
		{ "0x10", 0, 0 },
		{ "", 0, 0 },
	};
	struct bc_conf c;
	struct bc_err err;
	char *dir, *path, text[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[site]\nstore = /x.db\n"
		    "busy_timeout = %s\n", cases[i].v);
		rc = load_text(text, &c, &err, &dir, &path);
		if (cases[i].ok) {
			if (TRUE_MSG(rc == BC_OK, "busy_timeout '%s': %s "
			    "[%s]", cases[i].v, unit_status_str(rc), err.msg))
				TRUE_MSG(c.busy_timeout == cases[i].want,
				    "busy_timeout '%s' read as %d",
				    cases[i].v, c.busy_timeout);
		} else {
			TRUE_MSG(rc == BC_ECONFIG, "busy_timeout '%s': want "
			    "BC_ECONFIG, got %s", cases[i].v,
			    unit_status_str(rc));
			if (rc == BC_ECONFIG)
				TRUE_MSG(strstr(err.msg, ":3") != NULL,
				    "busy_timeout '%s': no line 3 in '%s'",
				    cases[i].v, err.msg);
		}
		done(&c, dir, path);
	}
}

int
suite_conf(void)
{
	static const struct unit_test tests[] = {
		{ "init_defaults", test_init_defaults },
		{ "good_file", test_good_file },
		{ "unknown_key", test_unknown_key },
		{ "unknown_section", test_unknown_section },
		{ "syntax_errors", test_syntax_errors },
		{ "missing_file", test_missing_file },
		{ "busy_timeout", test_busy_timeout },
		{ NULL, NULL }
	};

	return unit_add_suite("conf", tests);
}
