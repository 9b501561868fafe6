/*
 * test-migration.c -- bc_store_open() brings older stores to the latest
 * schema, keeping their rows, in one transaction.  Old stores are built
 * with the sqlite3 C API from the schema/NNN-*.sql files below
 * $BC_SRCDIR.
 */
#define _POSIX_C_SOURCE 200809L
#include <glob.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

/* Rows of a version-1 store: every table, quotes and non-ASCII. */
static const char v1_rows[] =
    "INSERT INTO site (id, name, switch) VALUES (1, 'east', 'east-sw');"
    "INSERT INTO place VALUES (1, 'Sales 1', 1);"
    "INSERT INTO place VALUES (2, 'M\xc3\xbcller''s \"desk\"', 0);"
    "INSERT INTO dn VALUES (1, 'extension', '5001', 'Alice ext', "
    "    'on-demand', 'assoc-1', 'sip:5001@10.0.0.1', 'pw', 1, 1);"
    "INSERT INTO dn VALUES (2, 'call-processing-port', '6001', NULL, "
    "    'false', NULL, 'sip:ivr@10.0.0.2', NULL, 0, 1);"
    "INSERT INTO dn VALUES (3, 'acd-queue', '7001', 'Queue', 'true', "
    "    NULL, NULL, NULL, 1, NULL);"
    "INSERT INTO dn VALUES (4, 'extension', '5002', NULL, 'true', "
    "    NULL, NULL, NULL, 1, 2);"
    "INSERT INTO agent_login VALUES (1, '1001', 'secret', 'OVR', 1, 1);"
    "INSERT INTO agent_login VALUES (2, '1002', NULL, NULL, 0, 0);"
    "INSERT INTO agent_login VALUES (3, '1003', NULL, NULL, 0, 1);"
    "INSERT INTO person VALUES (1, 'jdoe', 'John', 'Doe', 'E-1', 1, 1, "
    "    'east', 1);"
    "INSERT INTO person VALUES (2, 'boss', NULL, NULL, NULL, 0, 0, "
    "    NULL, NULL);"
    "INSERT INTO person_login VALUES (1, 1, 30);"
    "INSERT INTO person_login VALUES (1, 2, 0);";

/*
 * Makes a store at path by running the schema files numbered up to upto
 * (numbers may leave gaps) and setting user_version; extra SQL runs
 * afterwards.  0 on success.
 */
static int
make_old_store(const char *path, int upto, const char *extra)
{
	sqlite3 *db = NULL;
	glob_t g;
	char sql[64], pattern[1024], *emsg = NULL, *base;
	const char *src = getenv("BC_SRCDIR");
	int i, rc;

	/* the migrations, in order: schema/NNN-*.sql */
	snprintf(pattern, sizeof(pattern), "%s/schema/[0-9][0-9][0-9]-*.sql",
	    src != NULL ? src : ".");
	if (!TRUE_MSG(glob(pattern, 0, NULL, &g) == 0, "no %s", pattern))
		return -1;
	if (!TRUE_MSG(upto >= 0 && upto <= bc_schema_latest(), "upto %d",
	    upto)) {
		globfree(&g);
		return -1;
	}
	rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN", NULL, NULL, &emsg);
	for (i = 0; rc == SQLITE_OK && (size_t)i < g.gl_pathc; i++) {
		base = strrchr(g.gl_pathv[i], '/');
		base = base != NULL ? base + 1 : g.gl_pathv[i];
		if (atoi(base) <= upto)
			rc = raw_exec_schema_file(db, base);
	}
	globfree(&g);
	if (rc == SQLITE_OK) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", upto);
		rc = sqlite3_exec(db, sql, NULL, NULL, &emsg);
	}
	if (rc == SQLITE_OK && extra != NULL)
		rc = sqlite3_exec(db, extra, NULL, NULL, &emsg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &emsg);
	TRUE_MSG(rc == SQLITE_OK, "making a version-%d store: %s", upto,
	    emsg ? emsg : db ? sqlite3_errmsg(db) : "open failed");
	sqlite3_free(emsg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int
has_table(const char *path, const char *name)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name = '%s'", name);
	return raw_int(path, sql) == 1;
}

