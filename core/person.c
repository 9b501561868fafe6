/*
 * person.c -- persons (users): names, the agent flag, preferred site,
 * default place and agent logins with their wrap-up times.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static const char SQL_PERSON_ID[] =
    "SELECT id, agent FROM person WHERE username = ?1";
#define PERSON_COLUMNS \
    "SELECT r.id, r.username, r.first_name, r.last_name, r.employee_id, " \
    "r.agent, r.enabled, r.preferred_site, p.name FROM person r " \
    "LEFT JOIN place p ON p.id = r.place_id "
static const char SQL_PERSON_GET[] = PERSON_COLUMNS "WHERE r.username = ?1";
static const char SQL_PERSON_LIST[] = PERSON_COLUMNS "ORDER BY r.username";
static const char SQL_PERSON_LOGINS[] =
    "SELECT l.code, pl.wrapup FROM person_login pl "
    "JOIN agent_login l ON l.id = pl.login_id WHERE pl.person_id = ?1 "
    "ORDER BY l.code";
static const char SQL_PERSON_INSERT[] =
    "INSERT INTO person (username, first_name, last_name, employee_id, "
    "agent, enabled, preferred_site, place_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_PERSON_UPDATE[] =
    "UPDATE person SET first_name = ?2, last_name = ?3, employee_id = ?4, "
    "enabled = ?6, preferred_site = ?7, place_id = ?8 WHERE username = ?1";
/* the same without the place, which it keeps (SQLite writes the place's
 * index and checks its foreign key for any update that sets it) */
static const char SQL_PERSON_UPDATE_FIELDS[] =
    "UPDATE person SET first_name = ?2, last_name = ?3, employee_id = ?4, "
    "enabled = ?6, preferred_site = ?7 WHERE id = ?9";
static const char SQL_PERSON_ID_PLACE[] =
    "SELECT id, agent, place_id FROM person WHERE username = ?1";
static const char SQL_PERSON_DELETE[] = "DELETE FROM person WHERE id = ?1";
static const char SQL_PERSON_LOGINS_CLEAR[] =
    "DELETE FROM person_login WHERE person_id = ?1";
static const char SQL_PERSON_LOGIN_INSERT[] =
    "INSERT INTO person_login (person_id, login_id, wrapup) "
    "VALUES (?1, ?2, ?3)";
static const char SQL_PERSON_HELD[] =
    "SELECT login_id, wrapup FROM person_login WHERE person_id = ?1";
static const char SQL_PERSON_LOGIN_DROP[] =
    "DELETE FROM person_login WHERE person_id = ?1 AND login_id = ?2";

void
bc_person_init(struct bc_person *p)
{
	memset(p, 0, sizeof(*p));
	p->enabled = 1;
}

void
bc_person_clear(struct bc_person *p)
{
	size_t i;

	free(p->username);
	free(p->first);
	free(p->last);
	free(p->employee_id);
	free(p->preferred_site);
	free(p->place);
	for (i = 0; i < p->nlogins; i++)
		free(p->logins[i].code);
	free(p->logins);
	bc_person_init(p);
}

int
bc_person_add_login(struct bc_person *p, const char *code, int wrapup,
    struct bc_err *err)
{
	struct bc_person_login *nv;
	char *copy;

	if ((copy = strdup(code)) == NULL ||
	    (nv = realloc(p->logins, (p->nlogins + 1) * sizeof(*nv))) == NULL) {
		free(copy);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	p->logins = nv;
	nv[p->nlogins].code = copy;
	nv[p->nlogins].wrapup = wrapup;
	p->nlogins++;
	return BC_OK;
}

int
bc_person_add_login_spec(struct bc_person *p, const char *spec,
    struct bc_err *err)
{
	const char *colon;
	char *code, *end;
	long wrapup = 0;
	int rc;

