/*
 * store.c -- opening a site store, schema migrations, transactions and
 * the prepared statement cache.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store-internal.h"

char *
bc_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

int
bc_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

char *
bc_column_dup(sqlite3_stmt *st, int i, int *nomem)
{
	const unsigned char *t;
	char *r;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(st, i);
	if (t == NULL || (r = strdup((const char *)t)) == NULL) {
		*nomem = 1;
		return NULL;
	}
	return r;
}

int
bc_sqlite_err(bc_store *s, int rc, struct bc_err *err, const char *what)
{
	const char *m = sqlite3_errmsg(s->db);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return bc_err_set(err, BC_EBUSY, "store '%s' is busy: locked "
		    "by another process (%s)", s->path, what);
	case SQLITE_READONLY:
		return bc_err_set(err, BC_ECREATE, "store '%s' is read-only",
		    s->path);
	case SQLITE_NOTADB:
		return bc_err_set(err, BC_ENOSTORE, "cannot open store '%s': "
		    "file is not a database", s->path);
	case SQLITE_CORRUPT:
		return bc_err_set(err, BC_ENOSTORE, "store '%s' is corrupt: %s",
		    s->path, m);
	case SQLITE_CANTOPEN:
		return bc_err_set(err, BC_ENOSTORE, "cannot open store '%s': "
		    "%s", s->path, m);
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return bc_err_set(err, BC_EIO, "store '%s': cannot %s: %s",
		    s->path, what, m);
	case SQLITE_NOMEM:
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	case SQLITE_CONSTRAINT:
		return bc_err_set(err, BC_ERULE, "cannot %s: %s", what, m);
	}
	return bc_err_set(err, BC_EINTERNAL, "store '%s': cannot %s: %s",
	    s->path, what, m);
}

sqlite3_stmt *
bc_stmt(bc_store *s, const char *sql, struct bc_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			st = s->cache[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (s->ncache == BC_STMT_CACHE) {
		bc_err_set(err, BC_EINTERNAL, "statement cache full");
		return NULL;
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL);
	if (rc != SQLITE_OK) {
		bc_sqlite_err(s, rc, err, "prepare statement");
		return NULL;
	}
	s->cache[s->ncache].sql = sql;
	s->cache[s->ncache].stmt = st;
	s->ncache++;
	return st;
}

int
bc_step_done(bc_store *s, sqlite3_stmt *st, struct bc_err *err,
    const char *what)
{
	int rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return BC_OK;
	return bc_sqlite_err(s, rc, err, what);
}

int
bc_step_insert(bc_store *s, sqlite3_stmt *st, const char *unique,
    struct bc_err *err, const char *what)
{
	int rc, dup;

	rc = sqlite3_step(st);
	dup = (rc == SQLITE_CONSTRAINT_UNIQUE ||
	    rc == SQLITE_CONSTRAINT_PRIMARYKEY) &&
	    strstr(sqlite3_errmsg(s->db), unique) != NULL;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return BC_OK;
	if (dup)
		return BC_EEXIST;
	return bc_sqlite_err(s, rc, err, what);
}

static int
exec(bc_store *s, const char *sql, struct bc_err *err, const char *what)
{
	int rc;

	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, what);
	return BC_OK;
}

/*
 * Transaction statements are prepared once: every library write runs at
 * least one level, so they are on the hot path.  Nested levels reuse one
 * savepoint name; SQLite resolves a name to the innermost savepoint.
 */