static int
violation_cb(const struct bc_violation *v, void *arg)
{
	(void)arg;
	fprintf(stderr, "    violation: %s '%s': %s\n", v->kind, v->name,
	    v->message);
	return 0;
}

/* A store just created by the library is at the latest version. */
static void
check_latest(bc_store *s, const char *path)
{
	INT_EQ(bc_store_schema_version(s), bc_schema_latest());
	INT_EQ(raw_int(path, "PRAGMA user_version"), bc_schema_latest());
	CU_ASSERT_TRUE(has_table(path, "dn"));
	CU_ASSERT_TRUE(has_table(path, "person_login"));
	CU_ASSERT_TRUE(has_table(path, "dn_option"));
	CU_ASSERT_TRUE(has_table(path, "place_option"));
	CU_ASSERT_TRUE(has_table(path, "login_option"));
}

static void
test_from_v0_new_file(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	char *dir, *path;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "new.db");
	if (ST(bc_store_open(&s, path, BC_OPEN_CREATE, 1000, &err), BC_OK,
	    &err)) {
		check_latest(s, path);
		ST(bc_site_init(s, "east", NULL, &err), BC_OK, &err);
		bc_store_close(s);
	}
	free(path);
	unit_rmdir(dir);
}

static void
test_from_v0_empty_file(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	char *dir, *path;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "empty.db");
	CU_ASSERT_EQUAL(unit_write_file(path, ""), 0);
	if (ST(bc_store_open(&s, path, BC_OPEN_CREATE, 1000, &err), BC_OK,
	    &err)) {
		check_latest(s, path);
		ST(bc_site_init(s, "east", NULL, &err), BC_OK, &err);
		bc_store_close(s);
	}
	free(path);
	unit_rmdir(dir);
}

static void
test_from_v0_empty_database(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	char *dir, *path;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "v0.db");
	/* an SQLite file, no tables, user_version 0 */
	if (make_old_store(path, 0, "CREATE TABLE t (x); DROP TABLE t;") == 0 &&
	    ST(bc_store_open(&s, path, BC_OPEN_CREATE, 1000, &err), BC_OK,
	    &err)) {
		check_latest(s, path);
		ST(bc_site_init(s, "east", NULL, &err), BC_OK, &err);
		bc_store_close(s);
	}
	free(path);
	unit_rmdir(dir);
}

