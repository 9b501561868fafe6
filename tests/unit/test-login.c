/*
 * test-login.c -- agent logins: create/read/update/delete with every
 * field and options, codes, holder, foreach.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define CODE	"ag\"1'x#"
#define LPW	"pa ss \"\xc3\xa9\" 'q'"

static void
test_crud_all_fields(void)
{
	struct fx f;
	struct bc_login l, g;

	if (fx_setup(&f) != 0)
		return;
	bc_login_init(&l);
	STR_EQ(l.code, NULL);
	INT_EQ(l.use_override, 0);
	INT_EQ(l.enabled, 1);
	INT_EQ(l.options.n, 0);
	STR_EQ(l.person, NULL);
	l.code = strdup(CODE);
	l.password = strdup(LPW);
	l.override = strdup("OVR 1 \xe6\x9d\xb1");
	l.use_override = 1;
	l.enabled = 0;
	ST(bc_options_set(&l.options, "TServer", "agent-type", "x y",
	    &f.err), BC_OK, &f.err);
	ST(bc_options_set(&l.options, "Sec \xc3\xa9", "k", "\"v\"", &f.err),
	    BC_OK, &f.err);
	ST(bc_login_add(f.s, &l, &f.err), BC_OK, &f.err);

	bc_login_init(&g);
	if (ST(bc_login_get(f.s, CODE, &g, &f.err), BC_OK, &f.err)) {
		STR_EQ(g.code, CODE);
		STR_EQ(g.password, LPW);
		STR_EQ(g.override, "OVR 1 \xe6\x9d\xb1");
		INT_EQ(g.use_override, 1);
		INT_EQ(g.enabled, 0);
		STR_EQ(g.person, NULL);
		INT_EQ(g.options.n, 2);
		STR_EQ(bc_options_get(&g.options, "TServer", "agent-type"),
		    "x y");
		STR_EQ(bc_options_get(&g.options, "Sec \xc3\xa9", "k"),
		    "\"v\"");
	}
	bc_login_clear(&g);

	/* update replaces every field; person is read-only */
	free(l.password);
	l.password = NULL;
	free(l.override);
	l.override = NULL;
	l.use_override = 0;
	l.enabled = 1;
	l.person = strdup("somebody");
	ST(bc_options_set(&l.options, "TServer", "agent-type", NULL, &f.err),
	    BC_OK, &f.err);
	ST(bc_login_update(f.s, &l, &f.err), BC_OK, &f.err);
	bc_login_init(&g);
	if (ST(bc_login_get(f.s, CODE, &g, &f.err), BC_OK, &f.err)) {
		STR_EQ(g.password, NULL);
		STR_EQ(g.override, NULL);
		INT_EQ(g.use_override, 0);
		INT_EQ(g.enabled, 1);
		STR_EQ(g.person, NULL);
		INT_EQ(g.options.n, 1);
		STR_EQ(bc_options_get(&g.options, "TServer", "agent-type"),
		    NULL);
		STR_EQ(bc_options_get(&g.options, "Sec \xc3\xa9", "k"),
		    "\"v\"");
	}
	bc_login_clear(&g);

	ST(bc_login_delete(f.s, CODE, &f.err), BC_OK, &f.err);
	bc_login_init(&g);
	STM(bc_login_get(f.s, CODE, &g, &f.err), BC_ENOENT, &f.err, CODE);
	bc_login_clear(&g);
	STM(bc_login_delete(f.s, CODE, &f.err), BC_ENOENT, &f.err, CODE);
	STM(bc_login_update(f.s, &l, &f.err), BC_ENOENT, &f.err, CODE);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM login_option"), 0);
	bc_login_clear(&l);
	fx_teardown(&f);
}

