/*
 * check.c -- the whole-store check behind 'bcadm check'.
 *
 * Writes through the library cannot break the rules (rules.c and the
 * schema's constraints stop them), but a store can also be written with
 * the sqlite3 shell, where foreign keys are off and CHECK constraints can
 * be ignored.  Each rule below is one query returning the identity of the
 * offending object and the message; the table is the list of rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

struct rule {
	const char	*kind;
	const char	*sql;	/* rows of (name, message) */
};

#define PLACEABLE	"('extension', 'call-processing-port')"

/*
 * Text no write of the library lets in (bc_valid_text(): a control
 * character, tab and newline included, bad UTF-8, U+FFFE or U+FFFF, a
 * BLOB): the peer refuses to apply it, and where XML cannot carry it
 * neither export nor bcsync sends the object at all.  One SELECT per
 * column of table, the object named by key unless the key itself is the
 * bad text (then by its row id).
 */
#define BAD_TEXT(table, key, col, field) \
	"SELECT CASE WHEN bc_bad_text(" key ") THEN '#' || id ELSE " key \
	" END, '" field " is not valid UTF-8 text (control character or " \
	"bad byte sequence)' FROM " table " WHERE bc_bad_text(" col ")"
/* An option: its owner (table otable, named by okey) in the message. */
#define BAD_OPTION(table, owner, otable, okey, what) \
	"SELECT CASE WHEN bc_bad_text(x.section) OR bc_bad_text(x.key) " \
	"THEN '?' ELSE x.section || '/' || x.key END, 'of " what " ''' || " \
	"CASE WHEN o.id IS NULL OR bc_bad_text(o." okey ") THEN '#' || " \
	"x." owner " ELSE o." okey " END || ''': section, key or value is " \
	"not valid UTF-8 text (control character or bad byte sequence)' " \
	"FROM " table " x LEFT JOIN " otable " o ON o.id = x." owner \
	" WHERE bc_bad_text(x.section) OR bc_bad_text(x.key) OR " \
	"bc_bad_text(x.value)"

static const struct rule rules[] = {
	{ "dn",
	  "SELECT number, 'used twice as ' || type FROM dn "
	  "GROUP BY type, number HAVING count(*) > 1" },
	{ "dn",
	  "SELECT number, 'unknown type ''' || type || '''' FROM dn WHERE "
	  "type NOT IN ('extension', 'acd-queue', 'call-processing-port', "
	  "'routing-point', 'trunk', 'voip-service')" },
	{ "dn",
	  "SELECT number, type || ' with unknown register value ''' || "
	  "register || '''' FROM dn WHERE register NOT IN ('true', "
	  "'false', 'on-demand')" },
	{ "dn",
	  "SELECT d.number, d.type || ' cannot belong to a place but "
	  "belongs to place ''' || coalesce(p.name, '#' || d.place_id) || "
	  "'''' FROM dn d "
	  "LEFT JOIN place p ON p.id = d.place_id "
	  "WHERE d.place_id IS NOT NULL AND d.type NOT IN " PLACEABLE },
	{ "dn",
	  "SELECT number, type || ' belongs to place #' || place_id || "
	  "', which does not exist' FROM dn WHERE place_id IS "
	  "NOT NULL AND place_id NOT IN (SELECT id FROM place)" },
	{ "place",
	  "SELECT p.name, 'holds ' || count(*) || ' extensions: ' || "
	  "group_concat(d.number, ', ') FROM dn d JOIN place p "
	  "ON p.id = d.place_id WHERE d.type = 'extension' "
	  "GROUP BY d.place_id HAVING count(*) > 1" },
	{ "place",
	  "SELECT p.name, 'is the default place of agent ''' || "
	  "group_concat(r.username, ''', ''') || ''' but holds no extension' "
	  "FROM person r JOIN place p ON p.id = r.place_id WHERE r.agent = 1 "
	  "AND NOT EXISTS (SELECT 1 FROM dn d WHERE d.place_id = p.id AND "
	  "d.type = 'extension') GROUP BY p.id" },
	{ "person",
	  "SELECT username, 'default place #' || place_id || ' does not "
	  "exist' FROM person WHERE place_id IS NOT NULL AND place_id NOT IN "
	  "(SELECT id FROM place)" },
	{ "person",
	  "SELECT r.username, 'holds agent login #' || pl.login_id || "
	  "', which does not exist' FROM person_login pl JOIN person r "
	  "ON r.id = pl.person_id WHERE pl.login_id NOT IN "
	  "(SELECT id FROM agent_login)" },
	{ "person",
	  "SELECT r.username, 'is not an agent but holds agent login ''' || "
	  "l.code || '''' FROM person_login pl JOIN person r "
	  "ON r.id = pl.person_id JOIN agent_login l ON l.id = pl.login_id "
	  "WHERE r.agent = 0" },
	{ "person",
	  "SELECT r.username, 'is an agent without an agent login' FROM "
	  "person r WHERE r.agent = 1 AND NOT EXISTS (SELECT 1 FROM "
	  "person_login pl JOIN agent_login l ON l.id = pl.login_id "
	  "WHERE pl.person_id = r.id)" },
	{ "person",
	  "SELECT r.username, 'wrap-up time ' || pl.wrapup || ' of agent "
	  "login ''' || l.code || ''' is out of range 0-86400' FROM "
	  "person_login pl JOIN person r ON r.id = pl.person_id JOIN "
	  "agent_login l ON l.id = pl.login_id WHERE pl.wrapup NOT BETWEEN "
	  "0 AND 86400" },
	{ "login",
	  "SELECT l.code, 'is held by ' || count(*) || ' persons: ' || "
	  "group_concat(r.username, ', ') FROM person_login pl JOIN "
	  "agent_login l ON l.id = pl.login_id JOIN person r "
	  "ON r.id = pl.person_id GROUP BY pl.login_id HAVING count(*) > 1" },
	{ "login",
	  "SELECT l.code, 'is assigned to person #' || pl.person_id || "
	  "', which does not exist' FROM person_login pl JOIN agent_login l "
	  "ON l.id = pl.login_id WHERE pl.person_id NOT IN "
	  "(SELECT id FROM person)" },
	{ "dn",
	  BAD_TEXT("dn", "number", "number", "number") " UNION ALL "
	  BAD_TEXT("dn", "number", "alias", "alias") " UNION ALL "
	  BAD_TEXT("dn", "number", "association", "association") " UNION ALL "
	  BAD_TEXT("dn", "number", "contact", "contact") " UNION ALL "
	  BAD_TEXT("dn", "number", "password", "password") },
	{ "place", BAD_TEXT("place", "name", "name", "name") },
	{ "person",
	  BAD_TEXT("person", "username", "username", "username") " UNION ALL "
	  BAD_TEXT("person", "username", "first_name", "first name")
	  " UNION ALL "
	  BAD_TEXT("person", "username", "last_name", "last name")
	  " UNION ALL "
	  BAD_TEXT("person", "username", "employee_id", "employee id")
	  " UNION ALL "
	  BAD_TEXT("person", "username", "preferred_site", "preferred site") },
	{ "login",
	  BAD_TEXT("agent_login", "code", "code", "code") " UNION ALL "
	  BAD_TEXT("agent_login", "code", "password", "password")
	  " UNION ALL "
	  BAD_TEXT("agent_login", "code", "override", "override") },
	{ "option",
	  BAD_OPTION("dn_option", "dn_id", "dn", "number", "dn")
	  " UNION ALL "
	  BAD_OPTION("place_option", "place_id", "place", "name", "place")
	  " UNION ALL "
	  BAD_OPTION("login_option", "login_id", "agent_login", "code",
	  "agent login") },
	{ "option",
	  "SELECT section || '/' || key, 'belongs to dn #' || dn_id || "
	  "', which does not exist' FROM dn_option WHERE dn_id NOT IN "
	  "(SELECT id FROM dn) UNION ALL "
	  "SELECT section || '/' || key, 'belongs to place #' || place_id || "
	  "', which does not exist' FROM place_option WHERE place_id NOT IN "
	  "(SELECT id FROM place) UNION ALL "
	  "SELECT section || '/' || key, 'belongs to agent login #' || "
	  "login_id || ', which does not exist' FROM login_option WHERE "
	  "login_id NOT IN (SELECT id FROM agent_login)" },
};

