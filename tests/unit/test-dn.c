/*
 * test-dn.c -- DNs: type and register names, create/read/update/delete
 * with every field, names coming back exactly, validation, foreach order
 * and filters.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* Alias with quotes, spaces and non-ASCII (Latin, CJK, dash). */
#define ALIAS	"Jean \"JJ\" O'Brien \xe2\x80\x93 Z\xc3\xbcrich \xe6\x9d\xb1\xe4\xba\xac"
#define PW	"p'a\"ss w0rd \xc3\xa9"

/* got holds exactly the (section, key, value) triples of want. */
static void
opts_eq(const char *file, unsigned line, const struct bc_options *got,
    const char *const *want)
{
	size_t n = 0;

	for (; want[0] != NULL; want += 3, n++) {
		const char *v = bc_options_get(got, want[0], want[1]);

		unit_str(file, line, "option value", v, want[2]);
	}
	unit_int(file, line, "number of options", (long long)got->n,
	    (long long)n);
}
#define OPTS_EQ(got, ...) do { \
	const char *const want_[] = { __VA_ARGS__, NULL }; \
	opts_eq(__FILE__, __LINE__, (got), want_); \
} while (0)

static void
test_type_names(void)
{
	static const char *const names[BC_DN_TYPE_COUNT] = {
		"extension", "acd-queue", "call-processing-port",
		"routing-point", "trunk", "voip-service"
	};
	static const int sync[BC_DN_TYPE_COUNT] = { 1, 1, 1, 0, 0, 0 };
	static const int placeable[BC_DN_TYPE_COUNT] = { 1, 0, 1, 0, 0, 0 };
	static const char *const regs[BC_REG_COUNT] = {
		"true", "false", "on-demand"
	};
	enum bc_dn_type t;
	enum bc_register r;
	int i;

	for (i = 0; i < BC_DN_TYPE_COUNT; i++) {
		STR_EQ(bc_dn_type_name((enum bc_dn_type)i), names[i]);
		t = BC_DN_TYPE_COUNT;
		INT_EQ(bc_dn_type_parse(names[i], &t), BC_OK);
		INT_EQ(t, i);
		INT_EQ(!!bc_dn_type_synchronized((enum bc_dn_type)i), sync[i]);
		INT_EQ(!!bc_dn_type_placeable((enum bc_dn_type)i),
		    placeable[i]);
	}
	CU_ASSERT_NOT_EQUAL(bc_dn_type_parse("bogus", &t), BC_OK);
	CU_ASSERT_NOT_EQUAL(bc_dn_type_parse("", &t), BC_OK);
	CU_ASSERT_NOT_EQUAL(bc_dn_type_parse("Extension", &t), BC_OK);
	CU_ASSERT_NOT_EQUAL(bc_dn_type_parse("extension ", &t), BC_OK);
	for (i = 0; i < BC_REG_COUNT; i++) {
		STR_EQ(bc_register_name((enum bc_register)i), regs[i]);
		r = BC_REG_COUNT;
		INT_EQ(bc_register_parse(regs[i], &r), BC_OK);
		INT_EQ(r, i);
	}
	CU_ASSERT_NOT_EQUAL(bc_register_parse("yes", &r), BC_OK);
	CU_ASSERT_NOT_EQUAL(bc_register_parse("", &r), BC_OK);
}

static void
test_init_defaults(void)
{
	struct bc_dn d;

	memset(&d, 0x5a, sizeof(d));
	bc_dn_init(&d);
	STR_EQ(d.number, NULL);
	INT_EQ(d.type, BC_DN_EXTENSION);
	STR_EQ(d.alias, NULL);
	INT_EQ(d.reg, BC_REG_TRUE);
	STR_EQ(d.association, NULL);
	STR_EQ(d.contact, NULL);
	STR_EQ(d.password, NULL);
	INT_EQ(d.enabled, 1);
	STR_EQ(d.place, NULL);
	INT_EQ(d.options.n, 0);
	bc_dn_clear(&d);
}

