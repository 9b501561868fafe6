/*
 * agent.c -- runtime state of the SIP core in the store: agents logged in
 * at this site (agent_state) and bcsipd's status (sip_status).  Runtime
 * tables, never synchronized; see schema/007-agent-state.sql.
 */
#include <stdlib.h>
#include <string.h>

#include "bc-agent.h"
#include "store-internal.h"

#define AGENT_COLS \
    "code, person, dn, ready, calls, logout_pending, login_at, state_at, " \
    "idle_since"

static const char SQL_AGENT_GET[] =
    "SELECT " AGENT_COLS " FROM agent_state WHERE code = ?1";
static const char SQL_AGENT_ON_DN[] =
    "SELECT " AGENT_COLS " FROM agent_state WHERE dn = ?1";
static const char SQL_AGENT_OF_PERSON[] =
    "SELECT " AGENT_COLS " FROM agent_state WHERE person = ?1";
static const char SQL_AGENT_LIST[] =
    "SELECT " AGENT_COLS " FROM agent_state ORDER BY code";
static const char SQL_AGENT_IDLE[] =
    "SELECT " AGENT_COLS " FROM agent_state "
    "WHERE ready = 1 AND calls = 0 AND logout_pending = 0 "
    "ORDER BY idle_since, code";
static const char SQL_AGENT_INSERT[] =
    "INSERT INTO agent_state (code, person, dn, ready, calls, "
    "logout_pending, login_at, state_at, idle_since) "
    "VALUES (?1, ?2, ?3, 0, 0, 0, ?4, ?4, ?4)";
static const char SQL_AGENT_DELETE[] =
    "DELETE FROM agent_state WHERE code = ?1";
static const char SQL_AGENT_READY[] =
    "UPDATE agent_state SET ready = ?2, state_at = ?3, "
    "idle_since = CASE WHEN ?2 = 1 AND ready = 0 THEN ?3 "
    "ELSE idle_since END WHERE code = ?1";
static const char SQL_AGENT_CALL_BEGIN[] =
    "UPDATE agent_state SET calls = calls + 1, state_at = ?2 "
    "WHERE code = ?1";
static const char SQL_AGENT_CALL_END[] =
    "UPDATE agent_state SET calls = max(calls - 1, 0), "
    "state_at = ?2, idle_since = CASE WHEN calls <= 1 THEN ?2 "
    "ELSE idle_since END WHERE code = ?1";
static const char SQL_AGENT_DROP_PENDING[] =
    "DELETE FROM agent_state WHERE code = ?1 AND calls = 0 "
    "AND logout_pending = 1";
static const char SQL_AGENT_RESET[] =
    "UPDATE agent_state SET calls = 0, state_at = ?1, idle_since = ?1 "
    "WHERE calls > 0";
static const char SQL_AGENT_DROP_IDLE[] =
    "DELETE FROM agent_state WHERE calls = 0";
static const char SQL_AGENT_COUNT[] =
    "SELECT count(*) FROM agent_state";
static const char SQL_AGENT_MARK_BUSY[] =
    "UPDATE agent_state SET logout_pending = 1 WHERE calls > 0";

static const char SQL_STATUS_GET[] =
    "SELECT name, value, detail, since FROM sip_status WHERE name = ?1";
static const char SQL_STATUS_LIST[] =
    "SELECT name, value, detail, since FROM sip_status ORDER BY name";
static const char SQL_STATUS_PUT[] =
    "INSERT INTO sip_status (name, value, detail, since) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET "
    "since = CASE WHEN value = excluded.value THEN since "
    "ELSE excluded.since END, value = excluded.value, "
    "detail = excluded.detail";
static const char SQL_STATUS_DELETE[] =
    "DELETE FROM sip_status WHERE name = ?1";

void
bc_agent_clear(struct bc_agent *a)
{
	free(a->code);
	free(a->person);
	free(a->dn);
	memset(a, 0, sizeof(*a));
}

const char *
bc_agent_state_name(const struct bc_agent *a)
{
	if (a->calls > 0)
		return "busy";
	return a->ready ? "ready" : "not-ready";
}

