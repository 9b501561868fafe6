/*
 * test-store.c -- opening, creating and closing a store; its schema
 * version and journal mode; transactions.
 */
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>

#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* Text of the first column of the first row, malloc'd, or NULL. */
static char *
raw_text(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static long
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static int
has_dn(bc_store *s, const char *number)
{
	struct bc_dn d;
	struct bc_err err;
	enum bc_dn_type t = BC_DN_EXTENSION;
	int rc;

	bc_dn_init(&d);
	rc = bc_dn_get(s, number, &t, &d, &err);
	bc_dn_clear(&d);
	return rc == BC_OK;
}

/* ---------------------------------------------------------------- */

static void
test_create_open_close(void)
{
	struct bc_err err;
	struct bc_site site;
	bc_store *s = NULL;
	char *dir, *path;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "east.db");

	CU_ASSERT_FALSE(unit_file_exists(path));
	if (ST(bc_store_open(&s, path, BC_OPEN_CREATE, 1000, &err), BC_OK,
	    &err)) {
		CU_ASSERT_PTR_NOT_NULL(s);
		STR_EQ(bc_store_path(s), path);
		INT_EQ(bc_store_readonly(s), 0);
		INT_EQ(bc_tx_depth(s), 0);
		ST(bc_site_init(s, "east", NULL, &err), BC_OK, &err);
		bc_store_close(s);
		s = NULL;
	}
	CU_ASSERT_TRUE(unit_file_exists(path));

	/* reopen without CREATE: the site is there, switch = site name */
	if (ST(bc_store_open(&s, path, 0, 1000, &err), BC_OK, &err)) {
		memset(&site, 0, sizeof(site));
		if (ST(bc_site_get(s, &site, &err), BC_OK, &err)) {
			STR_EQ(site.name, "east");
			STR_EQ(site.switch_name, "east");
		}
		bc_site_clear(&site);
		bc_store_close(s);
	}
	free(path);
	unit_rmdir(dir);
}

static void
test_site_names(void)
{
	struct bc_err err;
	struct bc_site site;
	bc_store *s = NULL;
	char *dir, *path;
	const char *name = "Ost-Standort \"M\xc3\xbcnchen\" 'A'";
	const char *sw = "SIP Server \xe6\x9d\xb1";

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "s.db");
	if (ST(bc_store_open(&s, path, BC_OPEN_CREATE, 1000, &err), BC_OK,
	    &err)) {
		ST(bc_site_init(s, "", NULL, &err), BC_EINVAL, &err);
		ST(bc_site_init(s, "bad\xff", NULL, &err), BC_EINVAL, &err);
		ST(bc_site_init(s, name, sw, &err), BC_OK, &err);
		bc_store_close(s);
		s = NULL;
	}
	if (ST(bc_store_open(&s, path, 0, 1000, &err), BC_OK, &err)) {
		memset(&site, 0, sizeof(site));
		if (ST(bc_site_get(s, &site, &err), BC_OK, &err)) {
			STR_EQ(site.name, name);
			STR_EQ(site.switch_name, sw);
		}
		bc_site_clear(&site);
		bc_store_close(s);
	}
	free(path);
	unit_rmdir(dir);
}

static void
test_not_a_database(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	char *dir, *path, *junk, *after;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "junk.db");
	junk = unit_repeat("this is not an SQLite database, just text\n", 64);
	CU_ASSERT_EQUAL(unit_write_file(path, junk), 0);

	STM(bc_store_open(&s, path, 0, 1000, &err), BC_ENOSTORE, &err, path);
	CU_ASSERT_PTR_NULL(s);
	ST_FAIL(bc_store_open(&s, path, BC_OPEN_CREATE, 1000, &err), &err);
	CU_ASSERT_PTR_NULL(s);
	if (s != NULL)
		bc_store_close(s);
	/* the file is left as it was */
	after = unit_read_file(path);
	STR_EQ(after, junk);
	free(after);
	free(junk);
	free(path);
	unit_rmdir(dir);
}