	if ((colon = strrchr(spec, ':')) == NULL)
		return bc_person_add_login(p, spec, 0, err);
	errno = 0;
	wrapup = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || wrapup < 0 ||
	    wrapup > BC_WRAPUP_MAX)
		return bc_err_set(err, BC_EINVAL, "agent login '%s': wrap-up "
		    "time '%s' is not a number of seconds from 0 to %d", spec,
		    colon + 1, BC_WRAPUP_MAX);
	if ((code = strndup(spec, (size_t)(colon - spec))) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	rc = bc_person_add_login(p, code, (int)wrapup, err);
	free(code);
	return rc;
}

static int
person_valid(const struct bc_person *p, struct bc_err *err)
{
	int rc;

	if ((rc = bc_valid_name("user name", p->username, 0, err)) ||
	    (rc = bc_valid_name("first name", p->first, 1, err)) ||
	    (rc = bc_valid_name("last name", p->last, 1, err)) ||
	    (rc = bc_valid_name("employee id", p->employee_id, 1, err)) ||
	    (rc = bc_valid_name("preferred site", p->preferred_site, 1,
	    err)) ||
	    (rc = bc_valid_name("place name", p->place, 1, err)))
		return rc;
	return bc_rule_person_logins(p, err);
}

/* The checks bc_person_insert() makes, without the store (the XML import). */
int
bc_person_check(const struct bc_person *p, struct bc_err *err)
{
	return person_valid(p, err);
}

/* The person's row id and agent flag; BC_ENOENT when absent. */
static int
person_id(bc_store *s, const char *username, sqlite3_int64 *id, int *agent,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_PERSON_ID, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, username);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*agent = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return BC_OK;
	if (rc == SQLITE_DONE)
		return bc_err_set(err, BC_ENOENT, "person '%s' does not exist",
		    username);
	return bc_sqlite_err(s, rc, err, "read person");
}

/* Binds the fields but the place (?8, left NULL). */
static void
person_bind_fields(sqlite3_stmt *st, const struct bc_person *p)
{
	bc_bind_text(st, 1, p->username);
	bc_bind_text(st, 2, p->first);
	bc_bind_text(st, 3, p->last);
	bc_bind_text(st, 4, p->employee_id);
	sqlite3_bind_int(st, 5, p->agent ? 1 : 0);
	sqlite3_bind_int(st, 6, p->enabled ? 1 : 0);
	bc_bind_text(st, 7, p->preferred_site);
}

static int
person_bind(bc_store *s, sqlite3_stmt *st, const struct bc_person *p,
    struct bc_err *err)
{
	sqlite3_int64 place_id;
	int rc;

	person_bind_fields(st, p);
	if (p->place == NULL)
		return BC_OK;
	if ((rc = bc_place_id(s, p->place, &place_id, err)))
		return rc;
	sqlite3_bind_int64(st, 8, place_id);
	return BC_OK;
}

struct held_login {
	sqlite3_int64	login_id;
	int		wrapup;
};

