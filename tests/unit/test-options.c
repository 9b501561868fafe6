/*
 * test-options.c -- annex options: bc_options_set/apply/get/clear and
 * their validation.  No store involved.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void
test_set_get(void)
{
	struct bc_options o = { NULL, 0 };
	struct bc_err err;

	STR_EQ(bc_options_get(&o, "TServer", "dr-forward"), NULL);
	ST(bc_options_set(&o, "TServer", "dr-forward", "no-agent", &err),
	    BC_OK, &err);
	INT_EQ(o.n, 1);
	STR_EQ(bc_options_get(&o, "TServer", "dr-forward"), "no-agent");
	/* overwrite */
	ST(bc_options_set(&o, "TServer", "dr-forward", "oos", &err), BC_OK,
	    &err);
	INT_EQ(o.n, 1);
	STR_EQ(bc_options_get(&o, "TServer", "dr-forward"), "oos");
	/* another key, another section; keys are per section */
	ST(bc_options_set(&o, "TServer", "oos-check", "10", &err), BC_OK,
	    &err);
	ST(bc_options_set(&o, "Other", "dr-forward", "off", &err), BC_OK,
	    &err);
	INT_EQ(o.n, 3);
	STR_EQ(bc_options_get(&o, "TServer", "dr-forward"), "oos");
	STR_EQ(bc_options_get(&o, "Other", "dr-forward"), "off");
	STR_EQ(bc_options_get(&o, "TServer", "oos-check"), "10");
	STR_EQ(bc_options_get(&o, "TServer", "nope"), NULL);
	STR_EQ(bc_options_get(&o, "Nope", "oos-check"), NULL);
	/* names are case sensitive */
	STR_EQ(bc_options_get(&o, "tserver", "dr-forward"), NULL);
	/* remove */
	ST(bc_options_set(&o, "TServer", "dr-forward", NULL, &err), BC_OK,
	    &err);
	INT_EQ(o.n, 2);
	STR_EQ(bc_options_get(&o, "TServer", "dr-forward"), NULL);
	STR_EQ(bc_options_get(&o, "Other", "dr-forward"), "off");
	ST(bc_options_set(&o, "TServer", "never-set", NULL, &err), BC_OK,
	    &err);
	INT_EQ(o.n, 2);
	/* clear, then use again */
	bc_options_clear(&o);
	INT_EQ(o.n, 0);
	STR_EQ(bc_options_get(&o, "Other", "dr-forward"), NULL);
	ST(bc_options_set(&o, "a", "b", "c", &err), BC_OK, &err);
	STR_EQ(bc_options_get(&o, "a", "b"), "c");
	bc_options_clear(&o);
}

static void
test_exact_text(void)
{
	struct bc_options o = { NULL, 0 };
	struct bc_err err;
	const char *sec = "Sec \"tion\" \xc3\xa9";
	const char *key = "k 'e' y \xe6\x9d\xb1";
	const char *val = "v = a/l \"u\" e \xe2\x80\x93 '";

	ST(bc_options_set(&o, sec, key, val, &err), BC_OK, &err);
	STR_EQ(bc_options_get(&o, sec, key), val);
	if (INT_EQ(o.n, 1)) {
		STR_EQ(o.v[0].section, sec);
		STR_EQ(o.v[0].key, key);
		STR_EQ(o.v[0].value, val);
	}
	bc_options_clear(&o);
}

static void
test_apply(void)
{
	struct bc_options o = { NULL, 0 };
	struct bc_err err;

	ST(bc_options_apply(&o, "TServer/dr-forward=no-agent", &err), BC_OK,
	    &err);
	STR_EQ(bc_options_get(&o, "TServer", "dr-forward"), "no-agent");
	ST(bc_options_apply(&o, "TServer/dr-forward=oos", &err), BC_OK, &err);
	STR_EQ(bc_options_get(&o, "TServer", "dr-forward"), "oos");
	INT_EQ(o.n, 1);
	/* the value runs to the end: '=' and '/' in it */
	ST(bc_options_apply(&o, "TServer/uri=sip:a@b;x=y/z=", &err), BC_OK,
	    &err);
	STR_EQ(bc_options_get(&o, "TServer", "uri"), "sip:a@b;x=y/z=");
	ST(bc_options_apply(&o, "Sec \xc3\xa9/k ey=v al \"q\"", &err), BC_OK,
	    &err);
	STR_EQ(bc_options_get(&o, "Sec \xc3\xa9", "k ey"), "v al \"q\"");
	INT_EQ(o.n, 3);
	/* S/K= removes */
	ST(bc_options_apply(&o, "TServer/dr-forward=", &err), BC_OK, &err);
	STR_EQ(bc_options_get(&o, "TServer", "dr-forward"), NULL);
	INT_EQ(o.n, 2);
	ST(bc_options_apply(&o, "TServer/absent=", &err), BC_OK, &err);
	INT_EQ(o.n, 2);
	bc_options_clear(&o);
}

