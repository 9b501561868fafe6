/*
 * test-check.c -- bc_check() on a clean store, then on stores broken by
 * rows written around the library with the sqlite3 C API (foreign keys
 * off, CHECK constraints ignored, an index dropped): each break is
 * reported, and the check writes nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

struct viol {
	char	kind[32];
	char	name[300];
	char	message[BC_ERR_MAX];
};

struct viols {
	struct viol	v[64];
	size_t		n;	/* calls of the callback */
	int		bad;	/* a call with a NULL or unknown field */
	char		badkind[64];
};

static int
collect(const struct bc_violation *v, void *arg)
{
	struct viols *vs = arg;

	if (v->kind == NULL || v->name == NULL || v->message == NULL ||
	    (strcmp(v->kind, "dn") != 0 && strcmp(v->kind, "place") != 0 &&
	    strcmp(v->kind, "person") != 0 && strcmp(v->kind, "login") != 0 &&
	    strcmp(v->kind, "option") != 0 && strcmp(v->kind, "store") != 0)) {
		vs->bad++;
		snprintf(vs->badkind, sizeof(vs->badkind), "%s '%s': %.30s",
		    v->kind ? v->kind : "(null)", v->name ? v->name : "(null)",
		    v->message ? v->message : "(null)");
	}
	if (vs->n < 64) {
		snprintf(vs->v[vs->n].kind, sizeof(vs->v[0].kind), "%s",
		    v->kind ? v->kind : "(null)");
		snprintf(vs->v[vs->n].name, sizeof(vs->v[0].name), "%s",
		    v->name ? v->name : "(null)");
		snprintf(vs->v[vs->n].message, sizeof(vs->v[0].message), "%s",
		    v->message ? v->message : "(null)");
	}
	vs->n++;
	return 0;
}

/* The store after a world() and some raw SQL: run the check. */
static int
run_check(struct fx *f, struct viols *vs, size_t *count)
{
	char *before, *after;
	int rc;

	memset(vs, 0, sizeof(*vs));
	*count = 12345;
	before = raw_snapshot(f->path);
	memset(&f->err, 0, sizeof(f->err));
	rc = bc_check(f->s, collect, vs, count, &f->err);
	TRUE_MSG(rc == BC_OK, "bc_check: %s [%s]", unit_status_str(rc),
	    f->err.msg);
	INT_EQ(*count, vs->n);
	TRUE_MSG(vs->bad == 0, "%d violation(s) of a kind other than dn, "
	    "place, person, login, option, store (bc.h), e.g. %s", vs->bad,
	    vs->badkind);
	INT_EQ(bc_tx_depth(f->s), 0);
	after = raw_snapshot(f->path);
	SNAP_EQ(after, before);
	free(before);
	free(after);
	return rc;
}

static void
dump(const struct viols *vs)
{
	size_t i;

	for (i = 0; i < vs->n && i < 64; i++)
		fprintf(stderr, "    violation: %s '%s': %s\n", vs->v[i].kind,
		    vs->v[i].name, vs->v[i].message);
}

/*
 * Some violation names (or mentions) one of the needles; a needle
 * "=X" wants a violation whose name is X exactly.
 */
static int
reported(const struct viols *vs, const char *const *needles)
{
	size_t i;
	const char *const *nd;

	for (i = 0; i < vs->n && i < 64; i++)
		for (nd = needles; *nd != NULL; nd++) {
			if (**nd == '=') {
				if (strcmp(vs->v[i].name, *nd + 1) == 0)
					return 1;
			} else if (strstr(vs->v[i].name, *nd) != NULL ||
			    strstr(vs->v[i].message, *nd) != NULL)
				return 1;
		}
	return 0;
}

/*
 *   logins 1001 1002; extensions 5001 5002 5003, cpp 6001,
 *   acd-queue 7001, trunk 7003
 *   place A = {5001, 6001}, B = {5002}, Empty = {}
 *   agent1: agent, place A, login 1001:20
 *   boss: not an agent, place Empty
 */
