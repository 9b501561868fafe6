/*
 * unit.h -- shared helpers of the CUnit suite for libbc (tests/unit).
 *
 * Every test makes its own temporary directory (under $TMPDIR or /tmp)
 * and removes it; nothing is shared between tests but the CUnit registry.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stddef.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <sqlite3.h>

#include "bc.h"

/* ---- suite registration (one per test-*.c) ---- */
int	suite_store(void);
int	suite_migration(void);
int	suite_dn(void);
int	suite_place(void);
int	suite_person(void);
int	suite_login(void);
int	suite_rules(void);
int	suite_check(void);
int	suite_conf(void);
int	suite_options(void);
int	suite_concurrency(void);

/* Adds a suite and its NULL-terminated tests; 0 or -1. */
struct unit_test {
	const char	*name;
	void		(*fn)(void);
};
int	unit_add_suite(const char *name, const struct unit_test *);

/* ---- assertions that say what they got ---- */

const char *unit_status_str(int);
int	unit_status(const char *file, unsigned line, const char *expr,
	    int got, int want, const struct bc_err *, const char *needle);
int	unit_str(const char *file, unsigned line, const char *expr,
	    const char *got, const char *want);
int	unit_int(const char *file, unsigned line, const char *expr,
	    long long got, long long want);
int	unit_true(const char *file, unsigned line, const char *expr, int ok,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * ST(call, BC_X, &err): call returns BC_X; on an error status also that
 * err carries the same status and a message.  err is cleared first.
 * STM(...) additionally wants needle inside the message.
 */
#define ST(expr, want, e) \
	(memset((e), 0, sizeof(*(e))), \
	 unit_status(__FILE__, __LINE__, #expr, (expr), (want), (e), NULL))
#define STM(expr, want, e, needle) \
	(memset((e), 0, sizeof(*(e))), \
	 unit_status(__FILE__, __LINE__, #expr, (expr), (want), (e), (needle)))
/* Any failure status (not BC_OK). */
#define ST_FAIL(expr, e) \
	(memset((e), 0, sizeof(*(e))), \
	 unit_status(__FILE__, __LINE__, #expr, (expr), -1, (e), NULL))
/* The same for a status already returned (err is not cleared). */
#define ST_GOT(rc, want, e) \
	unit_status(__FILE__, __LINE__, #rc, (rc), (want), (e), NULL)
#define STM_GOT(rc, want, e, needle) \
	unit_status(__FILE__, __LINE__, #rc, (rc), (want), (e), (needle))
#define STR_EQ(got, want) \
	unit_str(__FILE__, __LINE__, #got, (got), (want))
/* Two raw_snapshot()s are equal; else says the first line that differs. */
#define SNAP_EQ(after, before) \
	unit_snap(__FILE__, __LINE__, (after), (before))
int	unit_snap(const char *file, unsigned line, const char *after,
	    const char *before);
#define INT_EQ(got, want) \
	unit_int(__FILE__, __LINE__, #got, (long long)(got), (long long)(want))
#define TRUE_MSG(cond, ...) \
	unit_true(__FILE__, __LINE__, #cond, (cond) ? 1 : 0, __VA_ARGS__)

/* ---- temporary directories and files ---- */

/* mkdtemp under $TMPDIR or /tmp; NULL (and a failed assertion) on error. */
char	*unit_tmpdir(void);
/* rm -rf dir, then free(dir). */
void	 unit_rmdir(char *dir);
/* malloc'd "dir/name". */
char	*unit_path(const char *dir, const char *name);
int	 unit_file_exists(const char *path);
int	 unit_write_file(const char *path, const char *data);
/* malloc'd NUL-terminated contents, NULL on error. */
char	*unit_read_file(const char *path);
/* malloc'd string: unit repeated n times. */
char	*unit_repeat(const char *unit, size_t n);

/* ---- a test fixture: temp dir plus an initialised store "east" ---- */

struct fx {
	char		*dir;
	char		*path;
	bc_store	*s;
	struct bc_err	 err;
};

/* 0 when the store is open and initialised, -1 otherwise (asserted). */
int	fx_setup(struct fx *);
void	fx_teardown(struct fx *);

/* ---- raw SQLite on a store file, around the library ---- */

/* Runs sql on its own connection; SQLITE_OK or the error (asserted). */
int	 raw_exec(const char *path, const char *sql);
/* Runs sql and returns the first column of the first row (-1 on error). */
long long raw_int(const char *path, const char *sql);
/* Every row of every table, sorted, as one malloc'd string. */
char	*raw_snapshot(const char *path);
/* Runs a whole .sql file of BC_SRCDIR/schema on db. */
int	 raw_exec_schema_file(sqlite3 *db, const char *name);
/* malloc'd BC_SRCDIR "/schema" or NULL (asserted) when unset. */
char	*unit_schema_dir(void);

/* ---- small builders ---- */

/* Adds a DN with defaults; returns the status. */
int	mk_dn(bc_store *, const char *number, enum bc_dn_type,
	    const char *place, struct bc_err *);
/* Adds a place holding up to two DNs (NULL number: none). */
int	mk_place(bc_store *, const char *name, const char *ext,
	    const char *cpp, struct bc_err *);
int	mk_login(bc_store *, const char *code, struct bc_err *);
/* Adds a person; logins is a NULL-terminated list of "CODE[:WRAPUP]". */
int	mk_person(bc_store *, const char *username, int agent,
	    const char *place, const char *const *logins, struct bc_err *);

/* Number of DNs of a type (-1: any). */
long	count_dns(bc_store *, int type);

/*
 * The body of a CUnit runner: prog [SUITE [TEST]].  Registers the suites,
 * runs all, one suite or one test in verbose mode, prints the failures
 * and CUnit's run summary; returns 1 when anything failed, 2 on usage.
 */
int	unit_main(const char *prog, int (*const *suites)(void), size_t n,
	    int argc, char *argv[]);

#endif /* UNIT_H */
