/*
 * test-person.c -- persons: create/read/update/delete with every field,
 * login assignments and wrap-up times, names, foreach.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define UNAME	"O'Neil \"Jack\" M\xc3\xbcller \xe6\x9d\xb1"

/* Wrap-up of code in the person's list, -1 when absent, -2 twice. */
static int
wrapup_of(const struct bc_person *p, const char *code)
{
	size_t i;
	int w = -1;

	for (i = 0; i < p->nlogins; i++)
		if (p->logins[i].code != NULL &&
		    strcmp(p->logins[i].code, code) == 0)
			w = w == -1 ? p->logins[i].wrapup : -2;
	return w;
}

/* Holder of a login as the store says, malloc'd or NULL. */
static char *
holder(bc_store *s, const char *code)
{
	struct bc_login l;
	struct bc_err err;
	char *h = NULL;

	bc_login_init(&l);
	if (ST(bc_login_get(s, code, &l, &err), BC_OK, &err) &&
	    l.person != NULL)
		h = strdup(l.person);
	bc_login_clear(&l);
	return h;
}

#define HOLDER_EQ(s, code, want) do { \
	char *h_ = holder((s), (code)); \
	STR_EQ(h_, (want)); \
	free(h_); \
} while (0)

static void
test_crud_all_fields(void)
{
	struct fx f;
	struct bc_person p, g;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_login(f.s, "1001", &f.err), BC_OK, &f.err);
	ST(mk_login(f.s, "1002", &f.err), BC_OK, &f.err);
	ST(mk_login(f.s, "1003", &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5002", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "Desk 1", "5001", NULL, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "Desk \"2\"", "5002", NULL, &f.err), BC_OK, &f.err);

	bc_person_init(&p);
	INT_EQ(p.agent, 0);
	INT_EQ(p.enabled, 1);
	INT_EQ(p.nlogins, 0);
	p.username = strdup(UNAME);
	p.first = strdup("Jack 'J'");
	p.last = strdup("M\xc3\xbcller-L\xc3\xbc\xc3\x9f");
	p.employee_id = strdup("E-001 \"x\"");
	p.agent = 1;
	p.enabled = 0;
	p.preferred_site = strdup("west \xe6\x9d\xb1");
	p.place = strdup("Desk 1");
	ST(bc_person_add_login(&p, "1001", 30, &f.err), BC_OK, &f.err);
	ST(bc_person_add_login_spec(&p, "1002:86400", &f.err), BC_OK, &f.err);
	ST(bc_person_add(f.s, &p, &f.err), BC_OK, &f.err);

	bc_person_init(&g);
	if (ST(bc_person_get(f.s, UNAME, &g, &f.err), BC_OK, &f.err)) {
		STR_EQ(g.username, UNAME);
		STR_EQ(g.first, "Jack 'J'");
		STR_EQ(g.last, "M\xc3\xbcller-L\xc3\xbc\xc3\x9f");
		STR_EQ(g.employee_id, "E-001 \"x\"");
		INT_EQ(g.agent, 1);
		INT_EQ(g.enabled, 0);
		STR_EQ(g.preferred_site, "west \xe6\x9d\xb1");
		STR_EQ(g.place, "Desk 1");
		INT_EQ(g.nlogins, 2);
		INT_EQ(wrapup_of(&g, "1001"), 30);
		INT_EQ(wrapup_of(&g, "1002"), 86400);
	}
	bc_person_clear(&g);
	HOLDER_EQ(f.s, "1001", UNAME);
	HOLDER_EQ(f.s, "1002", UNAME);
	HOLDER_EQ(f.s, "1003", NULL);

	/* update replaces fields and the login list */
	bc_person_clear(&p);
	bc_person_init(&p);
	p.username = strdup(UNAME);
	p.agent = 1;
	p.last = strdup("X");
	p.place = strdup("Desk \"2\"");
	ST(bc_person_add_login_spec(&p, "1002", &f.err), BC_OK, &f.err);
	ST(bc_person_add_login_spec(&p, "1003:15", &f.err), BC_OK, &f.err);
	ST(bc_person_update(f.s, &p, &f.err), BC_OK, &f.err);
	bc_person_init(&g);
	if (ST(bc_person_get(f.s, UNAME, &g, &f.err), BC_OK, &f.err)) {
		STR_EQ(g.first, NULL);
		STR_EQ(g.last, "X");
		STR_EQ(g.employee_id, NULL);
		INT_EQ(g.agent, 1);
		INT_EQ(g.enabled, 1);
		STR_EQ(g.preferred_site, NULL);
		STR_EQ(g.place, "Desk \"2\"");
		INT_EQ(g.nlogins, 2);
		INT_EQ(wrapup_of(&g, "1001"), -1);
		INT_EQ(wrapup_of(&g, "1002"), 0);
		INT_EQ(wrapup_of(&g, "1003"), 15);
	}
	bc_person_clear(&g);
	HOLDER_EQ(f.s, "1001", NULL);
	HOLDER_EQ(f.s, "1002", UNAME);
	HOLDER_EQ(f.s, "1003", UNAME);

	/* delete releases the logins; they stay */
	ST(bc_person_delete(f.s, UNAME, &f.err), BC_OK, &f.err);
	bc_person_init(&g);
	ST(bc_person_get(f.s, UNAME, &g, &f.err), BC_ENOENT, &f.err);
	bc_person_clear(&g);
	STM(bc_person_delete(f.s, UNAME, &f.err), BC_ENOENT, &f.err, UNAME);
	STM(bc_person_update(f.s, &p, &f.err), BC_ENOENT, &f.err, UNAME);
	HOLDER_EQ(f.s, "1002", NULL);
	HOLDER_EQ(f.s, "1003", NULL);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM agent_login"), 3);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM person_login"), 0);
	/* the logins can go now, and the place too */
	ST(bc_login_delete(f.s, "1002", &f.err), BC_OK, &f.err);
	ST(bc_place_delete(f.s, "Desk \"2\"", &f.err), BC_OK, &f.err);
	bc_person_clear(&p);
	fx_teardown(&f);
}