/* bc_bad_text(x): 1 when x is text no write of the library lets in. */
static void
bad_text_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct bc_err e;
	const char *t;

	(void)argc;
	switch (sqlite3_value_type(argv[0])) {
	case SQLITE_NULL:
		sqlite3_result_int(ctx, 0);
		return;
	case SQLITE_BLOB:
		sqlite3_result_int(ctx, 1);
		return;
	default:
		break;
	}
	if ((t = (const char *)sqlite3_value_text(argv[0])) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	/* an embedded NUL ends the text bc_valid_text() sees */
	sqlite3_result_int(ctx, strlen(t) !=
	    (size_t)sqlite3_value_bytes(argv[0]) ||
	    bc_valid_text("text", t, SIZE_MAX, &e) != BC_OK);
}

static int
check_integrity(bc_store *s, bc_violation_cb cb, void *arg, size_t *count,
    struct bc_err *err)
{
	struct bc_violation v;
	sqlite3_stmt *st;
	const char *m;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, "check store");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m = (const char *)sqlite3_column_text(st, 0);
		if (m == NULL || strcmp(m, "ok") == 0)
			continue;
		v.kind = "store";
		v.name = s->path;
		v.message = m;
		(*count)++;
		if ((rc = cb(&v, arg)) != BC_OK) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "check store");
	return BC_OK;
}

static int
check_rule(bc_store *s, const struct rule *r, bc_violation_cb cb, void *arg,
    size_t *count, struct bc_err *err)
{
	struct bc_violation v;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, r->sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, "check store");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v.kind = r->kind;
		v.name = (const char *)sqlite3_column_text(st, 0);
		v.message = (const char *)sqlite3_column_text(st, 1);
		if (v.name == NULL)
			v.name = "?";
		if (v.message == NULL)
			v.message = "?";
		(*count)++;
		if ((rc = cb(&v, arg)) != BC_OK) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "check store");
	return BC_OK;
}

int
bc_check(bc_store *s, bc_violation_cb cb, void *arg, size_t *count,
    struct bc_err *err)
{
	size_t i;
	int rc;

	*count = 0;
	if ((rc = sqlite3_create_function_v2(s->db, "bc_bad_text", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, bad_text_fn, NULL, NULL,
	    NULL)) != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, "check store");
	if ((rc = bc_read_begin(s, err)))
		return rc;
	rc = check_integrity(s, cb, arg, count, err);
	for (i = 0; rc == BC_OK && i < sizeof(rules) / sizeof(rules[0]); i++)
		rc = check_rule(s, &rules[i], cb, arg, count, err);
	bc_read_end(s);
	return rc;
}