static void
test_codes(void)
{
	struct fx f;
	struct bc_login g;
	char *c255, *c256;
	static const char *const bad[] = {
		"", "a b", " a", "a\t", "a\nb", "a:b", ":", "\xff",
		"abc\xc3", "\xc0\xaf", "a\x7f", NULL
	};
	size_t i;

	if (fx_setup(&f) != 0)
		return;
	c255 = unit_repeat("9", 255);
	c256 = unit_repeat("9", 256);
	ST(mk_login(f.s, c255, &f.err), BC_OK, &f.err);
	ST(mk_login(f.s, c256, &f.err), BC_EINVAL, &f.err);
	ST(mk_login(f.s, "!\"#$%&'()*+,-./;<=>?@[\\]^_`{|}~", &f.err), BC_OK,
	    &f.err);
	/* printable non-ASCII */
	ST(mk_login(f.s, "\xc3\xa9t\xc3\xa9-\xe6\x9d\xb1", &f.err), BC_OK,
	    &f.err);
	for (i = 0; bad[i] != NULL; i++)
		TRUE_MSG(mk_login(f.s, bad[i], &f.err) == BC_EINVAL,
		    "login code #%zu not refused with BC_EINVAL", i);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM agent_login"), 3);
	bc_login_init(&g);
	if (ST(bc_login_get(f.s, "\xc3\xa9t\xc3\xa9-\xe6\x9d\xb1", &g, &f.err),
	    BC_OK, &f.err))
		STR_EQ(g.code, "\xc3\xa9t\xc3\xa9-\xe6\x9d\xb1");
	bc_login_clear(&g);
	bc_login_init(&g);
	if (ST(bc_login_get(f.s, c255, &g, &f.err), BC_OK, &f.err))
		STR_EQ(g.code, c255);
	bc_login_clear(&g);
	free(c255);
	free(c256);
	fx_teardown(&f);
}

static void
test_duplicate_and_missing(void)
{
	struct fx f;
	struct bc_login g;
	char *before, *after;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_login(f.s, "1001", &f.err), BC_OK, &f.err);
	before = raw_snapshot(f.path);
	STM(mk_login(f.s, "1001", &f.err), BC_EEXIST, &f.err, "1001");
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);
	free(before);
	bc_login_init(&g);
	ST(bc_login_get(f.s, "1002", &g, &f.err), BC_ENOENT, &f.err);
	bc_login_clear(&g);
	bc_login_init(&g);
	g.code = strdup("1002");
	ST(bc_login_update(f.s, &g, &f.err), BC_ENOENT, &f.err);
	bc_login_clear(&g);
	ST(bc_login_delete(f.s, "1002", &f.err), BC_ENOENT, &f.err);
	fx_teardown(&f);
}

struct lwalk {
	int	n, stop_at;
	char	codes[16][16];
	char	persons[16][16];
};

static int
lwalk_cb(const struct bc_login *l, void *arg)
{
	struct lwalk *w = arg;

	if (w->n < 16) {
		snprintf(w->codes[w->n], sizeof(w->codes[0]), "%s", l->code);
		snprintf(w->persons[w->n], sizeof(w->persons[0]), "%s",
		    l->person ? l->person : "-");
	}
	w->n++;
	return w->n == w->stop_at ? 1 : 0;
}

static void
test_foreach(void)
{
	struct fx f;
	struct lwalk w;
	const char *const l2[] = { "1002", NULL };

	if (fx_setup(&f) != 0)
		return;
	memset(&w, 0, sizeof(w));
	ST(bc_login_foreach(f.s, lwalk_cb, &w, &f.err), BC_OK, &f.err);
	INT_EQ(w.n, 0);
	ST(mk_login(f.s, "1003", &f.err), BC_OK, &f.err);
	ST(mk_login(f.s, "1001", &f.err), BC_OK, &f.err);
	ST(mk_login(f.s, "1002", &f.err), BC_OK, &f.err);
	ST(mk_person(f.s, "ann", 1, NULL, l2, &f.err), BC_OK, &f.err);

	memset(&w, 0, sizeof(w));
	ST(bc_login_foreach(f.s, lwalk_cb, &w, &f.err), BC_OK, &f.err);
	if (INT_EQ(w.n, 3)) {
		STR_EQ(w.codes[0], "1001");
		STR_EQ(w.codes[1], "1002");
		STR_EQ(w.codes[2], "1003");
		STR_EQ(w.persons[0], "-");
		STR_EQ(w.persons[1], "ann");
		STR_EQ(w.persons[2], "-");
	}
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	INT_EQ(bc_login_foreach(f.s, lwalk_cb, &w, &f.err), 1);
	INT_EQ(w.n, 2);
	fx_teardown(&f);
}

int
suite_login(void)
{
	static const struct unit_test tests[] = {
		{ "crud_all_fields", test_crud_all_fields },
		{ "codes", test_codes },
		{ "duplicate_and_missing", test_duplicate_and_missing },
		{ "foreach", test_foreach },
		{ NULL, NULL }
	};

	return unit_add_suite("login", tests);
}
