/*
 * fuzz-feed.c -- libFuzzer target for bc_feed_apply(), the parser and
 * applier of the feed documents bcsync(8) receives from the peer site.
 * Built and run by run-fuzz-feed.sh with
 * clang -fsanitize=fuzzer,address,undefined.
 *
 * At start-up a store of site "west" is made in a temporary directory:
 * a few objects of every kind, some with the identities of the seed
 * corpus's objects of "east" (so that applying them takes the update and
 * conflict paths, not only creation).  Its file is kept in memory as a
 * template.  Every input is applied as a document of the peer "east",
 * with BC_FEED_FORCE when its length is odd.
 *
 * bc_feed_apply() commits what it accepts, so after every accepted input
 * the store is restored from the template: each input meets the same
 * store, and a finding replays alone.  Refusals are the common case and
 * cost nothing more.  Besides crashes, leaks and sanitizer reports, two
 * broken promises of bc-feed.h abort: a refused document that committed
 * anything (PRAGMA data_version on a second connection), and a
 * transaction left open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bc.h"
#include "bc-feed.h"
#include "bc-xml.h"
#include "store-internal.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bc_store *store;
static sqlite3 *watch;		/* sees the commits of store */
static long long watch_version;
static char dir[256], path[300];
static char *tmpl;		/* the store file after set-up */
static size_t tmpl_len;

/* West's own objects; 1001, 5001 and jdoe also exist at east. */
static const char seed[] =
    "<site xmlns=\"urn:sipbc:site:1\" format=\"1\">"
    "<logins><login code=\"1001\" password=\"w\"/><login code=\"2001\"/>"
    "</logins>"
    "<dns><dn type=\"extension\" number=\"5001\" password=\"w\"/>"
    "<dn type=\"extension\" number=\"6001\"/>"
    "<dn type=\"acd-queue\" number=\"7001\"/></dns>"
    "<places><place name=\"West Desk\"><dn type=\"extension\" "
    "number=\"6001\"/></place></places>"
    "<persons><person username=\"jdoe\" first=\"J\" agent=\"true\">"
    "<login code=\"1001\" wrapup=\"5\"/></person>"
    "<person username=\"wanda\" agent=\"false\" place=\"West Desk\"/>"
    "</persons></site>";

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz-feed: %s: %s\n", what, msg);
	abort();
}

static void
unlink_store(void)
{
	char p[320];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static long long
data_version(void)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(watch, "PRAGMA data_version", -1, &st,
	    NULL) != SQLITE_OK)
		die("data_version", sqlite3_errmsg(watch));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
store_open(void)
{
	struct bc_err err;

	if (bc_store_open(&store, path, 0, 1000, &err) != BC_OK)
		die("open", err.msg);
	if (sqlite3_open_v2(path, &watch, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		die("open watcher", sqlite3_errmsg(watch));
	watch_version = data_version();
}

static void
store_close(void)
{
	bc_store_close(store);
	store = NULL;
	sqlite3_close(watch);
	watch = NULL;
}

/* The store file as the template holds it, and the store opened on it. */
static void
restore(void)
{
	ssize_t w;
	size_t off;
	int fd;

	store_close();
	unlink_store();
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		die("restore", strerror(errno));
	for (off = 0; off < tmpl_len; off += (size_t)w)
		if ((w = write(fd, tmpl + off, tmpl_len - off)) <= 0)
			die("restore", strerror(errno));
	if (close(fd) != 0)
		die("restore", strerror(errno));
	store_open();
}

static void
cleanup(void)
{
	store_close();
	unlink_store();
	rmdir(dir);
	free(tmpl);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct bc_err err;
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	long n;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/bcfuzzfeed.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", strerror(errno));
	snprintf(path, sizeof(path), "%s/west.db", dir);
	if (bc_store_open(&store, path, BC_OPEN_CREATE, 1000, &err) != BC_OK ||
	    bc_site_init(store, "west", NULL, &err) != BC_OK ||
	    bc_xml_import_mem(store, seed, sizeof(seed) - 1, "seed", 0, NULL,
	    NULL, NULL, &err) != BC_OK)
		die("set-up", err.msg);
	/* closing the last connection checkpoints the WAL into the file */
	bc_store_close(store);
	store = NULL;
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (tmpl = malloc((size_t)n)) == NULL ||
	    fread(tmpl, 1, (size_t)n, f) != (size_t)n)
		die("template", strerror(errno));
	fclose(f);
	tmpl_len = (size_t)n;
	atexit(cleanup);
	restore();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bc_feed_result res;
	struct bc_err err;
	unsigned flags = size & 1 ? BC_FEED_FORCE : 0;
	int rc;

	rc = bc_feed_apply(store, "east", (const char *)data, size, flags,
	    &res, &err);
	if (store->depth != 0 || !sqlite3_get_autocommit(store->db))
		die("transaction left open", rc != BC_OK ? err.msg : "BC_OK");
	if (rc == BC_OK)
		restore();
	else if (data_version() != watch_version)
		die("refused document committed changes", err.msg);
	return 0;
}
