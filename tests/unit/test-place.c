/*
 * test-place.c -- places: create/read/update/delete with DNs and
 * options, names, DN references, foreach.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define PNAME	"Sales \"1\" \xe2\x80\x93 Z\xc3\xbcrich's \xe6\x9d\xb1"

/* The place's DN list holds (type, number) exactly once. */
static int
place_has(const struct bc_place *p, enum bc_dn_type t, const char *number)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->ndns; i++)
		if (p->dns[i].type == t && p->dns[i].number != NULL &&
		    strcmp(p->dns[i].number, number) == 0)
			n++;
	return n == 1;
}

/* Place of a DN as the store says, malloc'd (NULL: none or error). */
static char *
dn_place(bc_store *s, const char *number, enum bc_dn_type t)
{
	struct bc_dn d;
	struct bc_err err;
	char *p = NULL;

	bc_dn_init(&d);
	if (ST(bc_dn_get(s, number, &t, &d, &err), BC_OK, &err) &&
	    d.place != NULL)
		p = strdup(d.place);
	bc_dn_clear(&d);
	return p;
}

#define DN_PLACE_EQ(s, number, t, want) do { \
	char *p_ = dn_place((s), (number), (t)); \
	STR_EQ(p_, (want)); \
	free(p_); \
} while (0)

static void
test_crud_all_fields(void)
{
	struct fx f;
	struct bc_place p, g;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_dn(f.s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, NULL, &f.err),
	    BC_OK, &f.err);
	ST(mk_dn(f.s, "6002", BC_DN_CALL_PROCESSING_PORT, NULL, &f.err),
	    BC_OK, &f.err);

	bc_place_init(&p);
	INT_EQ(p.enabled, 1);
	INT_EQ(p.ndns, 0);
	p.name = strdup(PNAME);
	p.enabled = 0;
	ST(bc_place_add_dn(&p, "5001", BC_DN_EXTENSION, &f.err), BC_OK,
	    &f.err);
	ST(bc_place_add_dn(&p, "6001", BC_DN_CALL_PROCESSING_PORT, &f.err),
	    BC_OK, &f.err);
	INT_EQ(p.ndns, 2);
	ST(bc_options_set(&p.options, "TServer", "dr-forward", "oos",
	    &f.err), BC_OK, &f.err);
	ST(bc_options_set(&p.options, "x \"y\"", "\xc3\xa9", "1 2", &f.err),
	    BC_OK, &f.err);
	ST(bc_place_add(f.s, &p, &f.err), BC_OK, &f.err);

	bc_place_init(&g);
	if (ST(bc_place_get(f.s, PNAME, &g, &f.err), BC_OK, &f.err)) {
		STR_EQ(g.name, PNAME);
		INT_EQ(g.enabled, 0);
		INT_EQ(g.ndns, 2);
		CU_ASSERT_TRUE(place_has(&g, BC_DN_EXTENSION, "5001"));
		CU_ASSERT_TRUE(place_has(&g, BC_DN_CALL_PROCESSING_PORT,
		    "6001"));
		INT_EQ(g.options.n, 2);
		STR_EQ(bc_options_get(&g.options, "TServer", "dr-forward"),
		    "oos");
		STR_EQ(bc_options_get(&g.options, "x \"y\"", "\xc3\xa9"),
		    "1 2");
	}
	bc_place_clear(&g);
	DN_PLACE_EQ(f.s, "5001", BC_DN_EXTENSION, PNAME);
	DN_PLACE_EQ(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, PNAME);
	DN_PLACE_EQ(f.s, "6002", BC_DN_CALL_PROCESSING_PORT, NULL);

	/* update replaces the fields and the DN list */
	bc_place_clear(&p);
	bc_place_init(&p);
	p.name = strdup(PNAME);
	p.enabled = 1;
	ST(bc_place_add_dn(&p, "6002", BC_DN_CALL_PROCESSING_PORT, &f.err),
	    BC_OK, &f.err);
	ST(bc_options_set(&p.options, "TServer", "dr-forward", "off",
	    &f.err), BC_OK, &f.err);
	ST(bc_place_update(f.s, &p, &f.err), BC_OK, &f.err);
	bc_place_init(&g);
	if (ST(bc_place_get(f.s, PNAME, &g, &f.err), BC_OK, &f.err)) {
		INT_EQ(g.enabled, 1);
		INT_EQ(g.ndns, 1);
		CU_ASSERT_TRUE(place_has(&g, BC_DN_CALL_PROCESSING_PORT,
		    "6002"));
		INT_EQ(g.options.n, 1);
		STR_EQ(bc_options_get(&g.options, "TServer", "dr-forward"),
		    "off");
	}
	bc_place_clear(&g);
	DN_PLACE_EQ(f.s, "5001", BC_DN_EXTENSION, NULL);
	DN_PLACE_EQ(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, NULL);
	DN_PLACE_EQ(f.s, "6002", BC_DN_CALL_PROCESSING_PORT, PNAME);

	/* an empty list empties the place; DNs stay */
	bc_place_clear(&p);
	bc_place_init(&p);
	p.name = strdup(PNAME);
	ST(bc_place_update(f.s, &p, &f.err), BC_OK, &f.err);
	bc_place_init(&g);
	if (ST(bc_place_get(f.s, PNAME, &g, &f.err), BC_OK, &f.err)) {
		INT_EQ(g.ndns, 0);
		INT_EQ(g.options.n, 0);
	}
	bc_place_clear(&g);
	DN_PLACE_EQ(f.s, "6002", BC_DN_CALL_PROCESSING_PORT, NULL);
	INT_EQ(count_dns(f.s, -1), 3);
	bc_place_clear(&p);
	fx_teardown(&f);
}

