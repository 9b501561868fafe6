/*
 * util.c -- helpers shared by the unit tests: assertions with messages,
 * temporary directories, a store fixture and raw SQLite access.
 */
#define _XOPEN_SOURCE 700
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "unit.h"

/* ---- registration ---- */

int
unit_add_suite(const char *name, const struct unit_test *t)
{
	CU_pSuite s;

	if ((s = CU_add_suite(name, NULL, NULL)) == NULL)
		return -1;
	for (; t->name != NULL; t++)
		if (CU_add_test(s, t->name, t->fn) == NULL)
			return -1;
	return 0;
}

/* ---- assertions ---- */

static void
report(const char *file, unsigned line, int ok, const char *msg)
{
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, file, "",
	    CU_FALSE);
}

const char *
unit_status_str(int st)
{
	static const char *const names[] = {
		"BC_OK", "BC_EINVAL", "BC_ERULE", "BC_ENOENT", "BC_EEXIST",
		"BC_EAMBIG", "BC_ENOSTORE", "BC_ECREATE", "BC_EBUSY",
		"BC_ECONFIG", "BC_EIO", "BC_ENOMEM", "BC_EINTERNAL"
	};

	if (st == -1)
		return "any error";
	if (st < 0 || (size_t)st >= sizeof(names) / sizeof(names[0]))
		return "BC_?";
	return names[st];
}

int
unit_status(const char *file, unsigned line, const char *expr, int got,
    int want, const struct bc_err *err, const char *needle)
{
	char buf[2048];
	int ok;

	ok = want == -1 ? got != BC_OK : got == want;
	if (!ok) {
		snprintf(buf, sizeof(buf), "%s: want %s, got %s (%d) [%s]",
		    expr, unit_status_str(want), unit_status_str(got), got,
		    got != BC_OK && err != NULL ? err->msg : "");
		report(file, line, 0, buf);
		return 0;
	}
	report(file, line, 1, expr);
	if (got == BC_OK || err == NULL)
		return 1;
	if ((int)err->status != got || err->msg[0] == '\0') {
		snprintf(buf, sizeof(buf), "%s: returned %s but err has "
		    "status %s and message '%s'", expr, unit_status_str(got),
		    unit_status_str((int)err->status), err->msg);
		report(file, line, 0, buf);
		return 0;
	}
	if (needle != NULL && strstr(err->msg, needle) == NULL) {
		snprintf(buf, sizeof(buf), "%s: message '%s' does not "
		    "mention '%s'", expr, err->msg, needle);
		report(file, line, 0, buf);
		return 0;
	}
	return 1;
}

int
unit_str(const char *file, unsigned line, const char *expr, const char *got,
    const char *want)
{
	char buf[2048];
	int ok;

	if (got == NULL || want == NULL)
		ok = got == want;
	else
		ok = strcmp(got, want) == 0;
	if (ok) {
		report(file, line, 1, expr);
		return 1;
	}
	snprintf(buf, sizeof(buf), "%s: want %s%.600s%s, got %s%.600s%s",
	    expr, want ? "'" : "", want ? want : "NULL", want ? "'" : "",
	    got ? "'" : "", got ? got : "NULL", got ? "'" : "");
	report(file, line, 0, buf);
	return 0;
}

