/*
 * conflict.c -- conflicts met by two-way synchronization: listing them
 * and closing them (bcadm conflicts).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bc-sync.h"
#include "store-internal.h"

#define CONFLICT_COLUMNS "SELECT id, kind, key, local_site, local_hlc, " \
    "local_doc, peer_site, peer_hlc, peer_doc, kept, detected_at, " \
    "coalesce(resolved_at, 0) FROM conflict "
static const char SQL_CONFLICT_LIST[] = CONFLICT_COLUMNS
    "WHERE ?1 = 0 OR resolved_at IS NULL ORDER BY id";
static const char SQL_CONFLICT_GET[] = CONFLICT_COLUMNS "WHERE id = ?1";
static const char SQL_CONFLICT_CLOSE[] =
    "UPDATE conflict SET resolved_at = ?2 WHERE id = ?1";
static const char SQL_CONFLICT_COUNT[] =
    "SELECT count(*) FROM conflict WHERE resolved_at IS NULL";

void
bc_conflict_clear(struct bc_conflict *c)
{
	free(c->kind);
	free(c->key);
	free(c->local_site);
	free(c->local_doc);
	free(c->peer_site);
	free(c->peer_doc);
	free(c->kept);
	memset(c, 0, sizeof(*c));
}

static int
conflict_from_row(sqlite3_stmt *st, struct bc_conflict *c, struct bc_err *err)
{
	int nomem = 0;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->kind = bc_column_dup(st, 1, &nomem);
	c->key = bc_column_dup(st, 2, &nomem);
	c->local_site = bc_column_dup(st, 3, &nomem);
	c->local_hlc = sqlite3_column_int64(st, 4);
	c->local_doc = bc_column_dup(st, 5, &nomem);
	c->peer_site = bc_column_dup(st, 6, &nomem);
	c->peer_hlc = sqlite3_column_int64(st, 7);
	c->peer_doc = bc_column_dup(st, 8, &nomem);
	c->kept = bc_column_dup(st, 9, &nomem);
	c->detected_at = sqlite3_column_int64(st, 10);
	c->resolved_at = sqlite3_column_int64(st, 11);
	if (nomem) {
		bc_conflict_clear(c);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	return BC_OK;
}

int
bc_conflict_foreach(bc_store *s, int open_only, bc_conflict_cb cb, void *arg,
    struct bc_err *err)
{
	struct bc_conflict c;
	sqlite3_stmt *st;
	int rc, step = SQLITE_DONE;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_CONFLICT_LIST, err)) == NULL) {
		bc_read_end(s);
		return err->status;
	}
	sqlite3_bind_int(st, 1, open_only);
	while (rc == BC_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = conflict_from_row(st, &c, err)) == BC_OK)
			rc = cb(&c, arg);
		bc_conflict_clear(&c);
	}
	if (rc == BC_OK && step != SQLITE_DONE)
		rc = bc_sqlite_err(s, step, err, "list conflicts");
	sqlite3_reset(st);
	bc_read_end(s);
	return rc;
}

static int
conflict_get(bc_store *s, long long id, struct bc_conflict *c,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((st = bc_stmt(s, SQL_CONFLICT_GET, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = conflict_from_row(st, c, err);
	else if (rc == SQLITE_DONE)
		rc = bc_err_set(err, BC_ENOENT, "conflict %lld does not exist",
		    id);
	else
		rc = bc_sqlite_err(s, rc, err, "read conflict");
	sqlite3_reset(st);
	return rc;
}

int
bc_conflict_get(bc_store *s, long long id, struct bc_conflict *c,
    struct bc_err *err)
{
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	rc = conflict_get(s, id, c, err);
	bc_read_end(s);
	return rc;
}

static int
conflict_resolve(bc_store *s, long long id, int keep_peer,
    struct bc_err *err)
{
	struct bc_conflict c;
	sqlite3_stmt *st;
	int rc, kept_peer;

	if ((rc = conflict_get(s, id, &c, err)))
		return rc;
	if (c.resolved_at != 0) {
		rc = bc_err_set(err, BC_ERULE, "conflict %lld is already "
		    "resolved", id);
		goto done;
	}
	kept_peer = strcmp(c.kept, "peer") == 0;
	/* the version not kept becomes this site's newest change */
	if (kept_peer != keep_peer &&
	    (rc = bc_doc_apply(s, c.kind, c.key, keep_peer ? c.peer_doc :
	    c.local_doc, err)))
		goto done;
	if ((rc = bc_meta_touch(s, c.kind, c.key, err)))
		goto done;
	if ((st = bc_stmt(s, SQL_CONFLICT_CLOSE, err)) == NULL) {
		rc = err->status;
		goto done;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	rc = bc_step_done(s, st, err, "resolve conflict");
done:
	bc_conflict_clear(&c);
	return rc;
}

int
bc_conflict_resolve(bc_store *s, long long id, int keep_peer,
    struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, conflict_resolve(s, id, keep_peer, err), err);
}

int
bc_conflicts_open(bc_store *s, long long *count, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_CONFLICT_COUNT, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	*count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return bc_sqlite_err(s, rc, err, "count conflicts");
	return BC_OK;
}