static void
test_apply_malformed(void)
{
	static const char *const bad[] = {
		"S", "/K=V", "S/=V", "S/K", "", "=V", "/=", "S/", "/",
		"S=V", "\xff/K=V", "S/\xff=V", "S/K=\xff", NULL
	};
	struct bc_options o = { NULL, 0 };
	struct bc_err err;
	size_t i;

	ST(bc_options_apply(&o, "TServer/keep=me", &err), BC_OK, &err);
	for (i = 0; bad[i] != NULL; i++) {
		memset(&err, 0, sizeof(err));
		if (TRUE_MSG(bc_options_apply(&o, bad[i], &err) == BC_EINVAL,
		    "option spec '%s' not refused with BC_EINVAL", bad[i]))
			TRUE_MSG(err.status == BC_EINVAL && err.msg[0] != '\0',
			    "spec '%s': err not filled", bad[i]);
	}
	/* nothing changed */
	INT_EQ(o.n, 1);
	STR_EQ(bc_options_get(&o, "TServer", "keep"), "me");
	bc_options_clear(&o);
}

static void
test_validation(void)
{
	struct bc_options o = { NULL, 0 };
	struct bc_err err;
	char *s255, *s256, *e255, *v4096, *v4097;

	s255 = unit_repeat("s", 255);
	s256 = unit_repeat("s", 256);
	e255 = unit_repeat("\xc3\xa9", 255);
	v4096 = unit_repeat("v", 4096);
	v4097 = unit_repeat("v", 4097);

	ST(bc_options_set(&o, s255, "k", "v", &err), BC_OK, &err);
	ST(bc_options_set(&o, e255, e255, "v", &err), BC_OK, &err);
	ST(bc_options_set(&o, "S", s255, v4096, &err), BC_OK, &err);
	INT_EQ(o.n, 3);
	ST(bc_options_set(&o, s256, "k", "v", &err), BC_EINVAL, &err);
	ST(bc_options_set(&o, "S", s256, "v", &err), BC_EINVAL, &err);
	ST(bc_options_set(&o, "S", "k", v4097, &err), BC_EINVAL, &err);
	ST(bc_options_set(&o, "", "k", "v", &err), BC_EINVAL, &err);
	ST(bc_options_set(&o, "S", "", "v", &err), BC_EINVAL, &err);
	ST(bc_options_set(&o, "S\xff", "k", "v", &err), BC_EINVAL, &err);
	ST(bc_options_set(&o, "S", "k\xc0\xaf", "v", &err), BC_EINVAL, &err);
	ST(bc_options_set(&o, "S", "k", "v\xed\xa0\x80", &err), BC_EINVAL,
	    &err);
	ST(bc_options_set(&o, "S\n", "k", "v", &err), BC_EINVAL, &err);
	ST(bc_options_set(&o, "S", "k", "line 1\nline 2", &err), BC_EINVAL,
	    &err);
	INT_EQ(o.n, 3);
	STR_EQ(bc_options_get(&o, "S", s255), v4096);
	STR_EQ(bc_options_get(&o, e255, e255), "v");
	bc_options_clear(&o);
	free(s255);
	free(s256);
	free(e255);
	free(v4096);
	free(v4097);
}