static void
test_crud_all_fields(void)
{
	struct fx f;
	struct bc_dn d, g;
	enum bc_dn_type t = BC_DN_EXTENSION;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_place(f.s, "Sales 1", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "Sales 2", NULL, NULL, &f.err), BC_OK, &f.err);

	bc_dn_init(&d);
	d.number = strdup("5001");
	d.type = BC_DN_EXTENSION;
	d.alias = strdup(ALIAS);
	d.reg = BC_REG_ON_DEMAND;
	d.association = strdup("port 3/1 \"left\"");
	d.contact = strdup("sip:5001@10.0.0.1:5060;transport=tcp");
	d.password = strdup(PW);
	d.enabled = 0;
	d.place = strdup("Sales 1");
	ST(bc_options_set(&d.options, "TServer", "dr-forward", "no-agent",
	    &f.err), BC_OK, &f.err);
	ST(bc_options_set(&d.options, "TServer", "oos-check", "10", &f.err),
	    BC_OK, &f.err);
	ST(bc_options_set(&d.options, "Ann ex \xc3\xa9", "k 'q'",
	    "v \"\xe6\x9d\xb1\" = /", &f.err), BC_OK, &f.err);
	ST(bc_dn_add(f.s, &d, &f.err), BC_OK, &f.err);

	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5001", &t, &g, &f.err), BC_OK, &f.err)) {
		STR_EQ(g.number, "5001");
		INT_EQ(g.type, BC_DN_EXTENSION);
		STR_EQ(g.alias, ALIAS);
		INT_EQ(g.reg, BC_REG_ON_DEMAND);
		STR_EQ(g.association, "port 3/1 \"left\"");
		STR_EQ(g.contact, "sip:5001@10.0.0.1:5060;transport=tcp");
		STR_EQ(g.password, PW);
		INT_EQ(g.enabled, 0);
		STR_EQ(g.place, "Sales 1");
		OPTS_EQ(&g.options, "TServer", "dr-forward", "no-agent",
		    "TServer", "oos-check", "10",
		    "Ann ex \xc3\xa9", "k 'q'", "v \"\xe6\x9d\xb1\" = /");
	}
	bc_dn_clear(&g);

	/* type NULL finds the only DN of that number */
	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5001", NULL, &g, &f.err), BC_OK, &f.err))
		STR_EQ(g.alias, ALIAS);
	bc_dn_clear(&g);

	/* update replaces every field */
	free(d.alias);
	d.alias = NULL;
	d.reg = BC_REG_FALSE;
	free(d.association);
	d.association = NULL;
	free(d.contact);
	d.contact = strdup("sip:5001@10.0.0.9");
	free(d.password);
	d.password = NULL;
	d.enabled = 1;
	free(d.place);
	d.place = strdup("Sales 2");
	ST(bc_options_set(&d.options, "TServer", "oos-check", NULL, &f.err),
	    BC_OK, &f.err);
	ST(bc_options_set(&d.options, "TServer", "dr-forward", "oos",
	    &f.err), BC_OK, &f.err);
	ST(bc_dn_update(f.s, &d, &f.err), BC_OK, &f.err);

	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5001", &t, &g, &f.err), BC_OK, &f.err)) {
		STR_EQ(g.alias, NULL);
		INT_EQ(g.reg, BC_REG_FALSE);
		STR_EQ(g.association, NULL);
		STR_EQ(g.contact, "sip:5001@10.0.0.9");
		STR_EQ(g.password, NULL);
		INT_EQ(g.enabled, 1);
		STR_EQ(g.place, "Sales 2");
		OPTS_EQ(&g.options, "TServer", "dr-forward", "oos",
		    "Ann ex \xc3\xa9", "k 'q'", "v \"\xe6\x9d\xb1\" = /");
	}
	bc_dn_clear(&g);

	/* out of every place, every option removed */
	free(d.place);
	d.place = NULL;
	bc_options_clear(&d.options);
	ST(bc_dn_update(f.s, &d, &f.err), BC_OK, &f.err);
	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5001", &t, &g, &f.err), BC_OK, &f.err)) {
		STR_EQ(g.place, NULL);
		INT_EQ(g.options.n, 0);
	}
	bc_dn_clear(&g);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM dn_option"), 0);

	/* delete */
	ST(bc_dn_delete(f.s, "5001", BC_DN_EXTENSION, &f.err), BC_OK, &f.err);
	bc_dn_init(&g);
	STM(bc_dn_get(f.s, "5001", &t, &g, &f.err), BC_ENOENT, &f.err,
	    "5001");
	bc_dn_clear(&g);
	STM(bc_dn_delete(f.s, "5001", BC_DN_EXTENSION, &f.err), BC_ENOENT,
	    &f.err, "5001");
	STM(bc_dn_update(f.s, &d, &f.err), BC_ENOENT, &f.err, "5001");
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM place"), 2);
	bc_dn_clear(&d);
	fx_teardown(&f);
}

