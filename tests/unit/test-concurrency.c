/*
 * test-concurrency.c -- two processes writing one store at once, and a
 * write lock held past the busy timeout.
 */
#define _POSIX_C_SOURCE 200809L
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

#define PER_CHILD	300

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * In the child: opens the store and adds PER_CHILD extensions
 * PREFIX000.., one transaction each.  Returns the exit status, 0 when
 * all went in.  No CUnit here.
 */
static int
child(const char *path, const char *prefix, int gofd)
{
	struct bc_err err;
	bc_store *s = NULL;
	struct timespec pause = { 0, 300 * 1000 };	/* 0.3 ms */
	char number[32], go;
	int i, rc = 0;

	/* start together */
	if (read(gofd, &go, 1) != 1)
		return 3;
	close(gofd);
	memset(&err, 0, sizeof(err));
	if (bc_store_open(&s, path, 0, 30000, &err) != BC_OK) {
		fprintf(stderr, "child %s: open: %s\n", prefix, err.msg);
		return 2;
	}
	for (i = 0; i < PER_CHILD && rc == BC_OK; i++) {
		snprintf(number, sizeof(number), "%s%03d", prefix, i);
		rc = mk_dn(s, number, BC_DN_EXTENSION, NULL, &err);
		if (rc != BC_OK)
			fprintf(stderr, "child %s: dn %s: %s: %s\n", prefix,
			    number, bc_status_name((enum bc_status)rc),
			    err.msg);
		/*
		 * A breath between transactions, as between two commands:
		 * SQLite's busy handler is not fair, and without it one
		 * writer would hold the lock until it is done.
		 */
		nanosleep(&pause, NULL);
	}
	bc_store_close(s);
	return rc == BC_OK ? 0 : 1;
}

static void
test_two_writers(void)
{
	static const char *const prefixes[2] = { "1", "2" };
	struct fx f;
	pid_t pid[2] = { -1, -1 };
	int go[2], i, status;
	double t0;

	if (fx_setup(&f) != 0)
		return;
	/* no handle of ours crosses the fork */
	bc_store_close(f.s);
	f.s = NULL;
	if (!TRUE_MSG(pipe(go) == 0, "pipe: %s", strerror(errno))) {
		fx_teardown(&f);
		return;
	}
	fflush(NULL);
	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) == 0) {
			close(go[1]);
			status = child(f.path, prefixes[i], go[0]);
			free(f.path);
			free(f.dir);
			_exit(status);
		}
		TRUE_MSG(pid[i] > 0, "fork: %s", strerror(errno));
	}
	close(go[0]);
	t0 = now();
	/* release both children at once */
	TRUE_MSG(write(go[1], "gg", 2) == 2, "write: %s", strerror(errno));
	close(go[1]);
	for (i = 0; i < 2; i++) {
		if (pid[i] <= 0)
			continue;
		status = -1;
		while (waitpid(pid[i], &status, 0) == -1 && errno == EINTR)
			;
		TRUE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "writer %d: %s %d", i, WIFEXITED(status) ? "exit status"
		    : "signal", WIFEXITED(status) ? WEXITSTATUS(status) :
		    WTERMSIG(status));
	}
	/* how often the writers took turns (in row order) */
	fprintf(stderr, "    (2 x %d DNs in %.2f s, %lld turns)\n", PER_CHILD,
	    now() - t0, raw_int(f.path, "SELECT count(*) FROM dn a JOIN dn b "
	    "ON b.id = a.id + 1 WHERE substr(a.number, 1, 1) <> "
	    "substr(b.number, 1, 1)"));

	if (ST(bc_store_open(&f.s, f.path, 0, 1000, &f.err), BC_OK,
	    &f.err)) {
		INT_EQ(count_dns(f.s, -1), 2 * PER_CHILD);
		INT_EQ(count_dns(f.s, BC_DN_EXTENSION), 2 * PER_CHILD);
	}
	INT_EQ(raw_int(f.path, "SELECT count(DISTINCT number) FROM dn"),
	    2 * PER_CHILD);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM dn WHERE number LIKE "
	    "'1%'"), PER_CHILD);
	fx_teardown(&f);
}

static void
test_busy(void)
{
	struct fx f;
	struct bc_dn d;
	sqlite3 *db = NULL;
	bc_store *s = NULL;
	double t0, dt;
	int rc;

	if (fx_setup(&f) != 0)
		return;
	ST(mk_dn(f.s, "5000", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	bc_store_close(f.s);
	f.s = NULL;
	if (!ST(bc_store_open(&s, f.path, 0, 200, &f.err), BC_OK, &f.err))
		goto out;

	/* another connection takes the write lock */
	rc = sqlite3_open_v2(f.path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (!TRUE_MSG(rc == SQLITE_OK, "BEGIN IMMEDIATE: %s",
	    sqlite3_errstr(rc)))
		goto out;

	t0 = now();
	STM(mk_dn(s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_EBUSY,
	    &f.err, NULL);
	dt = now() - t0;
	TRUE_MSG(dt >= 0.15 && dt < 5.0, "BC_EBUSY after %.3f s with "
	    "busy_ms 200", dt);
	INT_EQ(bc_tx_depth(s), 0);
	STM(bc_tx_begin(s, &f.err), BC_EBUSY, &f.err, NULL);
	INT_EQ(bc_tx_depth(s), 0);

	/* readers are not blocked (WAL) */
	bc_dn_init(&d);
	ST(bc_dn_get(s, "5000", NULL, &d, &f.err), BC_OK, &f.err);
	bc_dn_clear(&d);

	/* lock released: the write goes through */
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	ST(mk_dn(s, "5001", BC_DN_EXTENSION, NULL, &f.err), BC_OK, &f.err);
	INT_EQ(raw_int(f.path, "SELECT count(*) FROM dn"), 2);
out:
	sqlite3_close(db);
	if (s != NULL)
		bc_store_close(s);
	fx_teardown(&f);
}

int
suite_concurrency(void)
{
	static const struct unit_test tests[] = {
		{ "two_writers", test_two_writers },
		{ "busy_timeout", test_busy },
		{ NULL, NULL }
	};

	return unit_add_suite("concurrency", tests);
}