static const char SQL_BEGIN_WRITE[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_READ[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT bc";
static const char SQL_RELEASE[] = "RELEASE bc";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO bc";
/*
 * Page cache: 8 MiB for ordinary work, so that streaming reads (diff) stay
 * small whatever the store's size; 256 MiB during a bulk transaction, so
 * that a large write is not spilled to the WAL page by page.
 */
static const char SQL_CACHE_SMALL[] = "PRAGMA cache_size=-8192";
static const char SQL_CACHE_BULK[] = "PRAGMA cache_size=-262144";

/* One integer from a query without parameters. */
static int
query_int(bc_store *s, const char *sql, long long *out, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, "read store");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return bc_sqlite_err(s, rc, err, "read store");
	return BC_OK;
}

int
bc_schema_latest(void)
{
	return bc_schema_count;
}

int
bc_store_schema_version(bc_store *s)
{
	long long v = -1;
	struct bc_err e;

	if (query_int(s, "PRAGMA user_version", &v, &e) != BC_OK)
		return -1;
	return (int)v;
}

/* Applies migrations from version `from` to the latest, in one transaction. */
static int
migrate(bc_store *s, long long from, struct bc_err *err)
{
	char sql[64];
	long long v;
	int i, rc;

	if (s->readonly)
		return bc_err_set(err, BC_ECREATE, "store '%s' is read-only and "
		    "needs an upgrade from schema version %lld to %d", s->path,
		    from, bc_schema_count);
	/*
	 * A new store gets 16 KiB pages (SQLite's default is 4 KiB): fewer,
	 * fuller b-tree pages make a bulk load about a fifth faster and its
	 * commit write fewer WAL frames.  Only before the first write; a
	 * store keeps the page size it was created with.
	 */
	if (from == 0 &&
	    (rc = exec(s, "PRAGMA page_size=16384", err, "set page size")))
		return rc;
	if ((rc = exec(s, "PRAGMA journal_mode=WAL", err, "set WAL mode")))
		return rc;
	if ((rc = exec(s, "BEGIN IMMEDIATE", err, "upgrade schema")))
		return rc;
	/* another process may have migrated while we waited for the lock */
	if ((rc = query_int(s, "PRAGMA user_version", &v, err)))
		goto fail;
	if (v > bc_schema_count) {
		rc = bc_err_set(err, BC_ENOSTORE, "store '%s' has schema "
		    "version %lld, newer than this sipbc reads (%d): upgrade "
		    "sipbc", s->path, v, bc_schema_count);
		goto fail;
	}
	/* in order of their number, which may leave gaps (schema/embed.sh) */
	for (i = 0; i < bc_schema_nmigrations; i++) {
		if (bc_schema_versions[i] <= v)
			continue;
		if ((rc = exec(s, bc_schema_migrations[i], err,
		    "upgrade schema")))
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", bc_schema_count);
	if ((rc = exec(s, sql, err, "upgrade schema")) ||
	    (rc = exec(s, "COMMIT", err, "upgrade schema")))
		goto fail;
	return BC_OK;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * PRAGMA journal_mode=MODE (it needs the store to itself), waiting for
 * other connections as long as the busy timeout when wait, else not at
 * all: 1 when the store is in MODE after it.
 */
static int
journal_mode(bc_store *s, const char *mode, int wait)
{
	sqlite3_stmt *st;
	char sql[40];
	int ok = 0;

	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s", mode);
	if (!wait)
		sqlite3_busy_timeout(s->db, 0);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			ok = sqlite3_column_text(st, 0) != NULL &&
			    strcasecmp((const char *)sqlite3_column_text(st, 0),
			    mode) == 0;
		sqlite3_finalize(st);
	}
	sqlite3_busy_timeout(s->db, s->busy_ms);
	return ok;
}

/*
 * A store is in WAL mode (migrate() sets it); one that a fill left in
 * its rollback journal (the filling process died) goes back to it here,
 * as soon as no other connection has it open.
 */
static void
wal_again(bc_store *s)
{
	sqlite3_stmt *st;
	int wal = 1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		wal = strcasecmp((const char *)sqlite3_column_text(st, 0),
		    "wal") == 0;
	sqlite3_finalize(st);
	if (!wal)
		(void)journal_mode(s, "wal", 0);
}

int
bc_store_fill_begin(bc_store *s, int *filling, struct bc_err *err)
{
	*filling = 0;
	if (s->depth != 0 || s->filling)
		return bc_err_set(err, BC_EINTERNAL, "fill inside a "
		    "transaction");
	if (s->readonly || !journal_mode(s, "delete", 0))
		return BC_OK;
	if (exec(s, "PRAGMA foreign_keys=OFF", err, "fill") != BC_OK) {
		(void)journal_mode(s, "wal", 1);
		return err->status;
	}
	s->filling = *filling = 1;
	return BC_OK;
}

void
bc_store_fill_end(bc_store *s)
{
	if (!s->filling || s->depth != 0)
		return;
	s->filling = 0;
	(void)sqlite3_exec(s->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	/* failing that (held too long by another connection opened in
	 * the meantime), at the next open */
	(void)journal_mode(s, "wal", 1);
}

int
bc_store_open(bc_store **out, const char *path, unsigned flags, int busy_ms,
    struct bc_err *err)
{
	bc_store *s;
	struct stat sb;
	long long version, tables, sites;
	int rc, oflags;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return bc_err_set(err, BC_ENOSTORE, "no store given");
	if (!(flags & BC_OPEN_CREATE) && stat(path, &sb) == -1)
		return bc_err_set(err, BC_ENOSTORE, "cannot open store '%s': %s",
		    path, strerror(errno));
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(s);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}

	oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (flags & BC_OPEN_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		if (flags & BC_OPEN_CREATE)
			bc_err_set(err, BC_ECREATE, "cannot create store '%s': "
			    "%s", path, s->db != NULL ? sqlite3_errmsg(s->db) :
			    "out of memory");
		else
			bc_sqlite_err(s, rc, err, "open");
		rc = err->status;
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, busy_ms);
	s->busy_ms = busy_ms;
	if (flags & BC_OPEN_NO_CHECKPOINT)
		sqlite3_wal_autocheckpoint(s->db, 0);
	s->readonly = sqlite3_db_readonly(s->db, "main") == 1;
	/*
	 * Keep the -wal and -shm files when the last writer closes: a user
	 * who may read the store but not write its directory can then still
	 * read it (SQLite cannot create them for that user).
	 */
	if (!s->readonly) {
		int persist = 1;

		sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL,
		    &persist);
	}

	/* the first read tells a database from any other file */
	if ((rc = query_int(s, "SELECT count(*) FROM sqlite_schema",
	    &tables, err)) ||
	    (rc = query_int(s, "PRAGMA user_version", &version, err)))
		goto fail;
	/* bulk transactions raise the page cache; see bc_tx_begin_bulk() */
	/*
	 * With the -wal file kept (above), SQLite truncates it at the last
	 * close only under a journal size limit: otherwise a large write
	 * left a large WAL, and each later open read it all again (the
	 * shared memory index is rebuilt) and each close copied it all back
	 * (0.2 s per bcadm command after a 100k-agent load).  The limit
	 * also trims the file when a checkpoint lets it start over.
	 */
	if ((rc = exec(s, "PRAGMA journal_size_limit=67108864", err,
	    "limit the log")) ||
	    (rc = exec(s, SQL_CACHE_SMALL, err, "set cache")) ||
	    (rc = exec(s, "PRAGMA temp_store=MEMORY", err, "set cache")) ||
	    (rc = exec(s, "PRAGMA foreign_keys=ON", err, "enable keys")) ||
	    (rc = bc_meta_register(s, err)) ||
	    (rc = bc_sync_register(s, err)))
		goto fail;

	if (version > bc_schema_count) {
		rc = bc_err_set(err, BC_ENOSTORE, "store '%s' has schema "
		    "version %lld, newer than this sipbc reads (%d): upgrade "
		    "sipbc", path, version, bc_schema_count);
		goto fail;
	}
	if (version == 0 && tables > 0) {
		rc = bc_err_set(err, BC_ENOSTORE, "store '%s' is not a sipbc "
		    "store: it holds other tables", path);
		goto fail;
	}
	if (version == 0 && !(flags & BC_OPEN_CREATE)) {
		rc = bc_err_set(err, BC_ENOSTORE, "store '%s' is not "
		    "initialised: run 'bcadm init'", path);
		goto fail;
	}
	if (version < bc_schema_count && (rc = migrate(s, version, err)))
		goto fail;
	if (version == bc_schema_count && !s->readonly)
		wal_again(s);
	if (!(flags & BC_OPEN_CREATE)) {
		if ((rc = query_int(s, "SELECT count(*) FROM site", &sites,
		    err)))
			goto fail;
		if (sites == 0) {
			rc = bc_err_set(err, BC_ENOSTORE, "store '%s' is not "
			    "initialised: run 'bcadm init'", path);
			goto fail;
		}
	}
	*out = s;
	return BC_OK;
fail:
	bc_store_close(s);
	return rc;
}

void
bc_store_close(bc_store *s)
{
	size_t i;

	if (s == NULL)
		return;
	while (s->depth > 0)
		bc_tx_rollback(s);
	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].stmt);
	bc_sync_copy_clear(s);
	free(s->copy);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *
bc_store_path(const bc_store *s)
{
	return s->path;
}

int
bc_store_readonly(const bc_store *s)
{
	return s->readonly;
}

int
bc_tx_depth(const bc_store *s)
{
	return s->depth;
}


static int
tx_exec(bc_store *s, const char *sql, struct bc_err *err, const char *what)
{
	sqlite3_stmt *st;

	if ((st = bc_stmt(s, sql, err)) == NULL)
		return err->status;
	return bc_step_done(s, st, err, what);
}

static int
tx_begin(bc_store *s, int write, struct bc_err *err)
{
	int rc;

	if (s->depth > 0 && s->bulk) {
		/* bulk: a level is only a count; see bc_tx_begin_bulk() */
		if (s->depth < BC_TX_LEVELS)
			s->changes[s->depth] = sqlite3_total_changes64(s->db);
		s->depth++;
		return BC_OK;
	}
	if (s->depth == 0) {
		if (write && s->readonly)
			return bc_err_set(err, BC_ECREATE, "store '%s' is "
			    "read-only", s->path);
		rc = tx_exec(s, write ? SQL_BEGIN_WRITE : SQL_BEGIN_READ, err,
		    "begin transaction");
		s->writing = write;
	} else
		rc = tx_exec(s, SQL_SAVEPOINT, err, "begin transaction");
	if (rc == BC_OK)
		s->depth++;
	return rc;
}