static void
test_delete_removes_options(void)
{
	struct fx f;
	struct bc_dn d;

	if (fx_setup(&f) != 0)
		return;
	bc_dn_init(&d);
	d.number = strdup("5001");
	bc_options_set(&d.options, "TServer", "dr-forward", "oos", &f.err);
	ST(bc_dn_add(f.s, &d, &f.err), BC_OK, &f.err);
	ST(bc_dn_delete(f.s, "5001", BC_DN_EXTENSION, &f.err), BC_OK, &f.err);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM dn_option"), 0);
	/* a new DN of that number starts without options */
	ST(bc_dn_add(f.s, &d, &f.err), BC_OK, &f.err);
	bc_dn_clear(&d);
	bc_dn_init(&d);
	if (ST(bc_dn_get(f.s, "5001", NULL, &d, &f.err), BC_OK, &f.err))
		INT_EQ(d.options.n, 1);
	bc_dn_clear(&d);
	fx_teardown(&f);
}

static void
test_get_by_type(void)
{
	struct fx f;
	struct bc_dn g;
	enum bc_dn_type t;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_dn(f.s, "5000", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5000", BC_DN_ACD_QUEUE, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5001", BC_DN_TRUNK, NULL, &f.err), BC_OK, &f.err);

	bc_dn_init(&g);
	STM(bc_dn_get(f.s, "5000", NULL, &g, &f.err), BC_EAMBIG, &f.err,
	    "5000");
	bc_dn_clear(&g);

	t = BC_DN_ACD_QUEUE;
	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5000", &t, &g, &f.err), BC_OK, &f.err)) {
		INT_EQ(g.type, BC_DN_ACD_QUEUE);
		STR_EQ(g.number, "5000");
	}
	bc_dn_clear(&g);
	t = BC_DN_EXTENSION;
	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5000", &t, &g, &f.err), BC_OK, &f.err))
		INT_EQ(g.type, BC_DN_EXTENSION);
	bc_dn_clear(&g);

	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5001", NULL, &g, &f.err), BC_OK, &f.err))
		INT_EQ(g.type, BC_DN_TRUNK);
	bc_dn_clear(&g);

	t = BC_DN_EXTENSION;
	bc_dn_init(&g);
	ST(bc_dn_get(f.s, "5001", &t, &g, &f.err), BC_ENOENT, &f.err);
	bc_dn_clear(&g);
	bc_dn_init(&g);
	ST(bc_dn_get(f.s, "9999", NULL, &g, &f.err), BC_ENOENT, &f.err);
	bc_dn_clear(&g);

	/* delete needs the right type */
	ST(bc_dn_delete(f.s, "5001", BC_DN_EXTENSION, &f.err), BC_ENOENT,
	    &f.err);
	ST(bc_dn_delete(f.s, "5000", BC_DN_EXTENSION, &f.err), BC_OK, &f.err);
	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5000", NULL, &g, &f.err), BC_OK, &f.err))
		INT_EQ(g.type, BC_DN_ACD_QUEUE);
	bc_dn_clear(&g);

	/* update is by (type, number): the type never changes */
	bc_dn_init(&g);
	g.number = strdup("5001");
	g.type = BC_DN_ROUTING_POINT;
	ST(bc_dn_update(f.s, &g, &f.err), BC_ENOENT, &f.err);
	bc_dn_clear(&g);
	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5001", NULL, &g, &f.err), BC_OK, &f.err))
		INT_EQ(g.type, BC_DN_TRUNK);
	bc_dn_clear(&g);
	fx_teardown(&f);
}