static int
agent_from_row(sqlite3_stmt *st, struct bc_agent *a, struct bc_err *err)
{
	int nomem = 0;

	memset(a, 0, sizeof(*a));
	a->code = bc_column_dup(st, 0, &nomem);
	a->person = bc_column_dup(st, 1, &nomem);
	a->dn = bc_column_dup(st, 2, &nomem);
	a->ready = sqlite3_column_int(st, 3);
	a->calls = sqlite3_column_int(st, 4);
	a->logout_pending = sqlite3_column_int(st, 5);
	a->login_at = sqlite3_column_int64(st, 6);
	a->state_at = sqlite3_column_int64(st, 7);
	a->idle_since = sqlite3_column_int64(st, 8);
	if (nomem || a->code == NULL || a->person == NULL || a->dn == NULL) {
		bc_agent_clear(a);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	return BC_OK;
}

/*
 * One agent by a key (sql takes it as ?1), inside the caller's read or
 * write level.  BC_ENOENT without a message when there is none.
 */
static int
agent_one(bc_store *s, const char *sql, const char *key, struct bc_agent *a,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((st = bc_stmt(s, sql, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = agent_from_row(st, a, err);
	else if (rc == SQLITE_DONE)
		rc = BC_ENOENT;
	else
		rc = bc_sqlite_err(s, rc, err, "read agent state");
	sqlite3_reset(st);
	return rc;
}

/* The extension of number, or why an agent cannot log in on it. */
static int
login_dn(bc_store *s, const char *number, struct bc_err *err)
{
	const enum bc_dn_type ext = BC_DN_EXTENSION;
	struct bc_dn dn;
	int rc;

	rc = bc_dn_get(s, number, &ext, &dn, err);
	if (rc == BC_ENOENT) {
		/* does the number exist with another type? */
		bc_dn_clear(&dn);
		rc = bc_dn_get(s, number, NULL, &dn, err);
		if (rc == BC_OK)
			rc = bc_err_set(err, BC_ERULE, "dn '%s' is of type "
			    "%s, not an extension: agents log in on "
			    "extensions", number, bc_dn_type_name(dn.type));
		else if (rc == BC_EAMBIG)
			rc = bc_err_set(err, BC_ERULE, "dn '%s' is not an "
			    "extension: agents log in on extensions", number);
		bc_dn_clear(&dn);
		return rc;
	}
	if (rc == BC_OK && !dn.enabled)
		rc = bc_err_set(err, BC_ERULE, "extension '%s' is disabled",
		    number);
	bc_dn_clear(&dn);
	return rc;
}

/* The enabled person holding login code, into *person (caller frees). */
static int
login_person(bc_store *s, const char *code, char **person,
    struct bc_err *err)
{
	struct bc_login l;
	struct bc_person p;
	int rc;

	*person = NULL;
	if ((rc = bc_login_get(s, code, &l, err)))
		return rc;
	if (!l.enabled)
		rc = bc_err_set(err, BC_ERULE, "agent login '%s' is disabled",
		    code);
	else if (l.person == NULL)
		rc = bc_err_set(err, BC_ERULE, "agent login '%s' is held by no "
		    "person", code);
	else if ((rc = bc_person_get(s, l.person, &p, err)) == BC_OK) {
		if (!p.enabled)
			rc = bc_err_set(err, BC_ERULE, "person '%s' holding "
			    "agent login '%s' is disabled", l.person, code);
		else if ((*person = strdup(l.person)) == NULL)
			rc = bc_err_set(err, BC_ENOMEM, "out of memory");
		bc_person_clear(&p);
	}
	bc_login_clear(&l);
	return rc;
}

static int
agent_login(bc_store *s, const char *code, const char *number,
    long long now, struct bc_err *err)
{
	struct bc_agent a;
	sqlite3_stmt *st;
	char *person = NULL;
	int rc;

	if ((rc = login_person(s, code, &person, err)) ||
	    (rc = login_dn(s, number, err)))
		goto out;
	rc = agent_one(s, SQL_AGENT_OF_PERSON, person, &a, err);
	if (rc == BC_OK) {
		if (strcmp(a.code, code) == 0)
			rc = bc_err_set(err, BC_ERULE, "agent login '%s' is "
			    "logged in already (person '%s', dn '%s')", code,
			    person, a.dn);
		else
			rc = bc_err_set(err, BC_ERULE, "person '%s' of agent "
			    "login '%s' is logged in already with login '%s' "
			    "on dn '%s'", person, code, a.code, a.dn);
		bc_agent_clear(&a);
		goto out;
	}
	if (rc != BC_ENOENT)
		goto out;
	rc = agent_one(s, SQL_AGENT_ON_DN, number, &a, err);
	if (rc == BC_OK) {
		rc = bc_err_set(err, BC_ERULE, "dn '%s' has agent login '%s' "
		    "(person '%s') logged in already", number, a.code,
		    a.person);
		bc_agent_clear(&a);
		goto out;
	}
	if (rc != BC_ENOENT)
		goto out;
	if ((st = bc_stmt(s, SQL_AGENT_INSERT, err)) == NULL) {
		rc = err->status;
		goto out;
	}
	bc_bind_text(st, 1, code);
	bc_bind_text(st, 2, person);
	bc_bind_text(st, 3, number);
	sqlite3_bind_int64(st, 4, now);
	rc = bc_step_done(s, st, err, "log in agent");
out:
	free(person);
	return rc;
}

int
bc_agent_login(bc_store *s, const char *code, const char *number,
    long long now, struct bc_err *err)
{
	int rc;

	if (code == NULL || number == NULL)
		return bc_err_set(err, BC_EINVAL, "agent login without a "
		    "code or a dn");
	if ((rc = bc_tx_begin(s, err)))
		return rc;
	rc = agent_login(s, code, number, now, err);
	return bc_tx_end(s, rc, err);
}

/* Runs a one-key update; BC_ENOENT with a message when no row changed. */
static int
agent_update(bc_store *s, const char *sql, const char *code, int ready,
    long long now, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, sql, err)) == NULL)
		return bc_tx_end(s, err->status, err);
	bc_bind_text(st, 1, code);
	if (sql == SQL_AGENT_READY) {
		sqlite3_bind_int(st, 2, ready);
		sqlite3_bind_int64(st, 3, now);
	} else if (sql != SQL_AGENT_DELETE)
		sqlite3_bind_int64(st, 2, now);
	rc = bc_step_done(s, st, err, "write agent state");
	if (rc == BC_OK && sqlite3_changes(s->db) == 0)
		rc = bc_err_set(err, BC_ENOENT, "agent login '%s' is not "
		    "logged in", code);
	return bc_tx_end(s, rc, err);
}

int
bc_agent_logout(bc_store *s, const char *code, struct bc_err *err)
{
	return agent_update(s, SQL_AGENT_DELETE, code, 0, 0, err);
}

int
bc_agent_set_ready(bc_store *s, const char *code, int ready, long long now,
    struct bc_err *err)
{
	return agent_update(s, SQL_AGENT_READY, code, ready != 0, now, err);
}

int
bc_agent_call_begin(bc_store *s, const char *code, long long now,
    struct bc_err *err)
{
	return agent_update(s, SQL_AGENT_CALL_BEGIN, code, 0, now, err);
}

int
bc_agent_call_end(bc_store *s, const char *code, long long now,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_AGENT_CALL_END, err)) == NULL)
		return bc_tx_end(s, err->status, err);
	bc_bind_text(st, 1, code);
	sqlite3_bind_int64(st, 2, now);
	if ((rc = bc_step_done(s, st, err, "write agent state")) == BC_OK) {
		if ((st = bc_stmt(s, SQL_AGENT_DROP_PENDING, err)) == NULL)
			rc = err->status;
		else {
			bc_bind_text(st, 1, code);
			rc = bc_step_done(s, st, err, "log out agent");
		}
	}
	return bc_tx_end(s, rc, err);
}