static void
test_delete(void)
{
	struct fx f;
	struct bc_place p;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_dn(f.s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, NULL, &f.err),
	    BC_OK, &f.err);
	bc_place_init(&p);
	p.name = strdup("Desk 7");
	bc_place_add_dn(&p, "5001", BC_DN_EXTENSION, &f.err);
	bc_place_add_dn(&p, "6001", BC_DN_CALL_PROCESSING_PORT, &f.err);
	bc_options_set(&p.options, "TServer", "k", "v", &f.err);
	ST(bc_place_add(f.s, &p, &f.err), BC_OK, &f.err);
	bc_place_clear(&p);

	ST(bc_place_delete(f.s, "Desk 7", &f.err), BC_OK, &f.err);
	bc_place_init(&p);
	STM(bc_place_get(f.s, "Desk 7", &p, &f.err), BC_ENOENT, &f.err,
	    "Desk 7");
	bc_place_clear(&p);
	STM(bc_place_delete(f.s, "Desk 7", &f.err), BC_ENOENT, &f.err,
	    "Desk 7");
	/* its DNs left the place and still exist */
	INT_EQ(count_dns(f.s, -1), 2);
	DN_PLACE_EQ(f.s, "5001", BC_DN_EXTENSION, NULL);
	DN_PLACE_EQ(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, NULL);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM place_option"), 0);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM place"), 0);
	/* the name is free again */
	ST(mk_place(f.s, "Desk 7", "5001", NULL, &f.err), BC_OK, &f.err);
	fx_teardown(&f);
}

static void
test_missing(void)
{
	struct fx f;
	struct bc_place p;

	if (fx_setup(&f) != 0)
		return;
	bc_place_init(&p);
	ST(bc_place_get(f.s, "nope", &p, &f.err), BC_ENOENT, &f.err);
	bc_place_clear(&p);
	bc_place_init(&p);
	p.name = strdup("nope");
	STM(bc_place_update(f.s, &p, &f.err), BC_ENOENT, &f.err, "nope");
	bc_place_clear(&p);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM place"), 0);
	fx_teardown(&f);
}

static void
test_duplicate(void)
{
	struct fx f;
	char *before, *after;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_place(f.s, PNAME, NULL, NULL, &f.err), BC_OK, &f.err);
	before = raw_snapshot(f.path);
	STM(mk_place(f.s, PNAME, NULL, NULL, &f.err), BC_EEXIST, &f.err,
	    PNAME);
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);
	free(before);
	/* names differ by case: two places */
	ST(mk_place(f.s, "desk", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "Desk", NULL, NULL, &f.err), BC_OK, &f.err);
	fx_teardown(&f);
}