static void
test_non_agent(void)
{
	struct fx f;
	struct bc_person g;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_place(f.s, "Empty desk", NULL, NULL, &f.err), BC_OK, &f.err);
	/* a non-agent needs no login, nor an extension at its place */
	ST(mk_person(f.s, "boss", 0, "Empty desk", NULL, &f.err), BC_OK,
	    &f.err);
	bc_person_init(&g);
	if (ST(bc_person_get(f.s, "boss", &g, &f.err), BC_OK, &f.err)) {
		INT_EQ(g.agent, 0);
		INT_EQ(g.nlogins, 0);
		STR_EQ(g.place, "Empty desk");
		STR_EQ(g.first, NULL);
		STR_EQ(g.last, NULL);
		STR_EQ(g.employee_id, NULL);
		STR_EQ(g.preferred_site, NULL);
		INT_EQ(g.enabled, 1);
	}
	bc_person_clear(&g);
	fx_teardown(&f);
}

static void
test_login_spec(void)
{
	struct bc_person p;
	struct bc_err err;
	/* the wrap-up part is parsed here */
	static const char *const bad[] = {
		"1001:86401", "1001:-1", "1001:abc", "1001:", "1001:1e3",
		"1001:0x10", "1001:30s", "1001:99999999999999999999", NULL
	};
	size_t i;

	bc_person_init(&p);
	ST(bc_person_add_login_spec(&p, "1001", &err), BC_OK, &err);
	ST(bc_person_add_login_spec(&p, "1002:30", &err), BC_OK, &err);
	ST(bc_person_add_login_spec(&p, "1003:0", &err), BC_OK, &err);
	ST(bc_person_add_login_spec(&p, "1004:86400", &err), BC_OK, &err);
	ST(bc_person_add_login_spec(&p, "ag\"1'x:7", &err), BC_OK, &err);
	if (INT_EQ(p.nlogins, 5)) {
		STR_EQ(p.logins[0].code, "1001");
		INT_EQ(p.logins[0].wrapup, 0);
		STR_EQ(p.logins[1].code, "1002");
		INT_EQ(p.logins[1].wrapup, 30);
		STR_EQ(p.logins[2].code, "1003");
		INT_EQ(p.logins[2].wrapup, 0);
		STR_EQ(p.logins[3].code, "1004");
		INT_EQ(p.logins[3].wrapup, 86400);
		STR_EQ(p.logins[4].code, "ag\"1'x");
		INT_EQ(p.logins[4].wrapup, 7);
	}
	for (i = 0; bad[i] != NULL; i++) {
		memset(&err, 0, sizeof(err));
		TRUE_MSG(bc_person_add_login_spec(&p, bad[i], &err) ==
		    BC_EINVAL, "login spec '%s' not refused with BC_EINVAL",
		    bad[i]);
	}
	INT_EQ(p.nlogins, 5);
	bc_person_clear(&p);
}

/*
 * A bad login code or wrap-up is refused, when the assignment is
 * appended or at the latest when the person is written.
 */