static void
test_missing_file(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	char *dir, *path, *side;
	const char *const sfx[] = { "-wal", "-shm", "-journal" };
	size_t i;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "absent.db");
	ST(bc_store_open(&s, path, 0, 1000, &err), BC_ENOSTORE, &err);
	CU_ASSERT_PTR_NULL(s);
	if (s != NULL)
		bc_store_close(s);
	TRUE_MSG(!unit_file_exists(path), "%s was created", path);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t len = strlen(path) + strlen(sfx[i]) + 1;

		side = malloc(len);
		snprintf(side, len, "%s%s", path, sfx[i]);
		TRUE_MSG(!unit_file_exists(side), "%s was created", side);
		free(side);
	}
	free(path);

	/* CREATE in a directory that does not exist */
	path = unit_path(dir, "no/such/dir/site.db");
	ST(bc_store_open(&s, path, BC_OPEN_CREATE, 1000, &err), BC_ECREATE,
	    &err);
	CU_ASSERT_PTR_NULL(s);
	if (s != NULL)
		bc_store_close(s);
	free(path);
	unit_rmdir(dir);
}

static void
test_init_twice(void)
{
	struct fx f;
	struct bc_site site;
	bc_store *s = NULL;
	int rc;

	if (fx_setup(&f) != 0)
		return;
	/* same handle */
	ST(bc_site_init(f.s, "west", NULL, &f.err), BC_ECREATE, &f.err);
	bc_store_close(f.s);
	f.s = NULL;

	/* init again on the existing store: open or site_init refuses */
	memset(&f.err, 0, sizeof(f.err));
	rc = bc_store_open(&s, f.path, BC_OPEN_CREATE, 1000, &f.err);
	if (rc == BC_OK) {
		ST(bc_site_init(s, "west", NULL, &f.err), BC_ECREATE, &f.err);
		bc_store_close(s);
		s = NULL;
	} else {
		TRUE_MSG(rc == BC_ECREATE, "open CREATE on an initialised "
		    "store: want BC_ECREATE (or OK then site_init ECREATE), "
		    "got %s [%s]", unit_status_str(rc), f.err.msg);
	}

	/* the site row is unchanged */
	if (ST(bc_store_open(&f.s, f.path, 0, 1000, &f.err), BC_OK, &f.err)) {
		memset(&site, 0, sizeof(site));
		if (ST(bc_site_get(f.s, &site, &f.err), BC_OK, &f.err)) {
			STR_EQ(site.name, "east");
			STR_EQ(site.switch_name, "east-sw");
		}
		bc_site_clear(&site);
	}
	fx_teardown(&f);
}

static void
test_wal_mode(void)
{
	struct fx f;
	char *mode;

	if (fx_setup(&f) != 0)
		return;
	mode = raw_text(f.path, "PRAGMA journal_mode");
	STR_EQ(mode, "wal");
	free(mode);
	bc_store_close(f.s);
	f.s = NULL;
	/* WAL is kept in the file */
	mode = raw_text(f.path, "PRAGMA journal_mode");
	STR_EQ(mode, "wal");
	free(mode);
	fx_teardown(&f);
}

static void
test_schema_version(void)
{
	struct fx f;
	char *dir;
	DIR *d;
	struct dirent *de;
	int highest = 0, v;

	if (fx_setup(&f) != 0)
		return;
	CU_ASSERT_TRUE(bc_schema_latest() >= 2);
	INT_EQ(bc_store_schema_version(f.s), bc_schema_latest());
	INT_EQ(raw_int(f.path, "PRAGMA user_version"), bc_schema_latest());

	/* the latest version is the highest schema/NNN-*.sql number */
	if ((dir = unit_schema_dir()) != NULL) {
		if ((d = opendir(dir)) != NULL) {
			while ((de = readdir(d)) != NULL)
				if (fnmatch("[0-9][0-9][0-9]-*.sql",
				    de->d_name, 0) == 0 &&
				    (v = atoi(de->d_name)) > highest)
					highest = v;
			closedir(d);
			INT_EQ(bc_schema_latest(), highest);
		} else
			TRUE_MSG(0, "cannot open %s", dir);
		free(dir);
	}
	fx_teardown(&f);
}