/* Runs a statement whose only parameter (if any) is now. */
static int
agent_exec(bc_store *s, const char *sql, long long now, struct bc_err *err)
{
	sqlite3_stmt *st;

	if ((st = bc_stmt(s, sql, err)) == NULL)
		return err->status;
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, now);
	return bc_step_done(s, st, err, "write agent state");
}

int
bc_agent_calls_reset(bc_store *s, long long now, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	rc = agent_exec(s, SQL_AGENT_RESET, now, err);
	return bc_tx_end(s, rc, err);
}

int
bc_agent_logout_idle(bc_store *s, size_t *left, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (left != NULL)
		*left = 0;
	if ((rc = bc_tx_begin(s, err)))
		return rc;
	if ((rc = agent_exec(s, SQL_AGENT_DROP_IDLE, 0, err)) == BC_OK &&
	    (rc = agent_exec(s, SQL_AGENT_MARK_BUSY, 0, err)) == BC_OK &&
	    left != NULL) {
		if ((st = bc_stmt(s, SQL_AGENT_COUNT, err)) == NULL)
			rc = err->status;
		else {
			if (sqlite3_step(st) == SQLITE_ROW)
				*left = (size_t)sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
		}
	}
	return bc_tx_end(s, rc, err);
}

int
bc_agent_get(bc_store *s, const char *code, struct bc_agent *a,
    struct bc_err *err)
{
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	rc = agent_one(s, SQL_AGENT_GET, code, a, err);
	bc_read_end(s);
	if (rc == BC_ENOENT)
		rc = bc_err_set(err, BC_ENOENT, "agent login '%s' is not "
		    "logged in", code);
	return rc;
}

int
bc_agent_on_dn(bc_store *s, const char *number, struct bc_agent *a,
    struct bc_err *err)
{
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	rc = agent_one(s, SQL_AGENT_ON_DN, number, a, err);
	bc_read_end(s);
	if (rc == BC_ENOENT)
		rc = bc_err_set(err, BC_ENOENT, "no agent is logged in on dn "
		    "'%s'", number);
	return rc;
}

