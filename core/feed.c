/*
 * feed.c -- a site's change feed (bc-feed.h): positions, the changes and
 * snapshot documents, digests, the peer's acknowledgements and the purge
 * of tombstones.  Applying the peer's documents is in feed-apply.c; the
 * element shapes both share are in feed-xml.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlwriter.h>

#include "bc-feed.h"
#include "bc-sync.h"
#include "feed-internal.h"
#include "store-internal.h"

void
bc_feed_state_clear(struct bc_feed_state *st)
{
	free(st->site);
	memset(st, 0, sizeof(*st));
}

static const char SQL_STATE_SITE[] =
    "SELECT name, seq, feed_floor, hlc FROM site";
static const char SQL_STATE_PEER[] = "SELECT applied, applied_at, acked, "
    "acked_at FROM sync_feed WHERE peer = ?1";
static const char SQL_STATE_PENDING[] = "SELECT count(*), "
    "coalesce(max(hlc), 0) FROM sync_meta WHERE seq > ?1 AND origin = ?2";
static const char SQL_STATE_CONFLICTS[] =
    "SELECT count(*) FROM conflict WHERE resolved_at IS NULL";

int
bc_feed_pending(bc_store *s, struct bc_feed_state *out, long long acked,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int step;

	if ((st = bc_stmt(s, SQL_STATE_PENDING, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, acked);
	bc_bind_text(st, 2, out->site);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		out->acked = acked;
		out->pending = sqlite3_column_int64(st, 0);
		out->last_change = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return bc_sqlite_err(s, step, err, "read feed");
	return BC_OK;
}

int
bc_feed_state_get(bc_store *s, const char *peer, struct bc_feed_state *out,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc, step, nomem = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_STATE_SITE, err)) == NULL) {
		rc = err->status;
		goto out;
	}
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		out->site = bc_column_dup(st, 0, &nomem);
		out->seq = sqlite3_column_int64(st, 1);
		out->floor = sqlite3_column_int64(st, 2);
		out->hlc = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? bc_err_set(err, BC_ENOSTORE,
		    "store '%s' is not initialised", bc_store_path(s)) :
		    bc_sqlite_err(s, step, err, "read feed position");
		goto out;
	}
	if (peer != NULL) {
		if ((st = bc_stmt(s, SQL_STATE_PEER, err)) == NULL) {
			rc = err->status;
			goto out;
		}
		bc_bind_text(st, 1, peer);
		if ((step = sqlite3_step(st)) == SQLITE_ROW) {
			out->applied = sqlite3_column_int64(st, 0);
			out->applied_at = sqlite3_column_int64(st, 1);
			out->acked = sqlite3_column_int64(st, 2);
			out->acked_at = sqlite3_column_int64(st, 3);
		}
		sqlite3_reset(st);
		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			rc = bc_sqlite_err(s, step, err, "read peer position");
			goto out;
		}
	}
	/* about the peer: without one, 0 (bc-feed.h); counting every
	 * change of ours scanned the whole feed on each commit bcsync's
	 * watcher saw */
	if (peer != NULL && (rc = bc_feed_pending(s, out, out->acked, err)))
		goto out;
	if ((st = bc_stmt(s, SQL_STATE_CONFLICTS, err)) == NULL) {
		rc = err->status;
		goto out;
	}
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		out->conflicts = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		rc = bc_sqlite_err(s, step, err, "read conflicts");
out:
	bc_read_end(s);
	if (rc == BC_OK && nomem)
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
	if (rc != BC_OK)
		bc_feed_state_clear(out);
	return rc;
}

/* ---- writing documents --------------------------------------------- */

static const char SQL_LAST[] = "SELECT max(seq) FROM (SELECT seq FROM "
    "sync_meta WHERE seq > ?1 ORDER BY seq LIMIT ?2)";
static const char SQL_CHANGES[] = "SELECT key, hlc, origin, hash, deleted, "
    "seq FROM sync_meta WHERE seq > ?1 AND seq <= ?2 AND +kind = ?3 AND "
    "origin IS NOT ?4 ORDER BY seq";
static const char SQL_SNAPSHOT[] = "SELECT key, hlc, origin, hash, "
    "deleted, seq FROM sync_meta WHERE kind = ?1 ORDER BY key";

