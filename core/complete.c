/*
 * complete.c -- identities of objects by prefix, for the console's Tab
 * completion.  Index range scans: fast on large stores.
 */
#include "store-internal.h"

/* ?1 prefix, ?2 the prefix's upper bound, ?3 limit */
static const char *const names_sql[] = {
	[BC_KIND_DN] = "SELECT DISTINCT number FROM dn WHERE number >= ?1 "
	    "AND number < ?2 ORDER BY number LIMIT ?3",
	[BC_KIND_PLACE] = "SELECT name FROM place WHERE name >= ?1 "
	    "AND name < ?2 ORDER BY name LIMIT ?3",
	[BC_KIND_PERSON] = "SELECT username FROM person WHERE username >= ?1 "
	    "AND username < ?2 ORDER BY username LIMIT ?3",
	[BC_KIND_LOGIN] = "SELECT code FROM agent_login WHERE code >= ?1 "
	    "AND code < ?2 ORDER BY code LIMIT ?3",
};

int
bc_names(bc_store *s, enum bc_kind kind, const char *prefix, size_t limit,
    bc_name_cb cb, void *arg, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((unsigned)kind > BC_KIND_LOGIN)
		return bc_err_set(err, BC_EINVAL, "unknown kind of object");
	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, names_sql[kind], err)) == NULL) {
		bc_read_end(s);
		return err->status;
	}
	/* every text starting with prefix sorts below prefix + U+10FFFF */
	bc_bind_text(st, 1, prefix);
	sqlite3_bind_text(st, 2, sqlite3_mprintf("%s\xf4\x8f\xbf\xbf", prefix),
	    -1, sqlite3_free);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	rc = BC_OK;
	while (rc == BC_OK && sqlite3_step(st) == SQLITE_ROW)
		rc = cb((const char *)sqlite3_column_text(st, 0), arg);
	sqlite3_reset(st);
	bc_read_end(s);
	return rc;
}