/* The logins the person holds now into *v (caller frees), *n of them. */
static int
person_held(bc_store *s, sqlite3_int64 id, struct held_login **v, size_t *n,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	struct held_login *nv;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if ((st = bc_stmt(s, SQL_PERSON_HELD, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			if ((nv = realloc(*v, cap * sizeof(*nv))) == NULL) {
				sqlite3_reset(st);
				return bc_err_set(err, BC_ENOMEM,
				    "out of memory");
			}
			*v = nv;
		}
		(*v)[*n].login_id = sqlite3_column_int64(st, 0);
		(*v)[(*n)++].wrapup = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read person");
	return BC_OK;
}

/* Deletes the person's row of one login. */
static int
person_login_drop(bc_store *s, sqlite3_int64 id, sqlite3_int64 login_id,
    struct bc_err *err)
{
	sqlite3_stmt *st;

	if ((st = bc_stmt(s, SQL_PERSON_LOGIN_DROP, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, login_id);
	return bc_step_done(s, st, err, "update person");
}

/*
 * Gives the person exactly the logins listed.  Only what changes is
 * written: a login held and listed again with the same wrap-up time is
 * left alone; one listed with another is deleted and inserted again as
 * a new one would be; those no longer listed are deleted last (none of
 * them can be one listed: logins are listed once, and a login held by
 * this person is held by nobody else).
 */
static int
person_save_logins(bc_store *s, sqlite3_int64 id, const struct bc_person *p,
    int fresh, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 login_id;
	struct held_login *held = NULL;
	size_t i, j, nheld = 0;
	int rc = BC_OK, keep;

	/* a new person holds nothing yet */
	if (!fresh && (rc = person_held(s, id, &held, &nheld, err)))
		goto done;
	for (i = 0; i < p->nlogins; i++) {
		if ((rc = bc_login_id(s, p->logins[i].code, &login_id, err)))
			goto done;
		keep = 0;
		for (j = 0; j < nheld; j++)
			if (held[j].login_id == login_id) {
				keep = held[j].wrapup == p->logins[i].wrapup;
				if (!keep && (rc = person_login_drop(s, id,
				    login_id, err)))
					goto done;
				held[j] = held[--nheld];
				break;
			}
		if (keep)
			continue;
		if ((st = bc_stmt(s, SQL_PERSON_LOGIN_INSERT, err)) == NULL) {
			rc = err->status;
			goto done;
		}
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, login_id);
		sqlite3_bind_int(st, 3, p->logins[i].wrapup);
		rc = bc_step_insert(s, st, "person_login.login_id", err,
		    "update person");
		/* held by someone else: the rule names the holder */
		if (rc == BC_EEXIST && (rc = bc_rule_login_free(s,
		    p->logins[i].code, login_id, id, err)) == BC_OK)
			rc = bc_err_set(err, BC_EINTERNAL, "agent login '%s': "
			    "unexpected duplicate", p->logins[i].code);
		if (rc)
			goto done;
	}
	/* what it held and no longer lists */
	for (j = 0; j < nheld; j++)
		if ((rc = person_login_drop(s, id, held[j].login_id, err)))
			goto done;
	/* a load marks a person that existed before it */
	if (p->nlogins > 0)
		rc = bc_meta_load_mark(s, BC_LOAD_PERSON, id, err);
done:
	free(held);
	return rc;
}

/* Runs the bound INSERT of a new person and marks it for the load. */
static int
person_insert_row(bc_store *s, sqlite3_stmt *st, const struct bc_person *p,
    sqlite3_int64 *id, struct bc_err *err)
{
	int rc;

	rc = bc_step_insert(s, st, "person.username", err, "add person");
	if (rc == BC_EEXIST)
		return bc_err_set(err, BC_EEXIST, "person '%s' already exists",
		    p->username);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(s->db);
	return bc_meta_load_mark(s, BC_LOAD_PERSON, *id, err);
}

int
bc_person_insert(bc_store *s, const struct bc_person *p,
    sqlite3_int64 place_id, const sqlite3_int64 *login_ids,
    sqlite3_int64 *idp, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	size_t i;
	int rc;

	if ((rc = person_valid(p, err)))
		return rc;
	if ((p->place != NULL) != (place_id != 0))
		return bc_err_set(err, BC_EINTERNAL, "person '%s': place "
		    "name and id disagree", p->username);
	if ((st = bc_stmt(s, SQL_PERSON_INSERT, err)) == NULL)
		return err->status;
	person_bind_fields(st, p);
	if (place_id != 0)
		sqlite3_bind_int64(st, 8, place_id);
	if ((rc = person_insert_row(s, st, p, &id, err)))
		return rc;
	*idp = id;
	for (i = 0; i < p->nlogins; i++) {
		if ((st = bc_stmt(s, SQL_PERSON_LOGIN_INSERT, err)) == NULL)
			return err->status;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, login_ids[i]);
		sqlite3_bind_int(st, 3, p->logins[i].wrapup);
		rc = bc_step_insert(s, st, "person_login.login_id", err,
		    "add person");
		if (rc == BC_EEXIST)
			return bc_err_set(err, BC_ERULE, "agent login '%s' is "
			    "held by another person", p->logins[i].code);
		if (rc)
			return rc;
	}
	if (p->nlogins > 0)
		return bc_meta_load_mark(s, BC_LOAD_PERSON, id, err);
	return BC_OK;
}

static int
person_add(bc_store *s, const struct bc_person *p, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	int rc;

	if ((rc = person_valid(p, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_PERSON_INSERT, err)) == NULL)
		return err->status;
	if ((rc = person_bind(s, st, p, err)) ||
	    (rc = person_insert_row(s, st, p, &id, err)))
		return rc;
	return person_save_logins(s, id, p, 1, err);
}

int
bc_person_add(bc_store *s, const struct bc_person *p, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, person_add(s, p, err), err);
}

static int
person_update(bc_store *s, const struct bc_person *p, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id = 0, place_id = 0, old_place = 0;
	int rc, agent = 0;

	if ((rc = person_valid(p, err)))
		return rc;
	/* person_id() and the place it has now, in one read */
	if ((st = bc_stmt(s, SQL_PERSON_ID_PLACE, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, p->username);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		agent = sqlite3_column_int(st, 1);
		old_place = sqlite3_column_int64(st, 2);	/* NULL: 0 */
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return bc_err_set(err, BC_ENOENT, "person '%s' does not exist",
		    p->username);
	if (rc != SQLITE_ROW)
		return bc_sqlite_err(s, rc, err, "read person");
	if (!agent != !p->agent)
		return bc_err_set(err, BC_ERULE, "person '%s': agent flag "
		    "cannot change after creation", p->username);
	if (p->place != NULL &&
	    (rc = bc_place_id(s, p->place, &place_id, err)))
		return rc;
	if ((st = bc_stmt(s, place_id == old_place ?
	    SQL_PERSON_UPDATE_FIELDS : SQL_PERSON_UPDATE, err)) == NULL)
		return err->status;
	person_bind_fields(st, p);
	if (place_id == old_place)
		sqlite3_bind_int64(st, 9, id);
	else if (place_id != 0)
		sqlite3_bind_int64(st, 8, place_id);
	if ((rc = bc_step_done(s, st, err, "update person")))
		return rc;
	return person_save_logins(s, id, p, 0, err);
}

int
bc_person_update(bc_store *s, const struct bc_person *p, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, person_update(s, p, err), err);
}

static int
person_delete(bc_store *s, const char *username, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id = 0;
	int rc, agent;

	if ((rc = person_id(s, username, &id, &agent, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_PERSON_LOGINS_CLEAR, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = bc_step_done(s, st, err, "delete person")))
		return rc;
	if ((st = bc_stmt(s, SQL_PERSON_DELETE, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	return bc_step_done(s, st, err, "delete person");
}

int
bc_person_delete(bc_store *s, const char *username, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, person_delete(s, username, err), err);
}

static int
person_from_row(bc_store *s, sqlite3_stmt *row, struct bc_person *p,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc, nomem = 0;

	bc_person_init(p);
	p->username = bc_column_dup(row, 1, &nomem);
	p->first = bc_column_dup(row, 2, &nomem);
	p->last = bc_column_dup(row, 3, &nomem);
	p->employee_id = bc_column_dup(row, 4, &nomem);
	p->agent = sqlite3_column_int(row, 5) != 0;
	p->enabled = sqlite3_column_int(row, 6) != 0;
	p->preferred_site = bc_column_dup(row, 7, &nomem);
	p->place = bc_column_dup(row, 8, &nomem);
	if (nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((st = bc_stmt(s, SQL_PERSON_LOGINS, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, sqlite3_column_int64(row, 0));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = bc_person_add_login(p, (const char *)
		    sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
		    err))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read person");
	return BC_OK;
}

int
bc_person_get(bc_store *s, const char *username, struct bc_person *p,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	bc_person_init(p);
	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_PERSON_GET, err)) == NULL) {
		bc_read_end(s);
		return err->status;
	}
	bc_bind_text(st, 1, username);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = person_from_row(s, st, p, err);
	else if (rc == SQLITE_DONE)
		rc = bc_err_set(err, BC_ENOENT, "person '%s' does not exist",
		    username);
	else
		rc = bc_sqlite_err(s, rc, err, "read person");
	sqlite3_reset(st);
	if (rc != BC_OK)
		bc_person_clear(p);
	bc_read_end(s);
	return rc;
}

int
bc_person_foreach(bc_store *s, bc_person_cb cb, void *arg,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	struct bc_person p;
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_PERSON_LIST, err)) == NULL) {
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
			rc = bc_sqlite_err(s, rc, err, "list persons");
			break;
		}
		rc = person_from_row(s, st, &p, err);
		if (rc == BC_OK)
			rc = cb(&p, arg);
		bc_person_clear(&p);
		if (rc != BC_OK)
			break;
	}
	sqlite3_reset(st);
	bc_read_end(s);
	return rc;
}