/* How far this store applied the feed of peer (the reader). */
static int
reader_applied(bc_store *s, const char *peer, long long *applied,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int step;

	*applied = 0;
	if ((st = bc_stmt(s, SQL_STATE_PEER, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, peer);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		*applied = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return bc_sqlite_err(s, step, err, "read peer position");
	return BC_OK;
}

int
bc_feed_applied(bc_store *s, const char *peer, long long *applied,
    struct bc_err *err)
{
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	rc = reader_applied(s, peer, applied, err);
	bc_read_end(s);
	return rc;
}

/* Writes the rows of one kind that st returns. */
static int
write_rows(bc_store *s, struct bc_feed_writer *fw, const char *kind,
    sqlite3_stmt *st, size_t *count, struct bc_err *err)
{
	struct bc_feed_meta m;
	int rc = BC_OK, step, written;

	while (rc == BC_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		m.kind = kind;
		m.key = (const char *)sqlite3_column_text(st, 0);
		m.hlc = sqlite3_column_int64(st, 1);
		m.origin = (const char *)sqlite3_column_text(st, 2);
		m.hash = (const char *)sqlite3_column_text(st, 3);
		m.deleted = sqlite3_column_int(st, 4);
		m.seq = sqlite3_column_int64(st, 5);
		if (m.key == NULL || m.origin == NULL) {
			rc = bc_err_set(err, BC_ENOMEM, "out of memory");
			break;
		}
		if ((rc = bc_feed_xml_object(fw, s, &m, &written, err)) ==
		    BC_OK && written)
			(*count)++;
	}
	if (rc == BC_OK && step != SQLITE_DONE)
		rc = bc_sqlite_err(s, step, err, "read feed");
	return rc;
}

static int
site_row(bc_store *s, char **name, long long *seq, long long *floor,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int step, nomem = 0;

	if ((st = bc_stmt(s, SQL_STATE_SITE, err)) == NULL)
		return err->status;
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*name = bc_column_dup(st, 0, &nomem);
		*seq = sqlite3_column_int64(st, 1);
		*floor = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? bc_err_set(err, BC_ENOSTORE,
		    "store '%s' is not initialised", bc_store_path(s)) :
		    bc_sqlite_err(s, step, err, "read feed position");
	return nomem ? bc_err_set(err, BC_ENOMEM, "out of memory") : BC_OK;
}

static int
write_changes(bc_store *s, FILE *f, const char *as_site, long long after,
    const char *exclude, size_t limit, long long *last, size_t *count,
    struct bc_err *err)
{
	struct bc_feed_writer fw;
	sqlite3_stmt *st;
	char *site = NULL;
	long long seq, floor, upto, acked = -1;
	size_t i;
	int rc, step;

	*count = 0;
	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((rc = site_row(s, &site, &seq, &floor, err)))
		goto out;
	if (after < floor) {
		rc = bc_err_set(err, BC_ENOENT, "feed position %lld of site "
		    "'%s' is gone (changes up to %lld were purged): start "
		    "from a snapshot", after, site, floor);
		goto out;
	}
	upto = seq;
	if (limit > 0) {
		if ((st = bc_stmt(s, SQL_LAST, err)) == NULL) {
			rc = err->status;
			goto out;
		}
		sqlite3_bind_int64(st, 1, after);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW && sqlite3_column_type(st, 0) !=
		    SQLITE_NULL && sqlite3_column_int64(st, 0) < seq)
			upto = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (step != SQLITE_ROW) {
			rc = bc_sqlite_err(s, step, err, "read feed");
			goto out;
		}
	}
	if (upto < after)
		upto = after;
	if (exclude != NULL && (rc = reader_applied(s, exclude, &acked, err)))
		goto out;
	if ((rc = bc_feed_xml_begin(&fw, f, as_site != NULL ? as_site : site,
	    "changes", after, upto, acked, err)))
		goto out;
	for (i = 0; rc == BC_OK && i < BC_FEED_KINDS; i++) {
		if ((rc = bc_feed_xml_group(&fw, bc_feed_kinds[i], err)))
			break;
		step = sqlite3_prepare_v2(s->db, SQL_CHANGES, -1, &st, NULL);
		if (step != SQLITE_OK) {
			rc = bc_sqlite_err(s, step, err, "read feed");
			break;
		}
		sqlite3_bind_int64(st, 1, after);
		sqlite3_bind_int64(st, 2, upto);
		bc_bind_text(st, 3, bc_feed_kinds[i]);
		bc_bind_text(st, 4, exclude);
		rc = write_rows(s, &fw, bc_feed_kinds[i], st, count, err);
		sqlite3_finalize(st);
	}
	rc = bc_feed_xml_end(&fw, rc, err);
	if (rc == BC_OK)
		*last = upto;
out:
	bc_read_end(s);
	free(site);
	return rc;
}

int
bc_feed_write_changes(bc_store *s, FILE *f, long long after,
    const char *exclude, size_t limit, long long *last, size_t *count,
    struct bc_err *err)
{
	return write_changes(s, f, NULL, after, exclude, limit, last, count,
	    err);
}

int
bc_feed_write_changes_as(bc_store *s, FILE *f, const char *as_site,
    long long after, size_t limit, long long *last, size_t *count,
    struct bc_err *err)
{
	return write_changes(s, f, as_site, after, NULL, limit, last, count,
	    err);
}

int
bc_feed_write_snapshot(bc_store *s, FILE *f, const char *reader,
    long long *seq, size_t *count, struct bc_err *err)
{
	struct bc_feed_writer fw;
	sqlite3_stmt *st;
	char *site = NULL;
	long long floor, acked = -1;
	size_t i;
	int rc, step;

	*count = 0;
	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((rc = site_row(s, &site, seq, &floor, err)) ||
	    (reader != NULL && (rc = reader_applied(s, reader, &acked, err))) ||
	    (rc = bc_feed_xml_begin(&fw, f, site, "snapshot", 0, *seq, acked,
	    err)))
		goto out;
	for (i = 0; rc == BC_OK && i < BC_FEED_KINDS; i++) {
		if ((rc = bc_feed_xml_group(&fw, bc_feed_kinds[i], err)))
			break;
		step = sqlite3_prepare_v2(s->db, SQL_SNAPSHOT, -1, &st, NULL);
		if (step != SQLITE_OK) {
			rc = bc_sqlite_err(s, step, err, "read snapshot");
			break;
		}
		bc_bind_text(st, 1, bc_feed_kinds[i]);
		rc = write_rows(s, &fw, bc_feed_kinds[i], st, count, err);
		sqlite3_finalize(st);
	}
	rc = bc_feed_xml_end(&fw, rc, err);
out:
	bc_read_end(s);
	free(site);
	return rc;
}

/* ---- digests ------------------------------------------------------- */

/* bc_xor(text): the XOR of the 64-bit hex values of a column. */
static void
xor_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned long long *acc;
	const char *t;

	(void)argc;
	if ((acc = sqlite3_aggregate_context(ctx, sizeof(*acc))) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if ((t = (const char *)sqlite3_value_text(argv[0])) != NULL)
		*acc ^= strtoull(t, NULL, 16);
}

static void
xor_final(sqlite3_context *ctx)
{
	unsigned long long *acc = sqlite3_aggregate_context(ctx, 0);
	char out[17];

	snprintf(out, sizeof(out), "%016llx", acc != NULL ? *acc : 0ULL);
	sqlite3_result_text(ctx, out, 16, SQLITE_TRANSIENT);
}

static const char SQL_DIGEST[] = "SELECT substr(bc_hash(key), 1, 1) AS b, "
    "count(*), bc_xor(bc_hash(key || ' ' || hash)) FROM sync_meta "
    "WHERE kind = ?1 AND deleted = 0 GROUP BY b ORDER BY b";

int
bc_feed_digest(bc_store *s, struct bc_feed_digest d[BC_FEED_KINDS],
    long long *seq, struct bc_err *err)
{
	sqlite3_stmt *st;
	unsigned long long all;
	char *site = NULL;
	long long floor;
	size_t i, b;
	int rc, step;

	rc = sqlite3_create_function_v2(s->db, "bc_xor", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, NULL, xor_step, xor_final, NULL);
	if (rc != SQLITE_OK)
		return bc_sqlite_err(s, rc, err, "register functions");
	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((rc = site_row(s, &site, seq, &floor, err)))
		goto out;
	for (i = 0; rc == BC_OK && i < BC_FEED_KINDS; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].kind = bc_feed_kinds[i];
		for (b = 0; b < BC_FEED_BUCKETS; b++)
			strcpy(d[i].bucket[b], "0000000000000000");
		if ((st = bc_stmt(s, SQL_DIGEST, err)) == NULL) {
			rc = err->status;
			break;
		}
		bc_bind_text(st, 1, bc_feed_kinds[i]);
		all = 0;
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			const char *bk = (const char *)sqlite3_column_text(st, 0);
			const char *x = (const char *)sqlite3_column_text(st, 2);

			b = (size_t)strtoul(bk != NULL ? bk : "0", NULL, 16) %
			    BC_FEED_BUCKETS;
			d[i].count += sqlite3_column_int64(st, 1);
			snprintf(d[i].bucket[b], sizeof(d[i].bucket[b]), "%s",
			    x != NULL ? x : "0000000000000000");
			all ^= strtoull(d[i].bucket[b], NULL, 16);
		}
		sqlite3_reset(st);
		if (step != SQLITE_DONE) {
			rc = bc_sqlite_err(s, step, err, "read digest");
			break;
		}
		snprintf(d[i].digest, sizeof(d[i].digest), "%016llx", all);
	}