static void
test_from_v1(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	struct bc_site site;
	struct bc_dn d;
	struct bc_place p;
	struct bc_login l;
	struct bc_person pe;
	enum bc_dn_type t;
	size_t i, nviol = 99;
	char *dir, *path;
	int seen1001 = 0, seen1002 = 0;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "v1.db");
	if (make_old_store(path, 1, v1_rows) != 0)
		goto out;
	INT_EQ(raw_int(path, "PRAGMA user_version"), 1);
	CU_ASSERT_FALSE(has_table(path, "dn_option"));

	if (!ST(bc_store_open(&s, path, 0, 1000, &err), BC_OK, &err))
		goto out;
	check_latest(s, path);

	memset(&site, 0, sizeof(site));
	if (ST(bc_site_get(s, &site, &err), BC_OK, &err)) {
		STR_EQ(site.name, "east");
		STR_EQ(site.switch_name, "east-sw");
	}
	bc_site_clear(&site);

	bc_dn_init(&d);
	t = BC_DN_EXTENSION;
	if (ST(bc_dn_get(s, "5001", &t, &d, &err), BC_OK, &err)) {
		STR_EQ(d.number, "5001");
		INT_EQ(d.type, BC_DN_EXTENSION);
		STR_EQ(d.alias, "Alice ext");
		INT_EQ(d.reg, BC_REG_ON_DEMAND);
		STR_EQ(d.association, "assoc-1");
		STR_EQ(d.contact, "sip:5001@10.0.0.1");
		STR_EQ(d.password, "pw");
		INT_EQ(d.enabled, 1);
		STR_EQ(d.place, "Sales 1");
		INT_EQ(d.options.n, 0);
	}
	bc_dn_clear(&d);
	bc_dn_init(&d);
	if (ST(bc_dn_get(s, "6001", NULL, &d, &err), BC_OK, &err)) {
		INT_EQ(d.type, BC_DN_CALL_PROCESSING_PORT);
		STR_EQ(d.alias, NULL);
		INT_EQ(d.reg, BC_REG_FALSE);
		INT_EQ(d.enabled, 0);
		STR_EQ(d.place, "Sales 1");
	}
	bc_dn_clear(&d);
	bc_dn_init(&d);
	if (ST(bc_dn_get(s, "7001", NULL, &d, &err), BC_OK, &err)) {
		INT_EQ(d.type, BC_DN_ACD_QUEUE);
		STR_EQ(d.place, NULL);
	}
	bc_dn_clear(&d);

	bc_place_init(&p);
	if (ST(bc_place_get(s, "M\xc3\xbcller's \"desk\"", &p, &err), BC_OK,
	    &err)) {
		INT_EQ(p.enabled, 0);
		if (INT_EQ(p.ndns, 1)) {
			STR_EQ(p.dns[0].number, "5002");
			INT_EQ(p.dns[0].type, BC_DN_EXTENSION);
		}
	}
	bc_place_clear(&p);

	bc_login_init(&l);
	if (ST(bc_login_get(s, "1001", &l, &err), BC_OK, &err)) {
		STR_EQ(l.password, "secret");
		STR_EQ(l.override, "OVR");
		INT_EQ(l.use_override, 1);
		INT_EQ(l.enabled, 1);
		STR_EQ(l.person, "jdoe");
	}
	bc_login_clear(&l);

	bc_person_init(&pe);
	if (ST(bc_person_get(s, "jdoe", &pe, &err), BC_OK, &err)) {
		STR_EQ(pe.first, "John");
		STR_EQ(pe.last, "Doe");
		STR_EQ(pe.employee_id, "E-1");
		INT_EQ(pe.agent, 1);
		INT_EQ(pe.enabled, 1);
		STR_EQ(pe.preferred_site, "east");
		STR_EQ(pe.place, "Sales 1");
		INT_EQ(pe.nlogins, 2);
		for (i = 0; i < pe.nlogins; i++) {
			if (strcmp(pe.logins[i].code, "1001") == 0) {
				seen1001++;
				INT_EQ(pe.logins[i].wrapup, 30);
			} else if (strcmp(pe.logins[i].code, "1002") == 0) {
				seen1002++;
				INT_EQ(pe.logins[i].wrapup, 0);
			}
		}
		INT_EQ(seen1001, 1);
		INT_EQ(seen1002, 1);
	}
	bc_person_clear(&pe);

	/* the migrated store is clean and takes options */
	if (ST(bc_check(s, violation_cb, NULL, &nviol, &err), BC_OK, &err))
		INT_EQ(nviol, 0);
	bc_dn_init(&d);
	t = BC_DN_EXTENSION;
	if (ST(bc_dn_get(s, "5001", &t, &d, &err), BC_OK, &err)) {
		ST(bc_options_set(&d.options, "TServer", "dr-forward",
		    "no-agent", &err), BC_OK, &err);
		ST(bc_dn_update(s, &d, &err), BC_OK, &err);
	}
	bc_dn_clear(&d);
	INT_EQ(raw_int(path, "SELECT count(*) FROM dn_option"), 1);

	bc_store_close(s);
	s = NULL;
	/* reopening does not migrate again */
	if (ST(bc_store_open(&s, path, 0, 1000, &err), BC_OK, &err)) {
		INT_EQ(bc_store_schema_version(s), bc_schema_latest());
		bc_store_close(s);
		s = NULL;
	}
	INT_EQ(raw_int(path, "SELECT count(*) FROM dn"), 4);
	INT_EQ(raw_int(path, "SELECT count(*) FROM person_login"), 2);
out:
	free(path);
	unit_rmdir(dir);
}

/* A migration that fails leaves the store at its old version. */
static void
test_failed_migration_atomic(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	char *dir, *path, *before, *after;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "v1-conflict.db");
	/* place_option exists already: migration 2 fails halfway */
	if (make_old_store(path, 1,
	    "INSERT INTO site (id, name, switch) VALUES (1, 'e', 'e');"
	    "INSERT INTO place VALUES (1, 'P', 1);"
	    "CREATE TABLE place_option (x);") != 0)
		goto out;
	before = raw_snapshot(path);
	ST_FAIL(bc_store_open(&s, path, 0, 1000, &err), &err);
	CU_ASSERT_PTR_NULL(s);
	if (s != NULL)
		bc_store_close(s);
	INT_EQ(raw_int(path, "PRAGMA user_version"), 1);
	CU_ASSERT_FALSE(has_table(path, "dn_option"));
	after = raw_snapshot(path);
	SNAP_EQ(after, before);
	free(after);
	free(before);
