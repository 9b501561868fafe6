/*
 * rules.c -- the rules of a site store that every write must keep.
 *
 * The schema enforces the same rules as constraints (a safety net for
 * writers that bypass the library); these checks come first so that the
 * caller gets a message naming the objects involved.  The whole-store
 * scan for rows written around the library is in check.c.
 */
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static const char SQL_PLACE_EXTENSION[] =
    "SELECT number FROM dn WHERE place_id = ?1 AND type = 'extension' "
    "AND number <> ?2 LIMIT 1";
static const char SQL_LOGIN_HOLDER[] =
    "SELECT p.username FROM person_login pl JOIN person p "
    "ON p.id = pl.person_id WHERE pl.login_id = ?1 AND pl.person_id <> ?2";

/*
 * A place holds extensions and call processing ports only, and at most
 * one extension at this site.
 */
int
bc_rule_dn_in_place(bc_store *s, const char *number, enum bc_dn_type type,
    sqlite3_int64 place_id, const char *place, struct bc_err *err)
{
	sqlite3_stmt *st;
	char *other;
	int rc, nomem = 0;

	if (!bc_dn_type_placeable(type))
		return bc_err_set(err, BC_ERULE, "dn '%s' (%s) cannot belong "
		    "to a place", number, bc_dn_type_name(type));
	if (type != BC_DN_EXTENSION)
		return BC_OK;
	if ((st = bc_stmt(s, SQL_PLACE_EXTENSION, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, place_id);
	bc_bind_text(st, 2, number);
	rc = sqlite3_step(st);
	other = rc == SQLITE_ROW ? bc_column_dup(st, 0, &nomem) : NULL;
	sqlite3_reset(st);
	if (nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if (other != NULL) {
		rc = bc_err_set(err, BC_ERULE, "place '%s' already holds "
		    "extension '%s'", place, other);
		free(other);
		return rc;
	}
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read place");
	return BC_OK;
}

/* An agent login is held by at most one person. */
int
bc_rule_login_free(bc_store *s, const char *code, sqlite3_int64 login_id,
    sqlite3_int64 person_id, struct bc_err *err)
{
	sqlite3_stmt *st;
	char *holder;
	int rc, nomem = 0;

	if ((st = bc_stmt(s, SQL_LOGIN_HOLDER, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, login_id);
	sqlite3_bind_int64(st, 2, person_id);
	rc = sqlite3_step(st);
	holder = rc == SQLITE_ROW ? bc_column_dup(st, 0, &nomem) : NULL;
	sqlite3_reset(st);
	if (nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if (holder != NULL) {
		rc = bc_err_set(err, BC_ERULE, "agent login '%s' is held by "
		    "person '%s'", code, holder);
		free(holder);
		return rc;
	}
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read agent login");
	return BC_OK;
}

/*
 * Only agents hold agent logins; each login once, with a wrap-up time
 * in range.
 */
int
bc_rule_person_logins(const struct bc_person *p, struct bc_err *err)
{
	size_t i, j;
	int rc;

	if (p->nlogins > 0 && !p->agent)
		return bc_err_set(err, BC_ERULE, "person '%s' is not an agent "
		    "and cannot hold agent logins", p->username);
	for (i = 0; i < p->nlogins; i++) {
		if ((rc = bc_valid_login_code(p->logins[i].code, err)))
			return rc;
		if (p->logins[i].wrapup < 0 ||
		    p->logins[i].wrapup > BC_WRAPUP_MAX)
			return bc_err_set(err, BC_EINVAL, "person '%s': "
			    "wrap-up time %d of agent login '%s' is out of "
			    "range 0-%d", p->username, p->logins[i].wrapup,
			    p->logins[i].code, BC_WRAPUP_MAX);
		for (j = 0; j < i; j++)
			if (strcmp(p->logins[j].code, p->logins[i].code) == 0)
				return bc_err_set(err, BC_EINVAL, "person "
				    "'%s' lists agent login '%s' twice",
				    p->username, p->logins[i].code);
	}
	return BC_OK;
}