static void
test_duplicate(void)
{
	struct fx f;
	char *before, *after;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_dn(f.s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	before = raw_snapshot(f.path);
	STM(mk_dn(f.s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_EEXIST,
	    &f.err, "5001");
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);
	free(before);
	fx_teardown(&f);
}

static void
test_number_validation(void)
{
	struct fx f;
	char *n255, *n256;
	static const char *const bad[] = {
		"", "50 01", " 5001", "5001\n", "5\xc3\xa9", "a/b", "50:01",
		"50'01", "50\"01", "5001@x", "\xff", NULL
	};
	size_t i;

	if (fx_setup(&f) != 0)
		return;
	n255 = unit_repeat("7", 255);
	n256 = unit_repeat("7", 256);
	ST(mk_dn(f.s, n255, BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, n256, BC_DN_EXTENSION, NULL, &f.err), BC_EINVAL,
	    &f.err);
	ST(mk_dn(f.s, "*#+._-Az09", BC_DN_ROUTING_POINT, NULL, &f.err), BC_OK,
	    &f.err);
	for (i = 0; bad[i] != NULL; i++)
		TRUE_MSG(mk_dn(f.s, bad[i], BC_DN_EXTENSION, NULL, &f.err) ==
		    BC_EINVAL, "DN number '%s' (#%zu) not refused with "
		    "BC_EINVAL", bad[i], i);
	INT_EQ(count_dns(f.s, -1), 2);
	free(n255);
	free(n256);
	fx_teardown(&f);
}

static int
add_alias(bc_store *s, const char *number, const char *alias,
    struct bc_err *err)
{
	struct bc_dn d;
	int rc;

	bc_dn_init(&d);
	d.number = strdup(number);
	d.alias = alias ? strdup(alias) : NULL;
	rc = bc_dn_add(s, &d, err);
	bc_dn_clear(&d);
	return rc;
}

static void
test_alias_validation(void)
{
	struct fx f;
	struct bc_dn g;
	char *a255, *a256, *e255, *e256, *k255;
	static const char *const bad[] = {
		"\xff", "abc\xc3", "\xc0\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "a\nb", "a\tb", NULL
	};
	size_t i;

	if (fx_setup(&f) != 0)
		return;
	a255 = unit_repeat("a", 255);
	a256 = unit_repeat("a", 256);
	e255 = unit_repeat("\xc3\xa9", 255);		/* 510 bytes */
	e256 = unit_repeat("\xc3\xa9", 256);
	k255 = unit_repeat("\xe6\x9d\xb1", 255);	/* 765 bytes */

	ST(add_alias(f.s, "1", a255, &f.err), BC_OK, &f.err);
	STM(add_alias(f.s, "2", a256, &f.err), BC_EINVAL, &f.err, "255");
	ST(add_alias(f.s, "3", e255, &f.err), BC_OK, &f.err);
	ST(add_alias(f.s, "4", e256, &f.err), BC_EINVAL, &f.err);
	ST(add_alias(f.s, "5", k255, &f.err), BC_OK, &f.err);
	for (i = 0; bad[i] != NULL; i++)
		TRUE_MSG(add_alias(f.s, "6", bad[i], &f.err) == BC_EINVAL,
		    "alias #%zu (invalid UTF-8 or control) not refused with "
		    "BC_EINVAL", i);

	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "3", NULL, &g, &f.err), BC_OK, &f.err))
		STR_EQ(g.alias, e255);
	bc_dn_clear(&g);
	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "5", NULL, &g, &f.err), BC_OK, &f.err))
		STR_EQ(g.alias, k255);
	bc_dn_clear(&g);

	/* a refused update leaves the DN as it was */
	bc_dn_init(&g);
	g.number = strdup("1");
	g.alias = strdup(a256);
	ST(bc_dn_update(f.s, &g, &f.err), BC_EINVAL, &f.err);
	free(g.alias);
	g.alias = strdup("bad \xff");
	ST(bc_dn_update(f.s, &g, &f.err), BC_EINVAL, &f.err);
	bc_dn_clear(&g);
	bc_dn_init(&g);
	if (ST(bc_dn_get(f.s, "1", NULL, &g, &f.err), BC_OK, &f.err))
		STR_EQ(g.alias, a255);
	bc_dn_clear(&g);
	INT_EQ(count_dns(f.s, -1), 3);

	free(a255);
	free(a256);
	free(e255);
	free(e256);
	free(k255);
	fx_teardown(&f);
}