out:
	free(path);
	unit_rmdir(dir);
}

/*
 * A store written at the latest version by hand opens as it is: opening
 * writes nothing, not even the change marks its triggers left (the next
 * write, diff or sync records those).
 */
static void
test_latest_by_hand(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	char *dir, *path, *before, *after;
	int latest = bc_schema_latest();

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "latest.db");
	if (make_old_store(path, latest, v1_rows) != 0)
		goto out;
	CU_ASSERT(raw_int(path, "SELECT count(*) FROM sync_dirty") > 0);
	before = raw_snapshot(path);
	if (ST(bc_store_open(&s, path, 0, 1000, &err), BC_OK, &err)) {
		INT_EQ(bc_store_schema_version(s), latest);
		bc_store_close(s);
	}
	after = raw_snapshot(path);
	SNAP_EQ(after, before);
	free(after);
	free(before);
out:
	free(path);
	unit_rmdir(dir);
}

/*
 * In a child: takes the write lock, says so on fd, waits a while, then
 * migrates the store to version `newer` like a newer sipbc would.
 * Returns the child's exit status.
 */
static int
newer_sipbc(const char *path, int fd, int newer)
{
	struct timespec pause = { 0, 400 * 1000 * 1000 };
	sqlite3 *db = NULL;
	char sql[64];
	int rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK || write(fd, "L", 1) != 1) {
		sqlite3_close(db);
		return 1;
	}
	close(fd);
	nanosleep(&pause, NULL);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", newer);
	rc = sqlite3_exec(db, "CREATE TABLE from_the_future (x);", NULL, NULL,
	    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : 2;
}

/*
 * This library opens a version-1 store and waits for the write lock to
 * migrate it, while a newer sipbc migrates it past this library's latest
 * version: after the wait it must refuse the store (too new), not write
 * its own older version over the newer one.
 */
static void
test_newer_migration_meanwhile(void)
{
	struct bc_err err;
	bc_store *s = NULL;
	char *dir, *path, c;
	pid_t pid;
	int fds[2], status = -1, newer = bc_schema_latest() + 1;

	if ((dir = unit_tmpdir()) == NULL)
		return;
	path = unit_path(dir, "v1-race.db");
	/* no connection is open across the fork */
	if (make_old_store(path, 1, v1_rows) != 0 ||
	    raw_exec(path, "PRAGMA journal_mode=WAL") != SQLITE_OK)
		goto out;
	if (!TRUE_MSG(pipe(fds) == 0, "pipe: %s", strerror(errno)))
		goto out;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		status = newer_sipbc(path, fds[1], newer);
		free(path);
		free(dir);
		_exit(status);
	}
	close(fds[1]);
	if (!TRUE_MSG(pid > 0, "fork: %s", strerror(errno))) {
		close(fds[0]);
		goto out;
	}
	if (TRUE_MSG(read(fds[0], &c, 1) == 1, "the newer sipbc did not "
	    "take the lock")) {
		memset(&err, 0, sizeof(err));
		STM_GOT(bc_store_open(&s, path, 0, 20000, &err), BC_ENOSTORE,
		    &err, NULL);
		if (s != NULL)
			bc_store_close(s);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	TRUE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the newer sipbc failed (%d)", status);
	INT_EQ(raw_int(path, "PRAGMA user_version"), newer);
out:
	free(path);
	unit_rmdir(dir);
}

int
suite_migration(void)
{
	static const struct unit_test tests[] = {
		{ "from_v0_new_file", test_from_v0_new_file },
		{ "from_v0_empty_file", test_from_v0_empty_file },
		{ "from_v0_empty_database", test_from_v0_empty_database },
		{ "from_v1_rows_intact", test_from_v1 },
		{ "failed_migration_atomic", test_failed_migration_atomic },
		{ "latest_by_hand", test_latest_by_hand },
		{ "newer_migration_meanwhile",
		    test_newer_migration_meanwhile },
		{ NULL, NULL }
	};

	return unit_add_suite("migration", tests);
}