static void
test_names(void)
{
	struct fx f;
	struct bc_place g;
	char *a255, *a256, *e255, *e256;
	static const char *const bad[] = {
		"", "\xff", "abc\xc3", "\xc0\xaf", "\xed\xa0\x80", "a\nb",
		"a\tb", "a\x01", NULL
	};
	size_t i;

	if (fx_setup(&f) != 0)
		return;
	a255 = unit_repeat("p", 255);
	a256 = unit_repeat("p", 256);
	e255 = unit_repeat("\xc3\xbc", 255);
	e256 = unit_repeat("\xc3\xbc", 256);

	ST(mk_place(f.s, a255, NULL, NULL, &f.err), BC_OK, &f.err);
	STM(mk_place(f.s, a256, NULL, NULL, &f.err), BC_EINVAL, &f.err,
	    "255");
	ST(mk_place(f.s, e255, NULL, NULL, &f.err), BC_OK, &f.err);
	STM(mk_place(f.s, e256, NULL, NULL, &f.err), BC_EINVAL, &f.err,
	    "255");
	for (i = 0; bad[i] != NULL; i++)
		TRUE_MSG(mk_place(f.s, bad[i], NULL, NULL, &f.err) ==
		    BC_EINVAL, "place name #%zu not refused with BC_EINVAL",
		    i);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM place"), 2);

	bc_place_init(&g);
	if (ST(bc_place_get(f.s, e255, &g, &f.err), BC_OK, &f.err))
		STR_EQ(g.name, e255);
	bc_place_clear(&g);
	bc_place_init(&g);
	if (ST(bc_place_get(f.s, a255, &g, &f.err), BC_OK, &f.err))
		STR_EQ(g.name, a255);
	bc_place_clear(&g);
	free(a255);
	free(a256);
	free(e255);
	free(e256);
	fx_teardown(&f);
}

