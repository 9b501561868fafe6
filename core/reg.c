/*
 * reg.c -- SIP registrations (bindings) in the store: the runtime table
 * sip_binding, written by bcsipd in batches and read by 'bcadm reg list'.
 */
#include <stdlib.h>
#include <string.h>

#include "bc-sip.h"
#include "store-internal.h"

static const char SQL_REG_LIST[] =
    "SELECT number, contact, expires_at, call_id, cseq, q, received, "
    "user_agent, updated_at FROM sip_binding "
    "WHERE (?1 IS NULL OR number = ?1) AND (?2 = 0 OR expires_at > ?2) "
    "ORDER BY number, contact";
static const char SQL_REG_DELETE[] =
    "DELETE FROM sip_binding WHERE number = ?1";
static const char SQL_REG_INSERT[] =
    "INSERT OR REPLACE INTO sip_binding (number, contact, expires_at, "
    "call_id, cseq, q, received, user_agent, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_REG_EXPIRE[] =
    "DELETE FROM sip_binding WHERE expires_at <= ?1";

void
bc_binding_clear(struct bc_binding *b)
{
	free(b->number);
	free(b->contact);
	free(b->call_id);
	free(b->received);
	free(b->user_agent);
	memset(b, 0, sizeof(*b));
}

static int
reg_foreach(bc_store *s, const char *number, long long now, bc_binding_cb cb,
    void *arg, struct bc_err *err)
{
	struct bc_binding b;
	sqlite3_stmt *st;
	int rc, nomem;

	if ((st = bc_stmt(s, SQL_REG_LIST, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, number);
	sqlite3_bind_int64(st, 2, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&b, 0, sizeof(b));
		nomem = 0;
		b.number = bc_column_dup(st, 0, &nomem);
		b.contact = bc_column_dup(st, 1, &nomem);
		b.expires_at = sqlite3_column_int64(st, 2);
		b.call_id = bc_column_dup(st, 3, &nomem);
		b.cseq = (unsigned long)sqlite3_column_int64(st, 4);
		b.q = sqlite3_column_int(st, 5);
		b.received = bc_column_dup(st, 6, &nomem);
		b.user_agent = bc_column_dup(st, 7, &nomem);
		b.updated_at = sqlite3_column_int64(st, 8);
		if (nomem) {
			bc_binding_clear(&b);
			sqlite3_reset(st);
			return bc_err_set(err, BC_ENOMEM, "out of memory");
		}
		rc = cb(&b, arg);
		bc_binding_clear(&b);
		if (rc != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read registrations");
	return BC_OK;
}

int
bc_reg_foreach(bc_store *s, const char *number, long long now,
    bc_binding_cb cb, void *arg, struct bc_err *err)
{
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	rc = reg_foreach(s, number, now, cb, arg, err);
	bc_tx_rollback(s);
	return rc;
}

static int
reg_replace(bc_store *s, const char *number, const struct bc_binding *v,
    size_t n, struct bc_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((st = bc_stmt(s, SQL_REG_DELETE, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, number);
	if ((rc = bc_step_done(s, st, err, "write registrations")))
		return rc;
	for (i = 0; i < n; i++) {
		if (v[i].contact == NULL || v[i].call_id == NULL)
			return bc_err_set(err, BC_EINVAL, "binding of '%s' "
			    "without contact or call-id", number);
		if ((st = bc_stmt(s, SQL_REG_INSERT, err)) == NULL)
			return err->status;
		bc_bind_text(st, 1, number);
		bc_bind_text(st, 2, v[i].contact);
		sqlite3_bind_int64(st, 3, v[i].expires_at);
		bc_bind_text(st, 4, v[i].call_id);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)v[i].cseq);
		sqlite3_bind_int(st, 6, v[i].q < 0 ? 0 : v[i].q > 1000 ? 1000 :
		    v[i].q);
		bc_bind_text(st, 7, v[i].received);
		bc_bind_text(st, 8, v[i].user_agent);
		sqlite3_bind_int64(st, 9, v[i].updated_at);
		if ((rc = bc_step_done(s, st, err, "write registrations")))
			return rc;
	}
	return BC_OK;
}

int
bc_reg_replace(bc_store *s, const char *number, const struct bc_binding *v,
    size_t n, struct bc_err *err)
{
	int rc;

	if (number == NULL || *number == '\0')
		return bc_err_set(err, BC_EINVAL, "binding without a number");
	if ((rc = bc_tx_begin(s, err)))
		return rc;
	rc = reg_replace(s, number, v, n, err);
	return bc_tx_end(s, rc, err);
}

int
bc_reg_expire(bc_store *s, long long now, size_t *count, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (count != NULL)
		*count = 0;
	if ((rc = bc_tx_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_REG_EXPIRE, err)) == NULL)
		return bc_tx_end(s, err->status, err);
	sqlite3_bind_int64(st, 1, now);
	rc = bc_step_done(s, st, err, "expire registrations");
	if (rc == BC_OK && count != NULL)
		*count = (size_t)sqlite3_changes(s->db);
	return bc_tx_end(s, rc, err);
}

int
bc_reg_writer(bc_store *s, struct bc_err *err)
{
	int rc;

	if (s->depth > 0)
		return bc_err_set(err, BC_EINTERNAL, "bc_reg_writer inside a "
		    "transaction");
	rc = sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL,
	    NULL);
	return rc == SQLITE_OK ? BC_OK : bc_sqlite_err(s, rc, err,
	    "set synchronous");
}

