/*
 * test-rules.c -- every rule of the store, enforced on write; on each
 * refusal the store is unchanged (compared row by row through a
 * connection of its own) and no transaction is left open.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/*
 * REFUSED(f, call, BC_X, needle): call returns BC_X (-1: any error),
 * with needle (or NULL) in the message, and leaves the store as it was.
 */
#define REFUSED(f, expr, want, needle) do { \
	char *b_ = raw_snapshot((f)->path), *a_; \
	STM(expr, want, &(f)->err, needle); \
	INT_EQ(bc_tx_depth((f)->s), 0); \
	a_ = raw_snapshot((f)->path); \
	SNAP_EQ(a_, b_); \
	free(a_); \
	free(b_); \
} while (0)

/*
 * The world of every test:
 *   logins 1001..1004
 *   extensions 5001 5002 5003 5009, call-processing-ports 6001 6002 6003,
 *   acd-queue 7001, routing-point 7002, trunk 7003, voip-service 7004
 *   place A = {5001, 6001}, B = {5002}, C = {}
 *   agent1: agent, place A, login 1001:10
 *   boss: not an agent, place C
 */
static int
world(struct fx *f)
{
	static const struct { const char *n; enum bc_dn_type t; } dns[] = {
		{ "5001", BC_DN_EXTENSION }, { "5002", BC_DN_EXTENSION },
		{ "5003", BC_DN_EXTENSION }, { "5009", BC_DN_EXTENSION },
		{ "6001", BC_DN_CALL_PROCESSING_PORT },
		{ "6002", BC_DN_CALL_PROCESSING_PORT },
		{ "6003", BC_DN_CALL_PROCESSING_PORT },
		{ "7001", BC_DN_ACD_QUEUE }, { "7002", BC_DN_ROUTING_POINT },
		{ "7003", BC_DN_TRUNK }, { "7004", BC_DN_VOIP_SERVICE },
	};
	const char *const l1[] = { "1001:10", NULL };
	size_t i;
	int ok = 1;

	if (fx_setup(f) != 0)
		return -1;
	ok &= ST(mk_login(f->s, "1001", &f->err), BC_OK, &f->err);
	ok &= ST(mk_login(f->s, "1002", &f->err), BC_OK, &f->err);
	ok &= ST(mk_login(f->s, "1003", &f->err), BC_OK, &f->err);
	ok &= ST(mk_login(f->s, "1004", &f->err), BC_OK, &f->err);
	for (i = 0; i < sizeof(dns) / sizeof(dns[0]); i++)
		ok &= ST(mk_dn(f->s, dns[i].n, dns[i].t, NULL, &f->err),
		    BC_OK, &f->err);
	ok &= ST(mk_place(f->s, "A", "5001", "6001", &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_place(f->s, "B", "5002", NULL, &f->err), BC_OK, &f->err);
	ok &= ST(mk_place(f->s, "C", NULL, NULL, &f->err), BC_OK, &f->err);
	ok &= ST(mk_person(f->s, "agent1", 1, "A", l1, &f->err), BC_OK,
	    &f->err);
	ok &= ST(mk_person(f->s, "boss", 0, "C", NULL, &f->err), BC_OK,
	    &f->err);
	if (!ok) {
		fx_teardown(f);
		return -1;
	}
	return 0;
}

/* A place struct holding the listed DNs (type, number pairs). */
static void
place_of(struct bc_place *p, const char *name, size_t n,
    const enum bc_dn_type *types, const char *const *numbers)
{
	struct bc_err err;
	size_t i;

	bc_place_init(p);
	p->name = strdup(name);
	for (i = 0; i < n; i++)
		ST(bc_place_add_dn(p, numbers[i], types[i], &err), BC_OK,
		    &err);
}

/* The DN as stored, with place set to place (NULL: none). */
static int
dn_with_place(bc_store *s, const char *number, enum bc_dn_type t,
    const char *place, struct bc_dn *d)
{
	struct bc_err err;

	bc_dn_init(d);
	if (!ST(bc_dn_get(s, number, &t, d, &err), BC_OK, &err))
		return -1;
	free(d->place);
	d->place = place ? strdup(place) : NULL;
	return 0;
}

/* The person as stored. */
static int
person_as_stored(bc_store *s, const char *username, struct bc_person *p)
{
	struct bc_err err;

	bc_person_init(p);
	return ST(bc_person_get(s, username, p, &err), BC_OK, &err) ? 0 : -1;
}

/* ---- DN number unique per type ---- */

static void
test_dn_unique_per_type(void)
{
	struct fx f;
	struct bc_dn d;

	if (world(&f) != 0)
		return;
	REFUSED(&f, mk_dn(f.s, "5001", BC_DN_EXTENSION, NULL, &f.err),
	    BC_EEXIST, "5001");
	REFUSED(&f, mk_dn(f.s, "7001", BC_DN_ACD_QUEUE, NULL, &f.err),
	    BC_EEXIST, "7001");
	/* the same number in every other type */
	ST(mk_dn(f.s, "5001", BC_DN_ACD_QUEUE, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5001", BC_DN_CALL_PROCESSING_PORT, NULL, &f.err),
	    BC_OK, &f.err);
	ST(mk_dn(f.s, "5001", BC_DN_ROUTING_POINT, NULL, &f.err), BC_OK,
	    &f.err);
	ST(mk_dn(f.s, "5001", BC_DN_TRUNK, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5001", BC_DN_VOIP_SERVICE, NULL, &f.err), BC_OK,
	    &f.err);
	ST(mk_dn(f.s, "7001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	bc_dn_init(&d);
	ST(bc_dn_get(f.s, "5001", NULL, &d, &f.err), BC_EAMBIG, &f.err);
	bc_dn_clear(&d);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM dn WHERE number = "
	    "'5001'"), 6);
	fx_teardown(&f);
}

/* ---- a DN belongs to at most one place ---- */

static void
test_dn_in_one_place(void)
{
	struct fx f;
	struct bc_place p;
	struct bc_dn d;
	static const enum bc_dn_type t1[] = { BC_DN_EXTENSION };
	static const char *const n1[] = { "5001" };
	static const enum bc_dn_type t2[] = {
		BC_DN_EXTENSION, BC_DN_CALL_PROCESSING_PORT
	};
	static const char *const n2[] = { "5002", "6001" };

	if (world(&f) != 0)
		return;
	/* a new place with a DN of place A */
	place_of(&p, "D", 1, t1, n1);
	REFUSED(&f, bc_place_add(f.s, &p, &f.err), BC_ERULE, "5001");
	bc_place_clear(&p);
	/* place B takes A's call processing port */
	place_of(&p, "B", 2, t2, n2);
	REFUSED(&f, bc_place_update(f.s, &p, &f.err), BC_ERULE, "6001");
	bc_place_clear(&p);

	/* moving the DN itself is how it changes place */
	if (dn_with_place(f.s, "6001", BC_DN_CALL_PROCESSING_PORT, "B",
	    &d) == 0)
		ST(bc_dn_update(f.s, &d, &f.err), BC_OK, &f.err);
	bc_dn_clear(&d);
	bc_place_init(&p);
	if (ST(bc_place_get(f.s, "A", &p, &f.err), BC_OK, &f.err) &&
	    INT_EQ(p.ndns, 1))
		STR_EQ(p.dns[0].number, "5001");
	bc_place_clear(&p);
	bc_place_init(&p);
	if (ST(bc_place_get(f.s, "B", &p, &f.err), BC_OK, &f.err))
		INT_EQ(p.ndns, 2);
	bc_place_clear(&p);
	bc_dn_init(&d);
	{
		enum bc_dn_type t = BC_DN_CALL_PROCESSING_PORT;

		if (ST(bc_dn_get(f.s, "6001", &t, &d, &f.err), BC_OK, &f.err))
			STR_EQ(d.place, "B");
	}
	bc_dn_clear(&d);
	fx_teardown(&f);
}

/* ---- a place holds extensions and call processing ports only ---- */

static void
test_place_dn_types(void)
{
	struct fx f;
	struct bc_place p;
	struct bc_dn d;
	static const struct { const char *n, *fresh; enum bc_dn_type t; }
	    bad[] = {
		{ "7001", "7101", BC_DN_ACD_QUEUE },
		{ "7002", "7102", BC_DN_ROUTING_POINT },
		{ "7003", "7103", BC_DN_TRUNK },
		{ "7004", "7104", BC_DN_VOIP_SERVICE },
	};
	size_t i;

	if (world(&f) != 0)
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* a new DN of that type in a place */
		REFUSED(&f, mk_dn(f.s, bad[i].fresh, bad[i].t, "C", &f.err),
		    BC_ERULE, NULL);
		/* an existing one moved into a place */
		if (dn_with_place(f.s, bad[i].n, bad[i].t, "C", &d) == 0)
			REFUSED(&f, bc_dn_update(f.s, &d, &f.err), BC_ERULE,
			    bad[i].n);
		bc_dn_clear(&d);
		/* a new place listing it */
		place_of(&p, "E", 1, &bad[i].t, &bad[i].n);
		REFUSED(&f, bc_place_add(f.s, &p, &f.err), BC_ERULE,
		    bad[i].n);
		bc_place_clear(&p);
		/* an existing place given it */
		place_of(&p, "C", 1, &bad[i].t, &bad[i].n);
		REFUSED(&f, bc_place_update(f.s, &p, &f.err), BC_ERULE,
		    bad[i].n);
		bc_place_clear(&p);
	}
	/* both kinds that may: fine */
	ST(mk_dn(f.s, "5101", BC_DN_EXTENSION, "C", &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "6101", BC_DN_CALL_PROCESSING_PORT, "C", &f.err), BC_OK,
	    &f.err);
	fx_teardown(&f);
}

/* ---- at most one extension per place ---- */

static void
test_one_extension_per_place(void)
{
	struct fx f;
	struct bc_place p;
	struct bc_dn d;
	static const enum bc_dn_type t2[] = {
		BC_DN_EXTENSION, BC_DN_EXTENSION
	};
	static const char *const n_new[] = { "5003", "5009" };
	static const char *const n_b[] = { "5002", "5003" };
	static const enum bc_dn_type t3[] = {
		BC_DN_CALL_PROCESSING_PORT, BC_DN_CALL_PROCESSING_PORT,
		BC_DN_EXTENSION
	};
	static const char *const n_c[] = { "6002", "6003", "5003" };

	if (world(&f) != 0)
		return;
	place_of(&p, "E", 2, t2, n_new);
	REFUSED(&f, bc_place_add(f.s, &p, &f.err), BC_ERULE, NULL);
	bc_place_clear(&p);
	place_of(&p, "B", 2, t2, n_b);
	REFUSED(&f, bc_place_update(f.s, &p, &f.err), BC_ERULE, NULL);
	bc_place_clear(&p);
	REFUSED(&f, mk_dn(f.s, "5010", BC_DN_EXTENSION, "B", &f.err),
	    BC_ERULE, NULL);
	if (dn_with_place(f.s, "5003", BC_DN_EXTENSION, "B", &d) == 0)
		REFUSED(&f, bc_dn_update(f.s, &d, &f.err), BC_ERULE, NULL);
	bc_dn_clear(&d);

	/* one extension and several call processing ports: fine */
	place_of(&p, "C", 3, t3, n_c);
	ST(bc_place_update(f.s, &p, &f.err), BC_OK, &f.err);
	bc_place_clear(&p);
	bc_place_init(&p);
	if (ST(bc_place_get(f.s, "C", &p, &f.err), BC_OK, &f.err))
		INT_EQ(p.ndns, 3);
	bc_place_clear(&p);
	/* moving the extension out makes room for another */
	if (dn_with_place(f.s, "5002", BC_DN_EXTENSION, NULL, &d) == 0)
		ST(bc_dn_update(f.s, &d, &f.err), BC_OK, &f.err);
	bc_dn_clear(&d);
	ST(mk_dn(f.s, "5010", BC_DN_EXTENSION, "B", &f.err), BC_OK, &f.err);
	fx_teardown(&f);
}

/* ---- references resolve ---- */

static void
test_references(void)
{
	struct fx f;
	struct bc_dn d;
	struct bc_place p;
	struct bc_person pe;
	static const enum bc_dn_type t1[] = { BC_DN_EXTENSION };
	static const char *const n1[] = { "5999" };
	static const enum bc_dn_type tc[] = { BC_DN_CALL_PROCESSING_PORT };
	static const char *const nc[] = { "5003" };	/* an extension */
	const char *const lx[] = { "9999", NULL };

	if (world(&f) != 0)
		return;
	REFUSED(&f, mk_dn(f.s, "5100", BC_DN_EXTENSION, "nowhere", &f.err),
	    BC_ENOENT, "nowhere");
	if (dn_with_place(f.s, "5003", BC_DN_EXTENSION, "nowhere", &d) == 0)
		REFUSED(&f, bc_dn_update(f.s, &d, &f.err), BC_ENOENT,
		    "nowhere");
	bc_dn_clear(&d);

	place_of(&p, "E", 1, t1, n1);
	REFUSED(&f, bc_place_add(f.s, &p, &f.err), BC_ENOENT, "5999");
	bc_place_clear(&p);
	place_of(&p, "C", 1, t1, n1);
	REFUSED(&f, bc_place_update(f.s, &p, &f.err), BC_ENOENT, "5999");
	bc_place_clear(&p);
	/* the number exists, but not with that type */
	place_of(&p, "C", 1, tc, nc);
	REFUSED(&f, bc_place_update(f.s, &p, &f.err), BC_ENOENT, "5003");
	bc_place_clear(&p);

	REFUSED(&f, mk_person(f.s, "p1", 0, "nowhere", NULL, &f.err),
	    BC_ENOENT, "nowhere");
	REFUSED(&f, mk_person(f.s, "p2", 1, NULL, lx, &f.err), BC_ENOENT,
	    "9999");
	if (person_as_stored(f.s, "agent1", &pe) == 0) {
		free(pe.place);
		pe.place = strdup("nowhere");
		REFUSED(&f, bc_person_update(f.s, &pe, &f.err), BC_ENOENT,
		    "nowhere");
		free(pe.place);
		pe.place = strdup("A");
		ST(bc_person_add_login(&pe, "9999", 0, &f.err), BC_OK,
		    &f.err);
		REFUSED(&f, bc_person_update(f.s, &pe, &f.err), BC_ENOENT,
		    "9999");
	}
	bc_person_clear(&pe);
	fx_teardown(&f);
}

/* ---- a login is held by at most one person ---- */

static void
test_login_one_holder(void)
{
	struct fx f;
	struct bc_person pe;
	const char *const l1[] = { "1001", NULL };
	const char *const l2[] = { "1002", NULL };
	const char *const l22[] = { "1003", "1003:5", NULL };

	if (world(&f) != 0)
		return;
	REFUSED(&f, mk_person(f.s, "agent2", 1, NULL, l1, &f.err), BC_ERULE,
	    "1001");
	ST(mk_person(f.s, "agent2", 1, NULL, l2, &f.err), BC_OK, &f.err);
	if (person_as_stored(f.s, "agent2", &pe) == 0) {
		ST(bc_person_add_login(&pe, "1001", 0, &f.err), BC_OK,
		    &f.err);
		REFUSED(&f, bc_person_update(f.s, &pe, &f.err), BC_ERULE,
		    "1001");
	}
	bc_person_clear(&pe);
	/* one login twice in one list */
	REFUSED(&f, mk_person(f.s, "agent3", 1, NULL, l22, &f.err), -1,
	    NULL);

	/* released by agent1, it may be taken */
	if (person_as_stored(f.s, "agent1", &pe) == 0 &&
	    INT_EQ(pe.nlogins, 1)) {
		free(pe.logins[0].code);
		pe.logins[0].code = strdup("1003");
		ST(bc_person_update(f.s, &pe, &f.err), BC_OK, &f.err);
	}
	bc_person_clear(&pe);
	if (person_as_stored(f.s, "agent2", &pe) == 0) {
		ST(bc_person_add_login(&pe, "1001", 0, &f.err), BC_OK,
		    &f.err);
		ST(bc_person_update(f.s, &pe, &f.err), BC_OK, &f.err);
	}
	bc_person_clear(&pe);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM person_login"), 3);
	fx_teardown(&f);
}

/* ---- the agent flag is fixed at creation ---- */

static void
test_agent_flag_fixed(void)
{
	struct fx f;
	struct bc_person pe;

	if (world(&f) != 0)
		return;
	if (person_as_stored(f.s, "agent1", &pe) == 0 &&
	    INT_EQ(pe.nlogins, 1)) {
		pe.agent = 0;
		REFUSED(&f, bc_person_update(f.s, &pe, &f.err), BC_ERULE,
		    "agent");
		/* without its logins too */
		free(pe.logins[0].code);
		free(pe.logins);
		pe.logins = NULL;
		pe.nlogins = 0;
		REFUSED(&f, bc_person_update(f.s, &pe, &f.err), BC_ERULE,
		    "agent");
	}
	bc_person_clear(&pe);
	if (person_as_stored(f.s, "boss", &pe) == 0) {
		pe.agent = 1;
		REFUSED(&f, bc_person_update(f.s, &pe, &f.err), BC_ERULE,
		    "agent");
		ST(bc_person_add_login(&pe, "1004", 0, &f.err), BC_OK,
		    &f.err);
		REFUSED(&f, bc_person_update(f.s, &pe, &f.err), BC_ERULE,
		    NULL);
		/* unchanged flag: an ordinary update */
		pe.agent = 0;
		if (pe.nlogins == 1)
			free(pe.logins[0].code);
		free(pe.logins);
		pe.logins = NULL;
		pe.nlogins = 0;
		free(pe.first);
		pe.first = strdup("Big");
		ST(bc_person_update(f.s, &pe, &f.err), BC_OK, &f.err);
	}
	bc_person_clear(&pe);
	fx_teardown(&f);
}

/* ---- only agents hold logins ---- */

static void
test_only_agents_hold_logins(void)
{
	struct fx f;
	struct bc_person pe;
	const char *const l4[] = { "1004", NULL };

	if (world(&f) != 0)
		return;
	REFUSED(&f, mk_person(f.s, "clerk", 0, NULL, l4, &f.err), BC_ERULE,
	    "clerk");
	if (person_as_stored(f.s, "boss", &pe) == 0) {
		ST(bc_person_add_login(&pe, "1004", 30, &f.err), BC_OK,
		    &f.err);
		REFUSED(&f, bc_person_update(f.s, &pe, &f.err), BC_ERULE,
		    "boss");
	}
	bc_person_clear(&pe);
	ST(mk_person(f.s, "clerk", 1, NULL, l4, &f.err), BC_OK, &f.err);
	fx_teardown(&f);
}

/* ---- a held login cannot be deleted ---- */

static void
test_login_delete_held(void)
{
	struct fx f;

	if (world(&f) != 0)
		return;
	REFUSED(&f, bc_login_delete(f.s, "1001", &f.err), BC_ERULE, "1001");
	ST(bc_login_delete(f.s, "1004", &f.err), BC_OK, &f.err);
	ST(bc_person_delete(f.s, "agent1", &f.err), BC_OK, &f.err);
	ST(bc_login_delete(f.s, "1001", &f.err), BC_OK, &f.err);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM agent_login"), 2);
	fx_teardown(&f);
}

/* ---- a person's default place cannot be deleted ---- */

static void
test_place_delete_default(void)
{
	struct fx f;
	struct bc_person pe;

	if (world(&f) != 0)
		return;
	REFUSED(&f, bc_place_delete(f.s, "A", &f.err), BC_ERULE, "'A'");
	REFUSED(&f, bc_place_delete(f.s, "C", &f.err), BC_ERULE, "'C'");
	ST(bc_place_delete(f.s, "B", &f.err), BC_OK, &f.err);
	if (person_as_stored(f.s, "boss", &pe) == 0) {
		free(pe.place);
		pe.place = NULL;
		ST(bc_person_update(f.s, &pe, &f.err), BC_OK, &f.err);
	}
	bc_person_clear(&pe);
	ST(bc_place_delete(f.s, "C", &f.err), BC_OK, &f.err);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM place"), 1);
	fx_teardown(&f);
}

/* ---- what the library accepts, bc_check accepts ---- */

struct rule_viols {
	char	buf[1024];
	size_t	n;
};

/*
 * Counts the violations of rules that writes enforce.  Two findings of
 * bc_check are about completeness, which writes allow on purpose (bc.h):
 * an agent without an agent login, an agent's place without extension.
 */
static int
count_cb(const struct bc_violation *v, void *arg)
{
	struct rule_viols *rv = arg;
	size_t len = strlen(rv->buf);

	if (strstr(v->message, "without an agent login") != NULL ||
	    strstr(v->message, "holds no extension") != NULL)
		return 0;
	rv->n++;
	snprintf(rv->buf + len, sizeof(rv->buf) - len, " [%s '%s': %s]",
	    v->kind, v->name, v->message);
	return 0;
}

/*
 * Runs one write; when the library accepts it, bc_check must find no
 * violation of a rule that writes enforce (bc.h).
 */
static void
write_then_check(struct fx *f, const char *what, int rc)
{
	struct rule_viols rv;
	size_t n = 0;

	if (rc != BC_OK) {
		TRUE_MSG(rc == BC_ERULE, "%s refused with %s, want BC_ERULE "
		    "[%s]", what, unit_status_str(rc), f->err.msg);
		return;
	}
	memset(&rv, 0, sizeof(rv));
	if (ST(bc_check(f->s, count_cb, &rv, &n, &f->err), BC_OK, &f->err))
		TRUE_MSG(rv.n == 0, "%s accepted, but bc_check then reports "
		    "%zu violation(s):%s", what, rv.n, rv.buf);
}

static void
test_writes_keep_check_clean(void)
{
	struct fx f;
	struct bc_dn d;
	struct bc_place p;
	struct bc_person pe;
	static const enum bc_dn_type tc[] = { BC_DN_CALL_PROCESSING_PORT };
	static const char *const nc[] = { "6001" };
	const char *const l2[] = { "1002", NULL };

	/* an agent whose default place holds no extension */
	if (world(&f) != 0)
		return;
	memset(&f.err, 0, sizeof(f.err));
	write_then_check(&f, "bc_person_add of an agent at a place without "
	    "extension", mk_person(f.s, "agent2", 1, "C", l2, &f.err));
	fx_teardown(&f);

	/* an agent without logins */
	if (world(&f) != 0)
		return;
	memset(&f.err, 0, sizeof(f.err));
	write_then_check(&f, "bc_person_add of an agent without logins",
	    mk_person(f.s, "agent2", 1, NULL, NULL, &f.err));
	fx_teardown(&f);

	/* an agent's logins all released */
	if (world(&f) != 0)
		return;
	if (person_as_stored(f.s, "agent1", &pe) == 0 && pe.nlogins == 1) {
		free(pe.logins[0].code);
		free(pe.logins);
		pe.logins = NULL;
		pe.nlogins = 0;
		memset(&f.err, 0, sizeof(f.err));
		write_then_check(&f, "bc_person_update leaving an agent "
		    "without logins", bc_person_update(f.s, &pe, &f.err));
	}
	bc_person_clear(&pe);
	fx_teardown(&f);

	/* the extension of an agent's default place moved out */
	if (world(&f) != 0)
		return;
	if (dn_with_place(f.s, "5001", BC_DN_EXTENSION, NULL, &d) == 0) {
		memset(&f.err, 0, sizeof(f.err));
		write_then_check(&f, "bc_dn_update taking the extension out "
		    "of an agent's default place",
		    bc_dn_update(f.s, &d, &f.err));
	}
	bc_dn_clear(&d);
	fx_teardown(&f);

	/* ... or deleted */
	if (world(&f) != 0)
		return;
	memset(&f.err, 0, sizeof(f.err));
	write_then_check(&f, "bc_dn_delete of the extension of an agent's "
	    "default place", bc_dn_delete(f.s, "5001", BC_DN_EXTENSION,
	    &f.err));
	fx_teardown(&f);

	/* ... or dropped from the place's list */
	if (world(&f) != 0)
		return;
	place_of(&p, "A", 1, tc, nc);
	memset(&f.err, 0, sizeof(f.err));
	write_then_check(&f, "bc_place_update dropping the extension of an "
	    "agent's default place", bc_place_update(f.s, &p, &f.err));
	bc_place_clear(&p);
	fx_teardown(&f);

	/* an agent moved to a place without extension */
	if (world(&f) != 0)
		return;
	if (person_as_stored(f.s, "agent1", &pe) == 0) {
		free(pe.place);
		pe.place = strdup("C");
		memset(&f.err, 0, sizeof(f.err));
		write_then_check(&f, "bc_person_update moving an agent to a "
		    "place without extension",
		    bc_person_update(f.s, &pe, &f.err));
	}
	bc_person_clear(&pe);
	fx_teardown(&f);
}

int
suite_rules(void)
{
	static const struct unit_test tests[] = {
		{ "dn_unique_per_type", test_dn_unique_per_type },
		{ "dn_in_one_place", test_dn_in_one_place },
		{ "place_dn_types", test_place_dn_types },
		{ "one_extension_per_place", test_one_extension_per_place },
		{ "references_resolve", test_references },
		{ "login_one_holder", test_login_one_holder },
		{ "agent_flag_fixed", test_agent_flag_fixed },
		{ "only_agents_hold_logins", test_only_agents_hold_logins },
		{ "login_delete_held", test_login_delete_held },
		{ "place_delete_default", test_place_delete_default },
		{ "writes_keep_check_clean", test_writes_keep_check_clean },
		{ NULL, NULL }
	};

	return unit_add_suite("rules", tests);
}