static void
test_login_spec_bad_code(void)
{
	static const char *const bad[] = {
		"", ":30", "1001:30:1", "10 01:5", "10\xff:5", NULL
	};
	struct fx f;
	struct bc_person p;
	size_t i;
	int rc;

	if (fx_setup(&f) != 0)
		return;
	for (i = 0; bad[i] != NULL; i++) {
		bc_person_init(&p);
		p.username = strdup("a");
		p.agent = 1;
		memset(&f.err, 0, sizeof(f.err));
		rc = bc_person_add_login_spec(&p, bad[i], &f.err);
		if (rc == BC_OK)
			rc = bc_person_add(f.s, &p, &f.err);
		TRUE_MSG(rc == BC_EINVAL, "login spec '%s': want BC_EINVAL, "
		    "got %s", bad[i], unit_status_str(rc));
		bc_person_clear(&p);
	}
	bc_person_init(&p);
	p.username = strdup("a");
	p.agent = 1;
	memset(&f.err, 0, sizeof(f.err));
	rc = bc_person_add_login(&p, "1001", BC_WRAPUP_MAX + 1, &f.err);
	if (rc == BC_OK)
		rc = bc_person_add(f.s, &p, &f.err);
	INT_EQ(rc, BC_EINVAL);
	bc_person_clear(&p);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM person"), 0);
	fx_teardown(&f);
}

static void
test_wrapup_checked_on_write(void)
{
	struct fx f;
	struct bc_person p;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_login(f.s, "1001", &f.err), BC_OK, &f.err);
	bc_person_init(&p);
	p.username = strdup("a");
	p.agent = 1;
	ST(bc_person_add_login(&p, "1001", 5, &f.err), BC_OK, &f.err);
	if (p.nlogins == 1) {
		p.logins[0].wrapup = BC_WRAPUP_MAX + 1;
		ST(bc_person_add(f.s, &p, &f.err), BC_EINVAL, &f.err);
		p.logins[0].wrapup = -5;
		ST(bc_person_add(f.s, &p, &f.err), BC_EINVAL, &f.err);
	}
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM person"), 0);
	bc_person_clear(&p);
	fx_teardown(&f);
}

static int
add_named(bc_store *s, const char *username, const char *first,
    const char *last, const char *eid, const char *site, struct bc_err *err)
{
	struct bc_person p;
	int rc;

	bc_person_init(&p);
	p.username = strdup(username);
	p.first = first ? strdup(first) : NULL;
	p.last = last ? strdup(last) : NULL;
	p.employee_id = eid ? strdup(eid) : NULL;
	p.preferred_site = site ? strdup(site) : NULL;
	rc = bc_person_add(s, &p, err);
	bc_person_clear(&p);
	return rc;
}

static void
test_names(void)
{
	struct fx f;
	struct bc_person g;
	char *a255, *a256, *e255, *e256;
	static const char *const bad[] = {
		"", "\xff", "abc\xc3", "\xc0\xaf", "\xed\xa0\x80", "a\nb",
		"a\xef\xbf\xbf", NULL
	};
	size_t i;

	if (fx_setup(&f) != 0)
		return;
	a255 = unit_repeat("u", 255);
	a256 = unit_repeat("u", 256);
	e255 = unit_repeat("\xc3\xa9", 255);
	e256 = unit_repeat("\xc3\xa9", 256);

	ST(add_named(f.s, a255, e255, e255, e255, e255, &f.err), BC_OK,
	    &f.err);
	STM(add_named(f.s, a256, NULL, NULL, NULL, NULL, &f.err), BC_EINVAL,
	    &f.err, "255");
	ST(add_named(f.s, e255, NULL, NULL, NULL, NULL, &f.err), BC_OK,
	    &f.err);
	ST(add_named(f.s, e256, NULL, NULL, NULL, NULL, &f.err), BC_EINVAL,
	    &f.err);
	ST(add_named(f.s, "x1", e256, NULL, NULL, NULL, &f.err), BC_EINVAL,
	    &f.err);
	ST(add_named(f.s, "x2", NULL, e256, NULL, NULL, &f.err), BC_EINVAL,
	    &f.err);
	ST(add_named(f.s, "x3", NULL, NULL, e256, NULL, &f.err), BC_EINVAL,
	    &f.err);
	ST(add_named(f.s, "x4", NULL, NULL, NULL, e256, &f.err), BC_EINVAL,
	    &f.err);
	for (i = 0; bad[i] != NULL; i++) {
		TRUE_MSG(add_named(f.s, bad[i], NULL, NULL, NULL, NULL,
		    &f.err) == BC_EINVAL, "user name #%zu not refused", i);
		if (i == 0)	/* the empty string is only bad as a name */
			continue;
		TRUE_MSG(add_named(f.s, "y", bad[i], NULL, NULL, NULL,
		    &f.err) == BC_EINVAL, "first name #%zu not refused", i);
		TRUE_MSG(add_named(f.s, "y", NULL, bad[i], NULL, NULL,
		    &f.err) == BC_EINVAL, "last name #%zu not refused", i);
		TRUE_MSG(add_named(f.s, "y", NULL, NULL, bad[i], NULL,
		    &f.err) == BC_EINVAL, "employee id #%zu not refused", i);
		TRUE_MSG(add_named(f.s, "y", NULL, NULL, NULL, bad[i],
		    &f.err) == BC_EINVAL, "preferred site #%zu not refused",
		    i);
	}
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM person"), 2);

	bc_person_init(&g);
	if (ST(bc_person_get(f.s, a255, &g, &f.err), BC_OK, &f.err)) {
		STR_EQ(g.username, a255);
		STR_EQ(g.first, e255);
		STR_EQ(g.last, e255);
		STR_EQ(g.employee_id, e255);
		STR_EQ(g.preferred_site, e255);
	}
	bc_person_clear(&g);
	bc_person_init(&g);
	if (ST(bc_person_get(f.s, e255, &g, &f.err), BC_OK, &f.err))
		STR_EQ(g.username, e255);
	bc_person_clear(&g);
	free(a255);
	free(a256);
	free(e255);
	free(e256);
	fx_teardown(&f);
}