static void
test_newer_refused(void)
{
	struct fx f;
	bc_store *s = NULL;
	char sql[64];
	int newer = bc_schema_latest() + 1;

	if (fx_setup(&f) != 0)
		return;
	bc_store_close(f.s);
	f.s = NULL;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", newer);
	if (raw_exec(f.path, sql) == SQLITE_OK) {
		ST(bc_store_open(&s, f.path, 0, 1000, &f.err), BC_ENOSTORE,
		    &f.err);
		CU_ASSERT_PTR_NULL(s);
		if (s != NULL)
			bc_store_close(s);
		s = NULL;
		ST(bc_store_open(&s, f.path, BC_OPEN_CREATE, 1000, &f.err),
		    -1, &f.err);
		if (s != NULL)
			bc_store_close(s);
		/* and left alone */
		INT_EQ(raw_int(f.path, "PRAGMA user_version"), newer);
	}
	fx_teardown(&f);
}

static void
test_uninitialised_refused(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	char *dir, *path, *other;

	if ((dir = unit_tmpdir()) == NULL)
		return;

	/* an empty file */
	path = unit_path(dir, "empty.db");
	CU_ASSERT_EQUAL(unit_write_file(path, ""), 0);
	ST(bc_store_open(&s, path, 0, 1000, &err), BC_ENOSTORE, &err);
	CU_ASSERT_PTR_NULL(s);
	if (s != NULL)
		bc_store_close(s);
	s = NULL;
	INT_EQ(file_size(path), 0);

	/* an SQLite database that is not a store (user_version 0) */
	other = unit_path(dir, "other.db");
	{
		sqlite3 *db = NULL;

		CU_ASSERT_EQUAL(sqlite3_open(other, &db), SQLITE_OK);
		CU_ASSERT_EQUAL(sqlite3_exec(db, "CREATE TABLE foo (x);"
		    "INSERT INTO foo VALUES (42);", NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(db);
	}
	ST(bc_store_open(&s, other, 0, 1000, &err), BC_ENOSTORE, &err);
	CU_ASSERT_PTR_NULL(s);
	if (s != NULL)
		bc_store_close(s);
	INT_EQ(raw_int(other, "PRAGMA user_version"), 0);
	INT_EQ(raw_int(other, "SELECT count(*) FROM sqlite_master"), 1);
	INT_EQ(raw_int(other, "SELECT x FROM foo"), 42);
	free(other);
	free(path);
	unit_rmdir(dir);
}

static void
test_tx_nested(void)
{
	struct fx f;
	bc_store *s2 = NULL;

	if (fx_setup(&f) != 0)
		return;
	INT_EQ(bc_tx_depth(f.s), 0);
	ST(bc_tx_begin(f.s, &f.err), BC_OK, &f.err);
	INT_EQ(bc_tx_depth(f.s), 1);
	ST(mk_dn(f.s, "1001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	INT_EQ(bc_tx_depth(f.s), 1);

	/* not visible to another connection before the commit */
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM dn"), 0);

	ST(bc_tx_begin(f.s, &f.err), BC_OK, &f.err);
	INT_EQ(bc_tx_depth(f.s), 2);
	ST(mk_dn(f.s, "1002", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	CU_ASSERT_TRUE(has_dn(f.s, "1002"));
	bc_tx_rollback(f.s);			/* undoes 1002 only */
	INT_EQ(bc_tx_depth(f.s), 1);
	CU_ASSERT_FALSE(has_dn(f.s, "1002"));
	CU_ASSERT_TRUE(has_dn(f.s, "1001"));

	ST(bc_tx_begin(f.s, &f.err), BC_OK, &f.err);
	ST(bc_tx_begin(f.s, &f.err), BC_OK, &f.err);
	INT_EQ(bc_tx_depth(f.s), 3);
	ST(mk_dn(f.s, "1003", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(bc_tx_commit(f.s, &f.err), BC_OK, &f.err);
	INT_EQ(bc_tx_depth(f.s), 2);
	ST(bc_tx_commit(f.s, &f.err), BC_OK, &f.err);
	INT_EQ(bc_tx_depth(f.s), 1);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM dn"), 0);
	ST(bc_tx_commit(f.s, &f.err), BC_OK, &f.err);
	INT_EQ(bc_tx_depth(f.s), 0);

	INT_EQ(raw_int(f.path, "SELECT count(*) FROM dn"), 2);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM dn "
	    "WHERE number IN ('1001', '1003')"), 2);

	/* another handle sees the committed DNs */
	if (ST(bc_store_open(&s2, f.path, 0, 1000, &f.err), BC_OK, &f.err)) {
		CU_ASSERT_TRUE(has_dn(s2, "1001"));
		CU_ASSERT_FALSE(has_dn(s2, "1002"));
		CU_ASSERT_TRUE(has_dn(s2, "1003"));
		bc_store_close(s2);
	}
	fx_teardown(&f);
}

static void
test_tx_rollback_outer(void)
{
	struct fx f;
	char *before, *after;

	if (fx_setup(&f) != 0)
		return;
	before = raw_snapshot(f.path);
	ST(bc_tx_begin(f.s, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "P1", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "2001", BC_DN_EXTENSION, "P1", &f.err), BC_OK, &f.err);
	ST(mk_login(f.s, "L1", &f.err), BC_OK, &f.err);
	bc_tx_rollback(f.s);
	INT_EQ(bc_tx_depth(f.s), 0);
	CU_ASSERT_FALSE(has_dn(f.s, "2001"));
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);

	/* closing with a transaction open commits nothing */
	ST(bc_tx_begin(f.s, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "2002", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	bc_store_close(f.s);
	f.s = NULL;
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);
	free(before);
	fx_teardown(&f);
}

static void
test_failed_write_leaves_nothing(void)
{
	struct fx f;
	struct bc_place p;
	struct bc_dn d;
	char *before, *after;
	const char *const logins[] = { "L1", "nope", NULL };

	if (fx_setup(&f) != 0)
		return;
	ST(mk_dn(f.s, "3001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "3002", BC_DN_CALL_PROCESSING_PORT, NULL, &f.err),
	    BC_OK, &f.err);
	ST(mk_login(f.s, "L1", &f.err), BC_OK, &f.err);
	before = raw_snapshot(f.path);

	/* a place whose last DN does not exist: nothing written */
	bc_place_init(&p);
	p.name = strdup("Sales 1");
	bc_options_set(&p.options, "TServer", "k", "v", &f.err);
	ST(bc_place_add_dn(&p, "3001", BC_DN_EXTENSION, &f.err), BC_OK,
	    &f.err);
	ST(bc_place_add_dn(&p, "3002", BC_DN_CALL_PROCESSING_PORT, &f.err),
	    BC_OK, &f.err);
	ST(bc_place_add_dn(&p, "3999", BC_DN_CALL_PROCESSING_PORT, &f.err),
	    BC_OK, &f.err);
	ST(bc_place_add(f.s, &p, &f.err), BC_ENOENT, &f.err);
	bc_place_clear(&p);
	INT_EQ(bc_tx_depth(f.s), 0);
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);

	/* a person whose second login does not exist */
	ST(mk_person(f.s, "jdoe", 1, NULL, logins, &f.err), BC_ENOENT,
	    &f.err);
	INT_EQ(bc_tx_depth(f.s), 0);
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);

	/* a DN with options into a missing place */
	bc_dn_init(&d);
	d.number = strdup("3003");
	d.place = strdup("nowhere");
	bc_options_set(&d.options, "TServer", "dr-forward", "oos", &f.err);
	ST(bc_dn_add(f.s, &d, &f.err), BC_ENOENT, &f.err);
	bc_dn_clear(&d);
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);

	/* inside a transaction: the failed call leaves it open */
	ST(bc_tx_begin(f.s, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "3004", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "3004", BC_DN_EXTENSION, NULL, &f.err), BC_EEXIST,
	    &f.err);
	INT_EQ(bc_tx_depth(f.s), 1);
	CU_ASSERT_TRUE(has_dn(f.s, "3004"));
	ST(mk_dn(f.s, "3005", BC_DN_EXTENSION, "nowhere", &f.err), BC_ENOENT,
	    &f.err);
	INT_EQ(bc_tx_depth(f.s), 1);
	CU_ASSERT_TRUE(has_dn(f.s, "3004"));
	CU_ASSERT_FALSE(has_dn(f.s, "3005"));
	bc_tx_rollback(f.s);
	INT_EQ(bc_tx_depth(f.s), 0);
	CU_ASSERT_FALSE(has_dn(f.s, "3004"));
	after = raw_snapshot(f.path);
	SNAP_EQ(after, before);
	free(after);
	free(before);
	fx_teardown(&f);
}

static void
test_status_names(void)
{
	struct bc_err err;
	int i, j;

	for (i = BC_OK; i <= BC_EINTERNAL; i++) {
		const char *a = bc_status_name((enum bc_status)i);

		TRUE_MSG(a != NULL && *a != '\0', "status %d has no name", i);
		for (j = BC_OK; a != NULL && j < i; j++)
			TRUE_MSG(strcmp(a, bc_status_name(
			    (enum bc_status)j)) != 0,
			    "statuses %d and %d share name '%s'", i, j, a);
	}
	INT_EQ(bc_err_set(NULL, BC_ERULE, "x %d", 1), BC_ERULE);
	memset(&err, 0, sizeof(err));
	INT_EQ(bc_err_set(&err, BC_ENOENT, "place '%s' does not exist", "P"),
	    BC_ENOENT);
	INT_EQ(err.status, BC_ENOENT);
	STR_EQ(err.msg, "place 'P' does not exist");
}

/*
 * A load (bc_tx_begin_load) drops the insert triggers of change capture
 * and records what it created from the documents at commit: afterwards
 * every object has metadata with the hash of its current document, old
 * objects it changed through new child rows included, and the triggers
 * are back for writers around the library.
 */
#define RAW(f, sql)	raw_int((f)->path, (sql))
static void
test_load_capture(void)
{
	static const char *const bob[] = { "1003:20", NULL };
	static const char *const objects = "SELECT "
	    "(SELECT count(*) FROM sync_dn_doc) + "
	    "(SELECT count(*) FROM sync_place_doc) + "
	    "(SELECT count(*) FROM sync_person_doc) + "
	    "(SELECT count(*) FROM sync_login_doc)";
	struct fx f;
	struct bc_dn dn;
	struct bc_person p;
	struct bc_login l;
	long long triggers, last;
	char sql[256];

	if (fx_setup(&f) != 0)
		goto done;
	/* before the load */
	ST(mk_login(f.s, "1001", &f.err), BC_OK, &f.err);
	ST(mk_login(f.s, "1002", &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "P1", NULL, NULL, &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5003", BC_DN_CALL_PROCESSING_PORT, NULL, &f.err), BC_OK,
	    &f.err);
	ST(mk_place(f.s, "P0", NULL, "5003", &f.err), BC_OK, &f.err);
	ST(mk_person(f.s, "ann", 1, NULL, NULL, &f.err), BC_OK, &f.err);
	triggers = RAW(&f, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'trigger'");

	if (!ST(bc_tx_begin_load(f.s, &f.err), BC_OK, &f.err))
		goto done;
	/* new objects, one of them in an old place */
	ST(mk_login(f.s, "1003", &f.err), BC_OK, &f.err);
	ST(mk_dn(f.s, "5002", BC_DN_EXTENSION, "P1", &f.err), BC_OK, &f.err);
	ST(mk_place(f.s, "P2", "5001", NULL, &f.err), BC_OK, &f.err);
	ST(mk_person(f.s, "bob", 1, "P2", bob, &f.err), BC_OK, &f.err);
	/* old objects changed through new child rows */
	if (ST(bc_dn_get(f.s, "5001", NULL, &dn, &f.err), BC_OK, &f.err)) {
		ST(bc_options_set(&dn.options, "TServer", "k", "v", &f.err),
		    BC_OK, &f.err);
		ST(bc_dn_update(f.s, &dn, &f.err), BC_OK, &f.err);
		bc_dn_clear(&dn);
	}
	if (ST(bc_login_get(f.s, "1001", &l, &f.err), BC_OK, &f.err)) {
		ST(bc_options_set(&l.options, "TServer", "k", "v", &f.err),
		    BC_OK, &f.err);
		ST(bc_login_update(f.s, &l, &f.err), BC_OK, &f.err);
		bc_login_clear(&l);
	}
	if (ST(bc_person_get(f.s, "ann", &p, &f.err), BC_OK, &f.err)) {
		ST(bc_person_add_login(&p, "1002", 5, &f.err), BC_OK, &f.err);
		ST(bc_person_update(f.s, &p, &f.err), BC_OK, &f.err);
		bc_person_clear(&p);
	}
	/* an old DN moves from one old place to another */
	if (ST(bc_dn_get(f.s, "5003", NULL, &dn, &f.err), BC_OK, &f.err)) {
		free(dn.place);
		dn.place = strdup("P1");
		ST(bc_dn_update(f.s, &dn, &f.err), BC_OK, &f.err);
		bc_dn_clear(&dn);
	}
	/* deleted again inside the load: nothing to record */
	ST(mk_login(f.s, "1004", &f.err), BC_OK, &f.err);
	ST(bc_login_delete(f.s, "1004", &f.err), BC_OK, &f.err);
	INT_EQ(RAW(&f, "SELECT count(*) FROM sync_load"), 0); /* not seen */
	if (!ST(bc_tx_commit(f.s, &f.err), BC_OK, &f.err))
		goto done;

	INT_EQ(RAW(&f, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'trigger'"), triggers);
	INT_EQ(RAW(&f, "SELECT count(*) FROM sync_load"), 0);
	INT_EQ(RAW(&f, "SELECT count(*) FROM sync_dirty"), 0);
	INT_EQ(RAW(&f, "SELECT count(*) FROM sync_meta WHERE deleted = 0"),
	    RAW(&f, objects));
	INT_EQ(RAW(&f, "SELECT count(*) FROM sync_meta WHERE key = '1004'"),
	    0);
	/* recording every object again changes no hash, so no HLC */
	last = RAW(&f, "SELECT max(hlc) FROM sync_meta");
	raw_exec(f.path, "INSERT INTO sync_dirty "
	    "SELECT 'dn', key FROM sync_dn_doc UNION ALL "
	    "SELECT 'place', key FROM sync_place_doc UNION ALL "
	    "SELECT 'person', key FROM sync_person_doc UNION ALL "
	    "SELECT 'login', key FROM sync_login_doc");
	ST(bc_tx_begin(f.s, &f.err), BC_OK, &f.err);
	ST(bc_tx_commit(f.s, &f.err), BC_OK, &f.err);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sync_meta "
	    "WHERE hlc > %lld", last);
	INT_EQ(RAW(&f, sql), 0);

	/* writes around the library are marked again */
	raw_exec(f.path, "INSERT INTO agent_login (code) VALUES ('1999')");
	INT_EQ(RAW(&f, "SELECT count(*) FROM sync_dirty "
	    "WHERE kind = 'login' AND key = '1999'"), 1);

	/* a load rolled back leaves the triggers and nothing else */
	if (ST(bc_tx_begin_load(f.s, &f.err), BC_OK, &f.err)) {
		ST(mk_login(f.s, "1998", &f.err), BC_OK, &f.err);
		bc_tx_rollback(f.s);
	}
	INT_EQ(RAW(&f, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'trigger'"), triggers);
	INT_EQ(RAW(&f, "SELECT count(*) FROM sync_load"), 0);
	INT_EQ(RAW(&f, "SELECT count(*) FROM agent_login "
	    "WHERE code = '1998'"), 0);
	/* and the store is usable: a plain write records its metadata */
	ST(mk_login(f.s, "1997", &f.err), BC_OK, &f.err);
	INT_EQ(RAW(&f, "SELECT count(*) FROM sync_meta "
	    "WHERE kind = 'login' AND key = '1997'"), 1);
done:
	fx_teardown(&f);
}
#undef RAW

int
suite_store(void)
{
	static const struct unit_test tests[] = {
		{ "create_open_close", test_create_open_close },
		{ "site_names", test_site_names },
		{ "not_a_database", test_not_a_database },
		{ "missing_file", test_missing_file },
		{ "init_twice", test_init_twice },
		{ "wal_mode", test_wal_mode },
		{ "schema_version", test_schema_version },
		{ "newer_version_refused", test_newer_refused },
		{ "uninitialised_refused", test_uninitialised_refused },
		{ "tx_nested", test_tx_nested },
		{ "tx_rollback_outer", test_tx_rollback_outer },
		{ "failed_write_leaves_nothing",
		    test_failed_write_leaves_nothing },
		{ "status_names", test_status_names },
		{ "load_capture", test_load_capture },
		{ NULL, NULL }
	};

	return unit_add_suite("store", tests);
}