/* ---- foreach ---- */

struct walk {
	int	 n;
	int	 stop_at;	/* return 7 from the stop_at-th call */
	int	 types[32];
	char	 numbers[32][16];
	char	 places[32][16];
	size_t	 nopts[32];
};

static int
walk_cb(const struct bc_dn *d, void *arg)
{
	struct walk *w = arg;

	if (w->n < 32) {
		w->types[w->n] = d->type;
		snprintf(w->numbers[w->n], sizeof(w->numbers[0]), "%s",
		    d->number);
		snprintf(w->places[w->n], sizeof(w->places[0]), "%s",
		    d->place ? d->place : "");
		w->nopts[w->n] = d->options.n;
	}
	w->n++;
	return w->n == w->stop_at ? 7 : 0;
}

static void
test_foreach_order(void)
{
	struct fx f;
	struct walk w;
	struct bc_dn_filter all = { -1, NULL };
	static const struct { const char *num; enum bc_dn_type t; } add[] = {
		{ "5003", BC_DN_EXTENSION }, { "7002", BC_DN_ACD_QUEUE },
		{ "T2", BC_DN_TRUNK }, { "5001", BC_DN_EXTENSION },
		{ "9001", BC_DN_VOIP_SERVICE }, { "6001",
		    BC_DN_CALL_PROCESSING_PORT }, { "7001", BC_DN_ACD_QUEUE },
		{ "8001", BC_DN_ROUTING_POINT }, { "T1", BC_DN_TRUNK },
		{ "5002", BC_DN_EXTENSION }, { "5000", BC_DN_TRUNK },
	};
	/* the orders "(type, number)" may mean */
	static const int enum_order[] = { 0, 1, 2, 3, 4, 5 };
	static const int name_order[] = {
		BC_DN_ACD_QUEUE, BC_DN_CALL_PROCESSING_PORT, BC_DN_EXTENSION,
		BC_DN_ROUTING_POINT, BC_DN_TRUNK, BC_DN_VOIP_SERVICE
	};
	int rank_enum[BC_DN_TYPE_COUNT], rank_name[BC_DN_TYPE_COUNT];
	int by_enum = 1, by_name = 1, sorted = 1;
	size_t i;

	if (fx_setup(&f) != 0)
		return;
	memset(&w, 0, sizeof(w));
	ST(bc_dn_foreach(f.s, &all, walk_cb, &w, &f.err), BC_OK, &f.err);
	INT_EQ(w.n, 0);

	for (i = 0; i < sizeof(add) / sizeof(add[0]); i++)
		ST(mk_dn(f.s, add[i].num, add[i].t, NULL, &f.err), BC_OK,
		    &f.err);
	memset(&w, 0, sizeof(w));
	ST(bc_dn_foreach(f.s, &all, walk_cb, &w, &f.err), BC_OK, &f.err);
	INT_EQ(w.n, (int)(sizeof(add) / sizeof(add[0])));

	for (i = 0; i < BC_DN_TYPE_COUNT; i++) {
		rank_enum[enum_order[i]] = (int)i;
		rank_name[name_order[i]] = (int)i;
	}
	for (i = 1; i < (size_t)w.n && i < 32; i++) {
		int a = w.types[i - 1], b = w.types[i];

		if (rank_enum[a] > rank_enum[b])
			by_enum = 0;
		if (rank_name[a] > rank_name[b])
			by_name = 0;
		if (a == b && strcmp(w.numbers[i - 1], w.numbers[i]) >= 0)
			sorted = 0;
	}
	TRUE_MSG(by_enum || by_name, "bc_dn_foreach: DNs not grouped by "
	    "type in (type, number) order");
	TRUE_MSG(sorted, "bc_dn_foreach: numbers of one type not ascending");
	if (by_enum != by_name)
		fprintf(stderr, "    (bc_dn_foreach orders types by %s)\n",
		    by_enum ? "enum bc_dn_type" : "type name");

	/* filter by type */
	memset(&w, 0, sizeof(w));
	{
		struct bc_dn_filter flt = { BC_DN_TRUNK, NULL };

		ST(bc_dn_foreach(f.s, &flt, walk_cb, &w, &f.err), BC_OK,
		    &f.err);
		if (INT_EQ(w.n, 3)) {
			STR_EQ(w.numbers[0], "5000");
			STR_EQ(w.numbers[1], "T1");
			STR_EQ(w.numbers[2], "T2");
			for (i = 0; i < 3; i++)
				INT_EQ(w.types[i], BC_DN_TRUNK);
		}
	}
	memset(&w, 0, sizeof(w));
	{
		struct bc_dn_filter flt = { BC_DN_EXTENSION, NULL };

		ST(bc_dn_foreach(f.s, &flt, walk_cb, &w, &f.err), BC_OK,
		    &f.err);
		if (INT_EQ(w.n, 3)) {
			STR_EQ(w.numbers[0], "5001");
			STR_EQ(w.numbers[1], "5002");
			STR_EQ(w.numbers[2], "5003");
		}
	}

	/* a non-zero return stops the walk and is returned */
	memset(&w, 0, sizeof(w));
	w.stop_at = 3;
	INT_EQ(bc_dn_foreach(f.s, &all, walk_cb, &w, &f.err), 7);
	INT_EQ(w.n, 3);
	fx_teardown(&f);
}