static void
test_duplicate_and_missing(void)
{
	struct fx f;
	struct bc_person g;
	char *before, *after;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_person(f.s, UNAME, 0, NULL, NULL, &f.err), BC_OK, &f.err);
	before = raw_snapshot(f.path);
	STM(mk_person(f.s, UNAME, 0, NULL, NULL, &f.err), BC_EEXIST, &f.err,
	    UNAME);
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);
	free(before);
	bc_person_init(&g);
	ST(bc_person_get(f.s, "nobody", &g, &f.err), BC_ENOENT, &f.err);
	bc_person_clear(&g);
	ST(bc_person_delete(f.s, "nobody", &f.err), BC_ENOENT, &f.err);
	fx_teardown(&f);
}

struct uwalk {
	int	n, stop_at;
	char	names[16][32];
	size_t	nlogins[16];
};

static int
uwalk_cb(const struct bc_person *p, void *arg)
{
	struct uwalk *w = arg;

	if (w->n < 16) {
		snprintf(w->names[w->n], sizeof(w->names[0]), "%s",
		    p->username);
		w->nlogins[w->n] = p->nlogins;
	}
	w->n++;
	return w->n == w->stop_at ? 42 : 0;
}

static void
test_foreach(void)
{
	struct fx f;
	struct uwalk w;
	const char *const l2[] = { "1001", "1002:9", NULL };

	if (fx_setup(&f) != 0)
		return;
	memset(&w, 0, sizeof(w));
	ST(bc_person_foreach(f.s, uwalk_cb, &w, &f.err), BC_OK, &f.err);
	INT_EQ(w.n, 0);
	ST(mk_login(f.s, "1001", &f.err), BC_OK, &f.err);
	ST(mk_login(f.s, "1002", &f.err), BC_OK, &f.err);
	ST(mk_person(f.s, "zoe", 0, NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_person(f.s, "adam", 1, NULL, l2, &f.err), BC_OK, &f.err);
	ST(mk_person(f.s, "mia", 0, NULL, NULL, &f.err), BC_OK, &f.err);

	memset(&w, 0, sizeof(w));
	ST(bc_person_foreach(f.s, uwalk_cb, &w, &f.err), BC_OK, &f.err);
	if (INT_EQ(w.n, 3)) {
		STR_EQ(w.names[0], "adam");
		STR_EQ(w.names[1], "mia");
		STR_EQ(w.names[2], "zoe");
		INT_EQ(w.nlogins[0], 2);
		INT_EQ(w.nlogins[2], 0);
	}
	memset(&w, 0, sizeof(w));
	w.stop_at = 1;
	INT_EQ(bc_person_foreach(f.s, uwalk_cb, &w, &f.err), 42);
	INT_EQ(w.n, 1);
	fx_teardown(&f);
}

int
suite_person(void)
{
	static const struct unit_test tests[] = {
		{ "crud_all_fields", test_crud_all_fields },
		{ "non_agent", test_non_agent },
		{ "login_spec", test_login_spec },
		{ "login_spec_bad_code", test_login_spec_bad_code },
		{ "wrapup_checked_on_write", test_wrapup_checked_on_write },
		{ "names", test_names },
		{ "duplicate_and_missing", test_duplicate_and_missing },
		{ "foreach", test_foreach },
		{ NULL, NULL }
	};

	return unit_add_suite("person", tests);
}