static void
test_dn_ref(void)
{
	struct fx f;
	struct bc_place p;
	static const char *const refused[] = {
		"9999", "extension:9999", "7001", "acd-queue:7001",
		"8001", "trunk:8001", "routing-point:8002",
		"voip-service:8003", "bogus:5001", ":5001", "extension:",
		"", NULL
	};
	char accepted[512];
	size_t i;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_dn(f.s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, NULL, &f.err),
	    BC_OK, &f.err);
	ST(mk_dn(f.s, "5002", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5002", BC_DN_CALL_PROCESSING_PORT, NULL, &f.err),
	    BC_OK, &f.err);
	ST(mk_dn(f.s, "5003", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5003", BC_DN_ACD_QUEUE, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "7001", BC_DN_ACD_QUEUE, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "8001", BC_DN_TRUNK, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "8002", BC_DN_ROUTING_POINT, NULL, &f.err), BC_OK,
	    &f.err);
	ST(mk_dn(f.s, "8003", BC_DN_VOIP_SERVICE, NULL, &f.err), BC_OK,
	    &f.err);

	bc_place_init(&p);
	p.name = strdup("P");
	ST(bc_place_add_dn_ref(f.s, &p, "5001", &f.err), BC_OK, &f.err);
	ST(bc_place_add_dn_ref(f.s, &p, "6001", &f.err), BC_OK, &f.err);
	if (INT_EQ(p.ndns, 2)) {
		STR_EQ(p.dns[0].number, "5001");
		INT_EQ(p.dns[0].type, BC_DN_EXTENSION);
		STR_EQ(p.dns[1].number, "6001");
		INT_EQ(p.dns[1].type, BC_DN_CALL_PROCESSING_PORT);
	}
	/* extension and call-processing-port of one number: give a type */
	STM(bc_place_add_dn_ref(f.s, &p, "5002", &f.err), BC_EAMBIG, &f.err,
	    "5002");
	INT_EQ(p.ndns, 2);
	ST(bc_place_add_dn_ref(f.s, &p, "call-processing-port:5002", &f.err),
	    BC_OK, &f.err);
	if (INT_EQ(p.ndns, 3)) {
		STR_EQ(p.dns[2].number, "5002");
		INT_EQ(p.dns[2].type, BC_DN_CALL_PROCESSING_PORT);
	}
	/* an acd-queue of the same number does not make it ambiguous */
	ST(bc_place_add_dn_ref(f.s, &p, "5003", &f.err), BC_OK, &f.err);
	if (INT_EQ(p.ndns, 4)) {
		STR_EQ(p.dns[3].number, "5003");
		INT_EQ(p.dns[3].type, BC_DN_EXTENSION);
	}
	accepted[0] = '\0';
	for (i = 0; refused[i] != NULL; i++) {
		size_t before = p.ndns;

		memset(&f.err, 0, sizeof(f.err));
		if (bc_place_add_dn_ref(f.s, &p, refused[i], &f.err) == BC_OK) {
			size_t len = strlen(accepted);

			snprintf(accepted + len, sizeof(accepted) - len,
			    " '%s'", refused[i]);
		} else
			TRUE_MSG(p.ndns == before, "refused '%s' was "
			    "appended", refused[i]);
	}
	TRUE_MSG(accepted[0] == '\0', "DN references accepted:%s",
	    accepted);
	ST(bc_place_add_dn_ref(f.s, &p, "9999", &f.err), BC_ENOENT, &f.err);
	ST(bc_place_add_dn_ref(f.s, &p, "bogus:5001", &f.err), BC_EINVAL,
	    &f.err);
	bc_place_clear(&p);

	/* a place made of references */
	bc_place_init(&p);
	p.name = strdup("Q");
	ST(bc_place_add_dn_ref(f.s, &p, "extension:5002", &f.err), BC_OK,
	    &f.err);
	ST(bc_place_add_dn_ref(f.s, &p, "6001", &f.err), BC_OK, &f.err);
	ST(bc_place_add(f.s, &p, &f.err), BC_OK, &f.err);
	bc_place_clear(&p);
	DN_PLACE_EQ(f.s, "5002", BC_DN_EXTENSION, "Q");
	DN_PLACE_EQ(f.s, "5002", BC_DN_CALL_PROCESSING_PORT, NULL);
	DN_PLACE_EQ(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, "Q");
	fx_teardown(&f);
}

struct pwalk {
	int	n, stop_at;
	char	names[16][32];
	size_t	ndns[16];
};

static int
pwalk_cb(const struct bc_place *p, void *arg)
{
	struct pwalk *w = arg;

	if (w->n < 16) {
		snprintf(w->names[w->n], sizeof(w->names[0]), "%s", p->name);
		w->ndns[w->n] = p->ndns;
	}
	w->n++;
	return w->n == w->stop_at ? -3 : 0;
}

static void
test_foreach(void)
{
	struct fx f;
	struct pwalk w;

	if (fx_setup(&f) != 0)
		return;
	memset(&w, 0, sizeof(w));
	ST(bc_place_foreach(f.s, pwalk_cb, &w, &f.err), BC_OK, &f.err);
	INT_EQ(w.n, 0);

	ST(mk_dn(f.s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, NULL, &f.err),
	    BC_OK, &f.err);
	ST(mk_place(f.s, "charlie", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "alpha", "5001", "6001", &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "bravo", NULL, NULL, &f.err), BC_OK, &f.err);

	memset(&w, 0, sizeof(w));
	ST(bc_place_foreach(f.s, pwalk_cb, &w, &f.err), BC_OK, &f.err);
	if (INT_EQ(w.n, 3)) {
		STR_EQ(w.names[0], "alpha");
		STR_EQ(w.names[1], "bravo");
		STR_EQ(w.names[2], "charlie");
		INT_EQ(w.ndns[0], 2);
		INT_EQ(w.ndns[1], 0);
	}
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	INT_EQ(bc_place_foreach(f.s, pwalk_cb, &w, &f.err), -3);
	INT_EQ(w.n, 2);
	fx_teardown(&f);
}

int
suite_place(void)
{
	static const struct unit_test tests[] = {
		{ "crud_all_fields", test_crud_all_fields },
		{ "delete", test_delete },
		{ "missing", test_missing },
		{ "duplicate", test_duplicate },
		{ "names", test_names },
		{ "dn_ref", test_dn_ref },
		{ "foreach", test_foreach },
		{ NULL, NULL }
	};

	return unit_add_suite("place", tests);
}
