/*
 * login.c -- agent logins: code, password, override and annex options.
 * The person holding a login is read here and written in person.c.
 */
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

#define LOGIN_TEXT_MAX	4096	/* password, override */

static const char SQL_LOGIN_ID[] =
    "SELECT id FROM agent_login WHERE code = ?1";
#define LOGIN_COLUMNS \
    "SELECT l.id, l.code, l.password, l.override, l.use_override, " \
    "l.enabled, p.username FROM agent_login l " \
    "LEFT JOIN person_login pl ON pl.login_id = l.id " \
    "LEFT JOIN person p ON p.id = pl.person_id "
static const char SQL_LOGIN_GET[] = LOGIN_COLUMNS "WHERE l.code = ?1";
static const char SQL_LOGIN_LIST[] = LOGIN_COLUMNS "ORDER BY l.code";
static const char SQL_LOGIN_INSERT[] =
    "INSERT INTO agent_login (code, password, override, use_override, "
    "enabled) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_LOGIN_UPDATE[] =
    "UPDATE agent_login SET password = ?2, override = ?3, "
    "use_override = ?4, enabled = ?5 WHERE code = ?1";
static const char SQL_LOGIN_DELETE[] = "DELETE FROM agent_login WHERE id = ?1";

void
bc_login_init(struct bc_login *l)
{
	memset(l, 0, sizeof(*l));
	l->enabled = 1;
}

void
bc_login_clear(struct bc_login *l)
{
	free(l->code);
	free(l->password);
	free(l->override);
	free(l->person);
	bc_options_clear(&l->options);
	bc_login_init(l);
}

int
bc_login_id(bc_store *s, const char *code, sqlite3_int64 *id,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_LOGIN_ID, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return BC_OK;
	if (rc == SQLITE_DONE)
		return bc_err_set(err, BC_ENOENT, "agent login '%s' does not "
		    "exist", code);
	return bc_sqlite_err(s, rc, err, "read agent login");
}

static int
login_valid(const struct bc_login *l, struct bc_err *err)
{
	int rc;

	if ((rc = bc_valid_login_code(l->code, err)) ||
	    (l->password != NULL && (rc = bc_valid_text("agent login "
	    "password", l->password, LOGIN_TEXT_MAX, err))) ||
	    (l->override != NULL && (rc = bc_valid_text("agent login "
	    "override", l->override, LOGIN_TEXT_MAX, err))) ||
	    (rc = bc_options_valid(&l->options, err)))
		return rc;
	return BC_OK;
}

/* The checks bc_login_insert() makes, without the store (the XML import). */
int
bc_login_check(const struct bc_login *l, struct bc_err *err)
{
	return login_valid(l, err);
}

static void
login_bind(sqlite3_stmt *st, const struct bc_login *l)
{
	bc_bind_text(st, 1, l->code);
	bc_bind_text(st, 2, l->password);
	bc_bind_text(st, 3, l->override);
	sqlite3_bind_int(st, 4, l->use_override ? 1 : 0);
	sqlite3_bind_int(st, 5, l->enabled ? 1 : 0);
}

static int
login_add(bc_store *s, const struct bc_login *l, sqlite3_int64 *idp,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	int rc;

	if ((rc = login_valid(l, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_LOGIN_INSERT, err)) == NULL)
		return err->status;
	login_bind(st, l);
	rc = bc_step_insert(s, st, "agent_login.code", err,
	    "add agent login");
	if (rc == BC_EEXIST)
		return bc_err_set(err, BC_EEXIST, "agent login '%s' already "
		    "exists", l->code);
	if (rc)
		return rc;
	id = sqlite3_last_insert_rowid(s->db);
	if (idp != NULL)
		*idp = id;
	if ((rc = bc_meta_load_mark(s, BC_LOAD_LOGIN, id, err)))
		return rc;
	return bc_options_save(s, BC_OPT_LOGIN, id, &l->options, 1, err);
}

int
bc_login_insert(bc_store *s, const struct bc_login *l, sqlite3_int64 *id,
    struct bc_err *err)
{
	return login_add(s, l, id, err);
}

int
bc_login_add(bc_store *s, const struct bc_login *l, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, login_add(s, l, NULL, err), err);
}

static int
login_update(bc_store *s, const struct bc_login *l, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	int rc;

	if ((rc = login_valid(l, err)) ||
	    (rc = bc_login_id(s, l->code, &id, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_LOGIN_UPDATE, err)) == NULL)
		return err->status;
	login_bind(st, l);
	if ((rc = bc_step_done(s, st, err, "update agent login")))
		return rc;
	return bc_options_save(s, BC_OPT_LOGIN, id, &l->options, 0, err);
}

int
bc_login_update(bc_store *s, const struct bc_login *l, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, login_update(s, l, err), err);
}

static int
login_delete(bc_store *s, const char *code, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	int rc;

	if ((rc = bc_login_id(s, code, &id, err)))
		return rc;
	/* held by anybody (person id 0 matches no person) */
	if ((rc = bc_rule_login_free(s, code, id, 0, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_LOGIN_DELETE, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	return bc_step_done(s, st, err, "delete agent login");
}

int
bc_login_delete(bc_store *s, const char *code, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, login_delete(s, code, err), err);
}

static int
login_from_row(bc_store *s, sqlite3_stmt *st, struct bc_login *l,
    struct bc_err *err)
{
	int nomem = 0;

	bc_login_init(l);
	l->code = bc_column_dup(st, 1, &nomem);
	l->password = bc_column_dup(st, 2, &nomem);
	l->override = bc_column_dup(st, 3, &nomem);
	l->use_override = sqlite3_column_int(st, 4) != 0;
	l->enabled = sqlite3_column_int(st, 5) != 0;
	l->person = bc_column_dup(st, 6, &nomem);
	if (nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	return bc_options_load(s, BC_OPT_LOGIN, sqlite3_column_int64(st, 0),
	    &l->options, err);
}

int
bc_login_get(bc_store *s, const char *code, struct bc_login *l,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	bc_login_init(l);
	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_LOGIN_GET, err)) == NULL) {
		bc_read_end(s);
		return err->status;
	}
	bc_bind_text(st, 1, code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = login_from_row(s, st, l, err);
	else if (rc == SQLITE_DONE)
		rc = bc_err_set(err, BC_ENOENT, "agent login '%s' does not "
		    "exist", code);
	else
		rc = bc_sqlite_err(s, rc, err, "read agent login");
	sqlite3_reset(st);
	if (rc != BC_OK)
		bc_login_clear(l);
	bc_read_end(s);
	return rc;
}

int
bc_login_foreach(bc_store *s, bc_login_cb cb, void *arg, struct bc_err *err)
{
	sqlite3_stmt *st;
	struct bc_login l;
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_LOGIN_LIST, err)) == NULL) {
		bc_read_end(s);
		return err->status;
	}
	for (;;) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			rc = BC_OK;
			break;
		}
		if (rc != SQLITE_ROW) {
			rc = bc_sqlite_err(s, rc, err, "list agent logins");
			break;
		}
		rc = login_from_row(s, st, &l, err);
		if (rc == BC_OK)
			rc = cb(&l, arg);
		bc_login_clear(&l);
		if (rc != BC_OK)
			break;
	}
	sqlite3_reset(st);
	bc_read_end(s);
	return rc;
}