int
bc_tx_begin(bc_store *s, struct bc_err *err)
{
	return tx_begin(s, 1, err);
}

int
bc_tx_begin_bulk(bc_store *s, struct bc_err *err)
{
	int rc;

	if (s->depth != 0)
		return bc_err_set(err, BC_EINTERNAL, "bulk transaction inside "
		    "a transaction");
	if ((rc = tx_begin(s, 1, err)) == BC_OK) {
		s->bulk = 1;
		s->poisoned = 0;
		sqlite3_exec(s->db, SQL_CACHE_BULK, NULL, NULL, NULL);
	}
	return rc;
}

int
bc_tx_begin_load(bc_store *s, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin_bulk(s, err)))
		return rc;
	if ((rc = bc_meta_load_begin(s, err)))
		bc_tx_rollback(s);
	return rc;
}

int
bc_read_begin(bc_store *s, struct bc_err *err)
{
	return tx_begin(s, 0, err);
}

int
bc_tx_commit(bc_store *s, struct bc_err *err)
{
	int rc;

	if (s->depth == 0)
		return bc_err_set(err, BC_EINTERNAL, "commit without "
		    "transaction");
	if (s->depth > 1 && s->bulk) {
		s->depth--;
		return BC_OK;
	}
	if (s->depth == 1 && s->poisoned) {
		bc_tx_rollback(s);
		return bc_err_set(err, BC_EINTERNAL, "a write failed inside "
		    "the bulk transaction: rolled back");
	}
	/* the outermost write records its changes' metadata first */
	rc = BC_OK;
	if (s->depth == 1 && s->writing)
		rc = bc_meta_flush(s, err);
	if (rc == BC_OK && s->depth == 1 && s->load)
		rc = bc_meta_load_end(s, err);
	if (rc == BC_OK)
		rc = tx_exec(s, s->depth == 1 ? SQL_COMMIT : SQL_RELEASE, err,
		    "commit");
	if (rc != BC_OK) {
		bc_tx_rollback(s);
		return rc;
	}
	s->depth--;
	if (s->depth == 0 && s->bulk) {
		sqlite3_exec(s->db, SQL_CACHE_SMALL, NULL, NULL, NULL);
		s->bulk = 0;
	}
	return BC_OK;
}

void
bc_tx_rollback(bc_store *s)
{
	struct bc_err e;

	if (s->depth == 0)
		return;
	s->depth--;
	if (s->depth > 0 && s->bulk) {
		/* no savepoint to go back to: a level that wrote spoils all */
		if (s->depth >= BC_TX_LEVELS ||
		    sqlite3_total_changes64(s->db) != s->changes[s->depth])
			s->poisoned = 1;
		return;
	}
	if (s->bulk)
		sqlite3_exec(s->db, SQL_CACHE_SMALL, NULL, NULL, NULL);
	s->bulk = 0;
	s->poisoned = 0;
	bc_meta_load_forget(s);	/* its schema changes go with the rollback */
	if (s->depth == 0) {
		if (tx_exec(s, SQL_ROLLBACK, &e, "roll back") != BC_OK)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return;
	}
	if (tx_exec(s, SQL_ROLLBACK_TO, &e, "roll back") != BC_OK ||
	    tx_exec(s, SQL_RELEASE, &e, "roll back") != BC_OK)
		/* cannot happen short of memory: give up the transaction */
		while (s->depth > 0)
			bc_tx_rollback(s);
}

void
bc_read_end(bc_store *s)
{
	struct bc_err e;

	/*
	 * Released, never rolled back: ROLLBACK TO would abort the reads of
	 * other statements still running on this connection.
	 */
	if (s->depth > 0)
		bc_tx_commit(s, &e);
}

int
bc_tx_end(bc_store *s, int rc, struct bc_err *err)
{
	if (rc == BC_OK)
		return bc_tx_commit(s, err);
	bc_tx_rollback(s);
	return rc;
}

int
bc_store_checkpoint(bc_store *s, struct bc_err *err)
{
	int rc;

	rc = sqlite3_wal_checkpoint_v2(s->db, "main",
	    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return bc_sqlite_err(s, rc, err, "checkpoint");
	return BC_OK;
}

int
bc_store_data_version(bc_store *s, long long *out, struct bc_err *err)
{
	static const char SQL_DATA_VERSION[] = "PRAGMA data_version";
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_DATA_VERSION, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return bc_sqlite_err(s, rc, err, "read data version");
	return BC_OK;
}