static int
world(struct fx *f)
{
	const char *const l1[] = { "1001:20", NULL };
	int ok = 1;

	if (fx_setup(f) != 0)
		return -1;
	ok &= ST(mk_login(f->s, "1001", &f->err), BC_OK, &f->err);
	ok &= ST(mk_login(f->s, "1002", &f->err), BC_OK, &f->err);
	ok &= ST(mk_dn(f->s, "5001", BC_DN_EXTENSION, NULL, &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_dn(f->s, "5002", BC_DN_EXTENSION, NULL, &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_dn(f->s, "5003", BC_DN_EXTENSION, NULL, &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_dn(f->s, "6001", BC_DN_CALL_PROCESSING_PORT, NULL,
	    &f->err), BC_OK, &f->err);
	ok &= ST(mk_dn(f->s, "7001", BC_DN_ACD_QUEUE, NULL, &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_dn(f->s, "7003", BC_DN_TRUNK, NULL, &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_place(f->s, "A", "5001", "6001", &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_place(f->s, "B", "5002", NULL, &f->err), BC_OK, &f->err);
	ok &= ST(mk_place(f->s, "Empty", NULL, NULL, &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_person(f->s, "agent1", 1, "A", l1, &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_person(f->s, "boss", 0, "Empty", NULL, &f->err), BC_OK,
	    &f->err);
	if (!ok) {
		fx_teardown(f);
		return -1;
	}
	return 0;
}

static void
test_clean(void)
{
	struct fx f;
	struct viols *vs = calloc(1, sizeof(*vs));
	size_t count;

	if (vs == NULL || world(&f) != 0) {
		free(vs);
		return;
	}
	run_check(&f, vs, &count);
	if (!INT_EQ(count, 0))
		dump(vs);
	/* an empty store is clean too */
	fx_teardown(&f);
	if (fx_setup(&f) == 0) {
		run_check(&f, vs, &count);
		INT_EQ(count, 0);
		fx_teardown(&f);
	}
	free(vs);
}

/*
 * Breaks a clean world with sql written around the library (store
 * closed meanwhile), then wants at least one violation naming one of
 * the needles.
 */
static void
broken(const char *what, const char *sql, const char *const *needles)
{
	static const char pre[] = "PRAGMA foreign_keys = OFF;"
	    "PRAGMA ignore_check_constraints = ON;";
	struct fx f;
	struct viols *vs = calloc(1, sizeof(*vs));
	size_t count;
	char *all;

	if (vs == NULL || world(&f) != 0) {
		free(vs);
		return;
	}
	run_check(&f, vs, &count);
	INT_EQ(count, 0);
	bc_store_close(f.s);
	f.s = NULL;
	all = malloc(strlen(pre) + strlen(sql) + 1);
	strcpy(all, pre);
	strcat(all, sql);
	if (raw_exec(f.path, all) == SQLITE_OK &&
	    ST(bc_store_open(&f.s, f.path, 0, 1000, &f.err), BC_OK,
	    &f.err) && run_check(&f, vs, &count) == BC_OK) {
		TRUE_MSG(count >= 1, "%s: not reported", what);
		if (count >= 1 && !TRUE_MSG(reported(vs, needles),
		    "%s: no violation names '%s'", what, needles[0]))
			dump(vs);
	}
	free(all);
	free(vs);
	fx_teardown(&f);
}

#define NEEDLES(...) ((const char *const []){ __VA_ARGS__, NULL })

static void
test_person_login_missing_login(void)
{
	broken("person_login to a missing login",
	    "INSERT INTO person_login VALUES ((SELECT id FROM person "
	    "WHERE username = 'agent1'), 999, 0);",
	    NEEDLES("agent1"));
}

static void
test_person_login_missing_person(void)
{
	broken("person_login of a missing person",
	    "INSERT INTO person_login VALUES (999, (SELECT id FROM "
	    "agent_login WHERE code = '1002'), 0);",
	    NEEDLES("1002"));
}

static void
test_acd_queue_in_place(void)
{
	broken("acd-queue in a place",
	    "UPDATE dn SET place_id = (SELECT id FROM place WHERE name = "
	    "'B') WHERE number = '7001';",
	    NEEDLES("7001"));
}

static void
test_trunk_in_place(void)
{
	broken("trunk in a place",
	    "UPDATE dn SET place_id = (SELECT id FROM place WHERE name = "
	    "'Empty') WHERE number = '7003';",
	    NEEDLES("7003"));
}

static void
test_agent_without_logins(void)
{
	broken("agent without logins",
	    "DELETE FROM person_login WHERE person_id = (SELECT id FROM "
	    "person WHERE username = 'agent1');",
	    NEEDLES("agent1"));
}

static void
test_new_agent_without_logins(void)
{
	broken("agent person inserted without logins",
	    "INSERT INTO person (username, agent) VALUES ('agent9', 1);",
	    NEEDLES("agent9"));
}

static void
test_agent_place_without_extension(void)
{
	broken("agent's default place without an extension",
	    "UPDATE dn SET place_id = NULL WHERE number = '5001' AND "
	    "type = 'extension';",
	    NEEDLES("agent1", "=A", "'A'"));
}

static void
test_non_agent_with_login(void)
{
	broken("non-agent holding a login",
	    "INSERT INTO person_login VALUES ((SELECT id FROM person "
	    "WHERE username = 'boss'), (SELECT id FROM agent_login "
	    "WHERE code = '1002'), 0);",
	    NEEDLES("boss"));
}

static void
test_dn_missing_place(void)
{
	broken("DN in a missing place",
	    "UPDATE dn SET place_id = 999 WHERE number = '5002';",
	    NEEDLES("5002"));
}

static void
test_person_missing_place(void)
{
	broken("person with a missing default place",
	    "UPDATE person SET place_id = 999 WHERE username = 'boss';",
	    NEEDLES("boss"));
}

static void
test_two_extensions_in_place(void)
{
	broken("two extensions in one place",
	    "DROP INDEX dn_place_extension;"
	    "UPDATE dn SET place_id = (SELECT id FROM place WHERE name = "
	    "'B') WHERE number = '5003';",
	    NEEDLES("5003", "=B", "'B'"));
}

static void
test_several_breaks(void)
{
	static const char pre[] = "PRAGMA ignore_check_constraints = ON;"
	    "UPDATE dn SET place_id = (SELECT id FROM place WHERE name = "
	    "'Empty') WHERE number = '7003';"
	    "UPDATE person SET place_id = 999 WHERE username = 'boss';"
	    "INSERT INTO person_login VALUES ((SELECT id FROM person "
	    "WHERE username = 'agent1'), 998, 0);";
	struct fx f;
	struct viols *vs = calloc(1, sizeof(*vs));
	size_t count;

	if (vs == NULL || world(&f) != 0) {
		free(vs);
		return;
	}
	bc_store_close(f.s);
	f.s = NULL;
	if (raw_exec(f.path, pre) == SQLITE_OK &&
	    ST(bc_store_open(&f.s, f.path, 0, 1000, &f.err), BC_OK,
	    &f.err) && run_check(&f, vs, &count) == BC_OK) {
		TRUE_MSG(count >= 3, "3 breaks, %zu violations", count);
		CU_ASSERT_TRUE(reported(vs, NEEDLES("7003")));
		CU_ASSERT_TRUE(reported(vs, NEEDLES("boss")));
		CU_ASSERT_TRUE(reported(vs, NEEDLES("agent1")));
		if (count < 3)
			dump(vs);
	}
	free(vs);
	fx_teardown(&f);
}

int
suite_check(void)
{
	static const struct unit_test tests[] = {
		{ "clean", test_clean },
		{ "person_login_missing_login",
		    test_person_login_missing_login },
		{ "person_login_missing_person",
		    test_person_login_missing_person },
		{ "acd_queue_in_place", test_acd_queue_in_place },
		{ "trunk_in_place", test_trunk_in_place },
		{ "agent_without_logins", test_agent_without_logins },
		{ "new_agent_without_logins", test_new_agent_without_logins },
		{ "agent_place_without_extension",
		    test_agent_place_without_extension },
		{ "non_agent_with_login", test_non_agent_with_login },
		{ "dn_missing_place", test_dn_missing_place },
		{ "person_missing_place", test_person_missing_place },
		{ "two_extensions_in_place", test_two_extensions_in_place },
		{ "several_breaks", test_several_breaks },
		{ NULL, NULL }
	};

	return unit_add_suite("check", tests);
}