out:
	bc_read_end(s);
	free(site);
	return rc;
}

/* ---- acknowledgements and purge ------------------------------------ */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char SQL_ACK[] = "INSERT INTO sync_feed (peer, acked, acked_at) "
    "VALUES (?1, ?2, ?3) ON CONFLICT (peer) DO UPDATE SET "
    "acked = max(acked, excluded.acked), acked_at = excluded.acked_at";
/* tombstones the peer has (?1: the peer) or older than ?2 (an HLC); the
 * partial index sync_meta_tomb (schema 9) holds just the tombstones */
#define PURGEABLE "deleted = 1 AND (seq <= coalesce((SELECT acked FROM " \
    "sync_feed WHERE peer = ?1), 0) OR hlc < ?2)"
static const char SQL_ACK_TOMBS[] =
    "SELECT count(*), coalesce(max(seq), 0) FROM sync_meta WHERE " PURGEABLE;
static const char SQL_ACK_FLOOR[] =
    "UPDATE site SET feed_floor = max(feed_floor, ?1)";
static const char SQL_ACK_PURGE[] = "DELETE FROM sync_meta WHERE " PURGEABLE;

/* How many tombstones can go, and the highest position among them. */
static int
purgeable(bc_store *s, const char *peer, long long keep, long long *n,
    long long *top, struct bc_err *err)
{
	sqlite3_stmt *st;
	int step;

	*n = *top = 0;
	if ((st = bc_stmt(s, SQL_ACK_TOMBS, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, peer);
	sqlite3_bind_int64(st, 2, keep);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		*top = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return bc_sqlite_err(s, step, err, "read feed");
	return BC_OK;
}

int
bc_feed_ack(bc_store *s, const char *peer, long long acked, long long retain,
    size_t *purged, struct bc_err *err)
{
	sqlite3_stmt *st;
	long long keep, n = 0, top = 0;
	int rc;

	if (purged != NULL)
		*purged = 0;
	keep = retain < 0 ? 0 : (now_ms() - retain * 1000 + (retain == 0)) <<
	    16;
	if (acked < 0) {
		/* the periodic purge: most of the time there is nothing */
		if ((rc = purgeable(s, peer, keep, &n, &top, err)) || n == 0)
			return rc;
	}
	if ((rc = bc_tx_begin(s, err)))
		return rc;
	if (acked >= 0) {
		if ((st = bc_stmt(s, SQL_ACK, err)) == NULL) {
			rc = err->status;
			goto out;
		}
		bc_bind_text(st, 1, peer);
		sqlite3_bind_int64(st, 2, acked);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
		if ((rc = bc_step_done(s, st, err, "record acknowledgement")))
			goto out;
	}
	if ((rc = purgeable(s, peer, keep, &n, &top, err)) || n == 0)
		goto out;
	/* a reader below the purged tombstones needs a snapshot */
	if ((st = bc_stmt(s, SQL_ACK_FLOOR, err)) == NULL) {
		rc = err->status;
		goto out;
	}
	sqlite3_bind_int64(st, 1, top);
	if ((rc = bc_step_done(s, st, err, "purge tombstones")))
		goto out;
	if ((st = bc_stmt(s, SQL_ACK_PURGE, err)) == NULL) {
		rc = err->status;
		goto out;
	}
	bc_bind_text(st, 1, peer);
	sqlite3_bind_int64(st, 2, keep);
	if ((rc = bc_step_done(s, st, err, "purge tombstones")) == BC_OK &&
	    purged != NULL)
		*purged = (size_t)sqlite3_changes(s->db);
out:
	return bc_tx_end(s, rc, err);
}

int
bc_feed_catch_up(bc_store *s, struct bc_err *err)
{
	return bc_meta_catch_up(s, err);
}