int
unit_snap(const char *file, unsigned line, const char *after,
    const char *before)
{
	char buf[1024];
	const char *a = after, *b = before, *la, *lb;
	size_t i = 0;

	if (after == NULL || before == NULL) {
		report(file, line, 0, "store snapshot missing");
		return 0;
	}
	if (strcmp(after, before) == 0) {
		report(file, line, 1, "store unchanged");
		return 1;
	}
	/* first differing line */
	while (a[i] != '\0' && a[i] == b[i])
		i++;
	while (i > 0 && a[i - 1] != '\n')
		i--;
	la = a + i;
	lb = b + i;
	snprintf(buf, sizeof(buf), "store changed: now '%.*s', was '%.*s'",
	    (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
	report(file, line, 0, buf);
	return 0;
}

int
unit_int(const char *file, unsigned line, const char *expr, long long got,
    long long want)
{
	char buf[1024];

	if (got == want) {
		report(file, line, 1, expr);
		return 1;
	}
	snprintf(buf, sizeof(buf), "%s: want %lld, got %lld", expr, want, got);
	report(file, line, 0, buf);
	return 0;
}

int
unit_true(const char *file, unsigned line, const char *expr, int ok,
    const char *fmt, ...)
{
	char buf[2048], msg[1536];
	va_list ap;

	if (ok) {
		report(file, line, 1, expr);
		return 1;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(buf, sizeof(buf), "%s: %s", expr, msg);
	report(file, line, 0, buf);
	return 0;
}

/* ---- files ---- */

char *
unit_tmpdir(void)
{
	const char *base;
	char *dir;
	size_t len;

	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = "/tmp";
	len = strlen(base) + sizeof("/bc-unit.XXXXXX");
	if ((dir = malloc(len)) == NULL) {
		TRUE_MSG(dir != NULL, "out of memory");
		return NULL;
	}
	snprintf(dir, len, "%s/bc-unit.XXXXXX", base);
	if (mkdtemp(dir) == NULL) {
		TRUE_MSG(0, "mkdtemp %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
unit_rmdir(char *dir)
{
	if (dir == NULL)
		return;
	TRUE_MSG(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "cannot remove %s: %s", dir, strerror(errno));
	free(dir);
}

char *
unit_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p;

	if ((p = malloc(len)) != NULL)
		snprintf(p, len, "%s/%s", dir, name);
	return p;
}

int
unit_file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

int
unit_write_file(const char *path, const char *data)
{
	FILE *fp;
	size_t len = strlen(data);
	int rc = 0;

	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, fp) != len)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

char *
unit_read_file(const char *path)
{
	FILE *fp;
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	buf[len] = '\0';
	return buf;
}

char *
unit_repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit), i;
	char *s;

	if ((s = malloc(ul * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * n] = '\0';
	return s;
}

/* ---- fixture ---- */

int
fx_setup(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	if ((f->dir = unit_tmpdir()) == NULL)
		return -1;
	if ((f->path = unit_path(f->dir, "site.db")) == NULL)
		goto fail;
	if (!ST(bc_store_open(&f->s, f->path, BC_OPEN_CREATE,
	    BC_BUSY_TIMEOUT_DEFAULT, &f->err), BC_OK, &f->err))
		goto fail;
	if (!ST(bc_site_init(f->s, "east", "east-sw", &f->err), BC_OK,
	    &f->err))
		goto fail;
	return 0;
fail:
	fx_teardown(f);
	return -1;
}

void
fx_teardown(struct fx *f)
{
	if (f->s != NULL)
		bc_store_close(f->s);
	f->s = NULL;
	free(f->path);
	f->path = NULL;
	unit_rmdir(f->dir);
	f->dir = NULL;
}

/* ---- raw SQLite ---- */

int
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *emsg = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, sql, NULL, NULL, &emsg);
	}
	TRUE_MSG(rc == SQLITE_OK, "sqlite3 on %s: %s: %s", path, sql,
	    emsg ? emsg : sqlite3_errstr(rc));
	sqlite3_free(emsg);
	sqlite3_close(db);
	return rc;
}

long long
raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;
	int rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			v = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	TRUE_MSG(rc == SQLITE_OK, "sqlite3 on %s: %s: %s", path, sql,
	    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

struct lines {
	char	**v;
	size_t	  n, cap;
};

static int
lines_add(struct lines *l, char *s)
{
	char **nv;

	if (s == NULL)
		return -1;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL) {
			sqlite3_free(s);
			return -1;
		}
		l->v = nv;
	}
	l->v[l->n++] = s;
	return 0;
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
dump_table(sqlite3 *db, const char *table, struct lines *l)
{
	sqlite3_stmt *st = NULL;
	char *sql, *row, *nrow;
	int i, rc;

	if ((sql = sqlite3_mprintf("SELECT * FROM \"%w\"", table)) == NULL)
		return -1;
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row = sqlite3_mprintf("%s:", table);
		for (i = 0; row != NULL && i < sqlite3_column_count(st); i++) {
			const char *txt =
			    (const char *)sqlite3_column_text(st, i);
			nrow = sqlite3_mprintf("%s|%d:%s", row,
			    sqlite3_column_type(st, i), txt ? txt : "");
			sqlite3_free(row);
			row = nrow;
		}
		if (lines_add(l, row) != 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

char *
raw_snapshot(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct lines l = { NULL, 0, 0 };
	char *out = NULL;
	size_t i, len = 1;
	int rc, ok = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		goto done;
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_master "
	    "ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);

		if (lines_add(&l, sqlite3_mprintf("schema:%s:%s", type,
		    name)) != 0)
			goto done;
		/* indexes and triggers: the names are enough */
		if (strcmp(type, "table") != 0 ||
		    strncmp(name, "sqlite_", 7) == 0)
			continue;
		if (dump_table(db, name, &l) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		goto done;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto done;
	if (lines_add(&l, sqlite3_mprintf("user_version:%d",
	    sqlite3_column_int(st, 0))) != 0)
		goto done;
	qsort(l.v, l.n, sizeof(*l.v), cmp_line);
	for (i = 0; i < l.n; i++)
		len += strlen(l.v[i]) + 1;
	if ((out = malloc(len)) == NULL)
		goto done;
	out[0] = '\0';
	for (i = 0; i < l.n; i++) {
		strcat(out, l.v[i]);
		strcat(out, "\n");
	}
	ok = 1;
done:
	TRUE_MSG(ok, "cannot snapshot %s: %s", path,
	    db ? sqlite3_errmsg(db) : "open failed");
	sqlite3_finalize(st);
	if (db != NULL)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	for (i = 0; i < l.n; i++)
		sqlite3_free(l.v[i]);
	free(l.v);
	return out;
}

char *
unit_schema_dir(void)
{
	const char *src = getenv("BC_SRCDIR");

	if (src == NULL || *src == '\0') {
		TRUE_MSG(0, "BC_SRCDIR is not set (the source directory)");
		return NULL;
	}
	return unit_path(src, "schema");
}

int
raw_exec_schema_file(sqlite3 *db, const char *name)
{
	char *dir, *path, *sql, *emsg = NULL;
	int rc;

	if ((dir = unit_schema_dir()) == NULL)
		return SQLITE_ERROR;
	path = unit_path(dir, name);
	free(dir);
	sql = path ? unit_read_file(path) : NULL;
	if (!TRUE_MSG(sql != NULL, "cannot read %s", path ? path : name)) {
		free(path);
		return SQLITE_ERROR;
	}
	rc = sqlite3_exec(db, sql, NULL, NULL, &emsg);
	TRUE_MSG(rc == SQLITE_OK, "%s: %s", path, emsg ? emsg : "");
	sqlite3_free(emsg);
	free(sql);
	free(path);
	return rc;
}

/* ---- builders ---- */

int
mk_dn(bc_store *s, const char *number, enum bc_dn_type type,
    const char *place, struct bc_err *err)
{
	struct bc_dn d;
	int rc;

	bc_dn_init(&d);
	d.number = strdup(number);
	d.type = type;
	d.place = place ? strdup(place) : NULL;
	rc = bc_dn_add(s, &d, err);
	bc_dn_clear(&d);
	return rc;
}

int
mk_place(bc_store *s, const char *name, const char *ext, const char *cpp,
    struct bc_err *err)
{
	struct bc_place p;
	int rc = BC_OK;

	bc_place_init(&p);
	p.name = strdup(name);
	if (ext != NULL)
		rc = bc_place_add_dn(&p, ext, BC_DN_EXTENSION, err);
	if (rc == BC_OK && cpp != NULL)
		rc = bc_place_add_dn(&p, cpp, BC_DN_CALL_PROCESSING_PORT, err);
	if (rc == BC_OK)
		rc = bc_place_add(s, &p, err);
	bc_place_clear(&p);
	return rc;
}

int
mk_login(bc_store *s, const char *code, struct bc_err *err)
{
	struct bc_login l;
	int rc;

	bc_login_init(&l);
	l.code = strdup(code);
	rc = bc_login_add(s, &l, err);
	bc_login_clear(&l);
	return rc;
}

int
mk_person(bc_store *s, const char *username, int agent, const char *place,
    const char *const *logins, struct bc_err *err)
{
	struct bc_person p;
	int rc = BC_OK;

	bc_person_init(&p);
	p.username = strdup(username);
	p.agent = agent;
	p.place = place ? strdup(place) : NULL;
	for (; rc == BC_OK && logins != NULL && *logins != NULL; logins++)
		rc = bc_person_add_login_spec(&p, *logins, err);
	if (rc == BC_OK)
		rc = bc_person_add(s, &p, err);
	bc_person_clear(&p);
	return rc;
}

static int
count_cb(const struct bc_dn *d, void *arg)
{
	(void)d;
	(*(long *)arg)++;
	return 0;
}

long
count_dns(bc_store *s, int type)
{
	struct bc_dn_filter flt = { type, NULL };
	struct bc_err err;
	long n = 0;

	if (!ST(bc_dn_foreach(s, &flt, count_cb, &n, &err), BC_OK, &err))
		return -1;
	return n;
}

/* ---- the runner ---- */

int
unit_main(const char *prog, int (*const *suites)(void), size_t nsuites,
    int argc, char *argv[])
{
	CU_pSuite suite = NULL;
	CU_pTest test = NULL;
	CU_pRunSummary sum;
	size_t i;
	int failed;

	if (argc > 3) {
		fprintf(stderr, "usage: %s [SUITE [TEST]]\n", prog);
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "%s: %s\n", prog, CU_get_error_msg());
		return 1;
	}
	for (i = 0; i < nsuites; i++)
		if (suites[i]() != 0) {
			fprintf(stderr, "%s: cannot register suites: %s\n",
			    prog, CU_get_error_msg());
			CU_cleanup_registry();
			return 1;
		}
	if (argc > 1 && (suite = CU_get_suite(argv[1])) == NULL) {
		fprintf(stderr, "%s: no suite '%s'\n", prog, argv[1]);
		CU_cleanup_registry();
		return 2;
	}
	if (argc > 2 && (test = CU_get_test(suite, argv[2])) == NULL) {
		fprintf(stderr, "%s: no test '%s' in suite '%s'\n", prog,
		    argv[2], argv[1]);
		CU_cleanup_registry();
		return 2;
	}

	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (test != NULL)
		CU_basic_run_test(suite, test);
	else if (suite != NULL)
		CU_basic_run_suite(suite);
	else
		CU_basic_run_tests();

	sum = CU_get_run_summary();
	if (CU_get_number_of_failure_records() > 0) {
		printf("\nFailures:\n");
		CU_basic_show_failures(CU_get_failure_list());
		printf("\n");
	}
	/* CU_basic_run_*() printed CUnit's run summary already */
	failed = CU_get_number_of_failures() > 0 ||
	    CU_get_number_of_tests_failed() > 0 ||
	    CU_get_number_of_suites_failed() > 0 ||
	    sum->nSuitesFailed > 0 || CU_get_error() != CUE_SUCCESS;
	CU_cleanup_registry();
	fflush(stdout);
	return failed ? 1 : 0;
}