static void
test_many(void)
{
	struct bc_options o = { NULL, 0 };
	struct bc_err err;
	char k[32], v[32];
	int i, ok = 1;

	for (i = 0; i < 500; i++) {
		snprintf(k, sizeof(k), "key%d", i);
		snprintf(v, sizeof(v), "value%d", i);
		ok &= bc_options_set(&o, i % 2 ? "odd" : "even", k, v, &err) ==
		    BC_OK;
	}
	CU_ASSERT_TRUE(ok);
	INT_EQ(o.n, 500);
	STR_EQ(bc_options_get(&o, "odd", "key377"), "value377");
	STR_EQ(bc_options_get(&o, "even", "key377"), NULL);
	for (i = 0; i < 500; i += 2) {
		snprintf(k, sizeof(k), "key%d", i);
		ok &= bc_options_set(&o, "even", k, NULL, &err) == BC_OK;
	}
	CU_ASSERT_TRUE(ok);
	INT_EQ(o.n, 250);
	STR_EQ(bc_options_get(&o, "odd", "key499"), "value499");
	bc_options_clear(&o);
}

/* Options filled in directly, around bc_options_set(). */
static void
raw_option(struct bc_options *o, const char *section, const char *key,
    const char *value)
{
	struct bc_option *nv;

	if ((nv = realloc(o->v, (o->n + 1) * sizeof(*nv))) == NULL)
		return;
	o->v = nv;
	nv[o->n].section = strdup(section);
	nv[o->n].key = strdup(key);
	nv[o->n].value = strdup(value);
	o->n++;
}

/*
 * The write functions check the options they are given like every other
 * field: bad text is BC_EINVAL and nothing is written.
 */
static void
test_checked_on_write(void)
{
	static const struct { const char *s, *k, *v; } bad[] = {
		{ "TServer", "k", "bad \xff" },
		{ "TServer", "k", "line\nbreak" },
		{ "TServer", "k\xc0\xaf", "v" },
		{ "Sec\xff", "k", "v" },
		{ "", "k", "v" },
		{ "TServer", "", "v" },
		{ NULL, "k", "v" },		/* section of 256 characters */
	};
	static const char *const what[3] = {
		"bc_dn_add", "bc_place_add", "bc_login_add"
	};
	struct fx f;
	struct bc_dn d;
	struct bc_place p;
	struct bc_login l;
	char *before, *after, *s256, wrong[3][256];
	size_t i, w;

	if (fx_setup(&f) != 0)
		return;
	before = raw_snapshot(f.path);
	s256 = unit_repeat("s", 256);
	memset(wrong, 0, sizeof(wrong));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *sec = bad[i].s ? bad[i].s : s256;
		char id[16];
		int rc[3];

		snprintf(id, sizeof(id), "50%02zu", i);
		bc_dn_init(&d);
		d.number = strdup(id);
		raw_option(&d.options, sec, bad[i].k, bad[i].v);
		rc[0] = bc_dn_add(f.s, &d, &f.err);
		bc_dn_clear(&d);

		bc_place_init(&p);
		p.name = strdup(id);
		raw_option(&p.options, sec, bad[i].k, bad[i].v);
		rc[1] = bc_place_add(f.s, &p, &f.err);
		bc_place_clear(&p);

		bc_login_init(&l);
		l.code = strdup(id);
		raw_option(&l.options, sec, bad[i].k, bad[i].v);
		rc[2] = bc_login_add(f.s, &l, &f.err);
		bc_login_clear(&l);

		for (w = 0; w < 3; w++)
			if (rc[w] != BC_EINVAL) {
				size_t len = strlen(wrong[w]);

				snprintf(wrong[w] + len, sizeof(wrong[w]) - len,
				    " #%zu:%s", i, unit_status_str(rc[w]));
			}
	}
	for (w = 0; w < 3; w++)
		TRUE_MSG(wrong[w][0] == '\0', "%s with a bad option (cases "
		    "0-6 want BC_EINVAL) got:%s", what[w], wrong[w]);
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);
	free(before);
	free(s256);
	fx_teardown(&f);
}

int
suite_options(void)
{
	static const struct unit_test tests[] = {
		{ "set_get", test_set_get },
		{ "exact_text", test_exact_text },
		{ "apply", test_apply },
		{ "apply_malformed", test_apply_malformed },
		{ "validation", test_validation },
		{ "many", test_many },
		{ "checked_on_write", test_checked_on_write },
		{ NULL, NULL }
	};

	return unit_add_suite("options", tests);
}