/* Walks the rows of sql; cb's non-zero return stops and is returned. */
static int
agent_walk(bc_store *s, const char *sql, bc_agent_cb cb, void *arg,
    struct bc_err *err)
{
	struct bc_agent a;
	sqlite3_stmt *st;
	int rc, src;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, sql, err)) == NULL) {
		bc_read_end(s);
		return err->status;
	}
	rc = BC_OK;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = agent_from_row(st, &a, err)) != BC_OK)
			break;
		rc = cb(&a, arg);
		bc_agent_clear(&a);
		if (rc != 0)
			break;
	}
	if (rc == BC_OK && src != SQLITE_DONE)
		rc = bc_sqlite_err(s, src, err, "read agent state");
	sqlite3_reset(st);
	bc_read_end(s);
	return rc;
}

int
bc_agent_foreach(bc_store *s, bc_agent_cb cb, void *arg, struct bc_err *err)
{
	return agent_walk(s, SQL_AGENT_LIST, cb, arg, err);
}

struct pick {
	int		 (*usable)(const char *, void *);
	void		*arg;
	struct bc_agent	*out;
	int		 found;
	int		 nomem;
};

/* Stops (1) at the first agent whose DN is usable, keeping a copy. */
static int
pick_one(const struct bc_agent *a, void *arg)
{
	struct pick *p = arg;

	if (p->usable != NULL && !p->usable(a->dn, p->arg))
		return 0;
	p->found = 1;
	*p->out = *a;
	p->out->code = strdup(a->code);
	p->out->person = strdup(a->person);
	p->out->dn = strdup(a->dn);
	if (p->out->code == NULL || p->out->person == NULL ||
	    p->out->dn == NULL) {
		bc_agent_clear(p->out);
		p->nomem = 1;
	}
	return 1;
}

int
bc_agent_pick(bc_store *s, int (*usable)(const char *, void *), void *arg,
    struct bc_agent *out, struct bc_err *err)
{
	struct pick p = { usable, arg, out, 0, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = agent_walk(s, SQL_AGENT_IDLE, pick_one, &p, err);
	if (p.nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if (p.found)
		return BC_OK;
	if (rc == BC_OK)
		return bc_err_set(err, BC_ENOENT, "no ready agent");
	return rc;
}

/* ---- bcsipd's status ------------------------------------------------ */

void
bc_sip_status_clear(struct bc_sip_status *st)
{
	free(st->name);
	free(st->value);
	free(st->detail);
	memset(st, 0, sizeof(*st));
}

static int
status_from_row(sqlite3_stmt *st, struct bc_sip_status *out,
    struct bc_err *err)
{
	int nomem = 0;

	memset(out, 0, sizeof(*out));
	out->name = bc_column_dup(st, 0, &nomem);
	out->value = bc_column_dup(st, 1, &nomem);
	out->detail = bc_column_dup(st, 2, &nomem);
	out->since = sqlite3_column_int64(st, 3);
	if (nomem || out->name == NULL || out->value == NULL) {
		bc_sip_status_clear(out);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	return BC_OK;
}

int
bc_sip_status_set(bc_store *s, const char *name, const char *value,
    const char *detail, long long now, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (name == NULL || *name == '\0')
		return bc_err_set(err, BC_EINVAL, "sip status without a name");
	if ((rc = bc_tx_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, value != NULL ? SQL_STATUS_PUT :
	    SQL_STATUS_DELETE, err)) == NULL)
		return bc_tx_end(s, err->status, err);
	bc_bind_text(st, 1, name);
	if (value != NULL) {
		bc_bind_text(st, 2, value);
		bc_bind_text(st, 3, detail);
		sqlite3_bind_int64(st, 4, now);
	}
	rc = bc_step_done(s, st, err, "write sip status");
	return bc_tx_end(s, rc, err);
}

int
bc_sip_status_get(bc_store *s, const char *name, struct bc_sip_status *out,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_STATUS_GET, err)) == NULL) {
		bc_read_end(s);
		return err->status;
	}
	bc_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = status_from_row(st, out, err);
	else if (rc == SQLITE_DONE)
		rc = bc_err_set(err, BC_ENOENT, "sip status '%s' is not set",
		    name);
	else
		rc = bc_sqlite_err(s, rc, err, "read sip status");
	sqlite3_reset(st);
	bc_read_end(s);
	return rc;
}

int
bc_sip_status_foreach(bc_store *s, bc_sip_status_cb cb, void *arg,
    struct bc_err *err)
{
	struct bc_sip_status v;
	sqlite3_stmt *st;
	int rc, src;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_STATUS_LIST, err)) == NULL) {
		bc_read_end(s);
		return err->status;
	}
	rc = BC_OK;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = status_from_row(st, &v, err)) != BC_OK)
			break;
		rc = cb(&v, arg);
		bc_sip_status_clear(&v);
		if (rc != 0)
			break;
	}
	if (rc == BC_OK && src != SQLITE_DONE)
		rc = bc_sqlite_err(s, src, err, "read sip status");
	sqlite3_reset(st);
	bc_read_end(s);
	return rc;
}