static void
test_foreach_place_filter(void)
{
	struct fx f;
	struct walk w;
	struct bc_dn d;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_place(f.s, "P 1", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "P 2", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "Empty", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5001", BC_DN_EXTENSION, "P 1", &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, "P 1", &f.err),
	    BC_OK, &f.err);
	ST(mk_dn(f.s, "6002", BC_DN_CALL_PROCESSING_PORT, "P 1", &f.err),
	    BC_OK, &f.err);
	ST(mk_dn(f.s, "5002", BC_DN_EXTENSION, "P 2", &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5003", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	bc_dn_init(&d);
	d.number = strdup("7001");
	d.type = BC_DN_ACD_QUEUE;
	bc_options_set(&d.options, "TServer", "a", "1", &f.err);
	bc_options_set(&d.options, "TServer", "b", "2", &f.err);
	ST(bc_dn_add(f.s, &d, &f.err), BC_OK, &f.err);
	bc_dn_clear(&d);

	memset(&w, 0, sizeof(w));
	{
		struct bc_dn_filter flt = { -1, "P 1" };
		int i;

		ST(bc_dn_foreach(f.s, &flt, walk_cb, &w, &f.err), BC_OK,
		    &f.err);
		INT_EQ(w.n, 3);
		for (i = 0; i < w.n && i < 32; i++)
			STR_EQ(w.places[i], "P 1");
	}
	memset(&w, 0, sizeof(w));
	{
		struct bc_dn_filter flt = { BC_DN_CALL_PROCESSING_PORT,
		    "P 1" };

		ST(bc_dn_foreach(f.s, &flt, walk_cb, &w, &f.err), BC_OK,
		    &f.err);
		if (INT_EQ(w.n, 2)) {
			STR_EQ(w.numbers[0], "6001");
			STR_EQ(w.numbers[1], "6002");
		}
	}
	memset(&w, 0, sizeof(w));
	{
		struct bc_dn_filter flt = { BC_DN_EXTENSION, "P 2" };

		ST(bc_dn_foreach(f.s, &flt, walk_cb, &w, &f.err), BC_OK,
		    &f.err);
		if (INT_EQ(w.n, 1))
			STR_EQ(w.numbers[0], "5002");
	}
	memset(&w, 0, sizeof(w));
	{
		struct bc_dn_filter flt = { -1, "Empty" };

		ST(bc_dn_foreach(f.s, &flt, walk_cb, &w, &f.err), BC_OK,
		    &f.err);
		INT_EQ(w.n, 0);
	}
	/* the walk hands over whole DNs, options included */
	memset(&w, 0, sizeof(w));
	{
		struct bc_dn_filter flt = { BC_DN_ACD_QUEUE, NULL };

		ST(bc_dn_foreach(f.s, &flt, walk_cb, &w, &f.err), BC_OK,
		    &f.err);
		if (INT_EQ(w.n, 1))
			INT_EQ(w.nopts[0], 2);
	}
	fx_teardown(&f);
}

static void
test_move_between_places(void)
{
	struct fx f;
	struct bc_dn d;
	struct bc_place p;
	enum bc_dn_type t = BC_DN_EXTENSION;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_place(f.s, "A", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "B", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5001", BC_DN_EXTENSION, "A", &f.err), BC_OK, &f.err);

	bc_dn_init(&d);
	if (ST(bc_dn_get(f.s, "5001", &t, &d, &f.err), BC_OK, &f.err)) {
		free(d.place);
		d.place = strdup("B");
		ST(bc_dn_update(f.s, &d, &f.err), BC_OK, &f.err);
	}
	bc_dn_clear(&d);
	bc_place_init(&p);
	if (ST(bc_place_get(f.s, "A", &p, &f.err), BC_OK, &f.err))
		INT_EQ(p.ndns, 0);
	bc_place_clear(&p);
	bc_place_init(&p);
	if (ST(bc_place_get(f.s, "B", &p, &f.err), BC_OK, &f.err) &&
	    INT_EQ(p.ndns, 1)) {
		STR_EQ(p.dns[0].number, "5001");
		INT_EQ(p.dns[0].type, BC_DN_EXTENSION);
	}
	bc_place_clear(&p);
	fx_teardown(&f);
}

int
suite_dn(void)
{
	static const struct unit_test tests[] = {
		{ "type_names", test_type_names },
		{ "init_defaults", test_init_defaults },
		{ "crud_all_fields", test_crud_all_fields },
		{ "delete_removes_options", test_delete_removes_options },
		{ "get_by_type", test_get_by_type },
		{ "duplicate", test_duplicate },
		{ "number_validation", test_number_validation },
		{ "alias_validation", test_alias_validation },
		{ "foreach_order", test_foreach_order },
		{ "foreach_place_filter", test_foreach_place_filter },
		{ "move_between_places", test_move_between_places },
		{ NULL, NULL }
	};

	return unit_add_suite("dn", tests);
}
