/*
 * cmd-reconcile.c -- bcadm reconcile: the nightly two-way repair between
 * this site and its peer, for cron.  Takes an exclusive lock, writes a
 * one-line summary to syslog (and stderr on a terminal) and optionally a
 * JSON report.
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "bc-sync.h"
#include "output.h"
#include "remote.h"
#include "sync-cli.h"

static const struct cmd_opt reconcile_opts[] = {
	{ "dry-run", NULL, VAL_NONE, 0 },
	{ "report", "FILE.json", VAL_FILE, 0 },
	{ "max-delete", "N|P%", VAL_TEXT, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Takes the reconcile lock: a file next to the site store. */
static int
take_lock(const char *store, int *fd, char **lockpath)
{
	if (asprintf(lockpath, "%s.reconcile.lock", store) == -1) {
		*lockpath = NULL;
		return cmd_errorx(EXIT_OSERR, "out of memory");
	}
	if ((*fd = open(*lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return cmd_errorx(EXIT_CANTCREAT, "cannot open lock '%s': %s",
		    *lockpath, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) == -1) {
		int e = errno;

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK)
			return cmd_errorx(EXIT_TEMPFAIL, "another reconcile is "
			    "running (lock '%s')", *lockpath);
		return cmd_errorx(EXIT_CANTCREAT, "cannot lock '%s': %s",
		    *lockpath, strerror(e));
	}
	return 0;
}

static json_t *
side_json(const char *name, const char *store, bc_store *s,
    const char *peer, const struct bc_sync_stats *st, int side)
{
	json_t *o = json_object();
	struct bc_err err;
	long long hlc = 0, last = 0;

	bc_sync_position(s, peer, &hlc, &last, &err);
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "store", json_string(store));
	json_object_set_new(o, "hlc", json_integer(hlc));
	json_object_set_new(o, "last_sync_hlc", json_integer(last));
	json_object_set_new(o, "created",
	    json_integer((json_int_t)st->created[side]));
	json_object_set_new(o, "updated",
	    json_integer((json_int_t)st->updated[side]));
	json_object_set_new(o, "deleted",
	    json_integer((json_int_t)st->deleted[side]));
	return o;
}

static int
write_report(const char *path, json_t *report)
{
	char *tmp;
	int rc = 0;

	/* written whole or not at all: a temporary file renamed */
	if (asprintf(&tmp, "%s.tmp", path) == -1)
		return cmd_errorx(EXIT_OSERR, "out of memory");
	if (json_dump_file(report, tmp, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER) != 0 || rename(tmp, path) == -1) {
		rc = cmd_errorx(EXIT_CANTCREAT, "cannot write report '%s': %s",
		    path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

static int
count_diff(const struct bc_diff_item *it, void *arg)
{
	(void)it;
	(void)arg;
	return 0;
}

static int
cmd_reconcile_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_sync_opts o;
	struct bc_sync_stats stats;
	struct sync_report r;
	struct bc_err err;
	bc_store *site = NULL, *peer = NULL;
	char *site_path = NULL, *peer_path = NULL, *lockpath = NULL;
	const char *report = args_get(a, "report");
	size_t left = 0;
	long long open_conflicts = 0, t0 = now_ms(), ms;
	json_t *j;
	int rc, lockfd = -1;

	memset(&stats, 0, sizeof(stats));
	if (ctx->conf.site_store == NULL || (ctx->conf.peer_store == NULL &&
	    ctx->conf.peer_url == NULL) || ctx->conf.site_name == NULL ||
	    ctx->conf.peer_name == NULL)
		return cmd_errorx(EXIT_CONFIG, "reconcile needs [site] name "
		    "and store and [peer] name and store (or url) in %s",
		    ctx->conf.path != NULL ? ctx->conf.path : BC_CONF_DEFAULT);
	/* [peer] store when both are given: a shared disk is the cheaper */
	if ((site_path = cmd_conf_relative(ctx, ctx->conf.site_store)) ==
	    NULL || (peer_path = ctx->conf.peer_store != NULL ?
	    cmd_conf_relative(ctx, ctx->conf.peer_store) :
	    strdup(ctx->conf.peer_url)) == NULL) {
		rc = cmd_errorx(EXIT_OSERR, "out of memory");
		goto done;
	}
	bc_sync_opts_init(&o);
	o.dry_run = args_has(a, "dry-run");
	if (sync_parse_max_delete(args_get(a, "max-delete"), &o, &err)) {
		rc = cmd_error(&err);
		goto done;
	}
	if ((rc = take_lock(site_path, &lockfd, &lockpath)) != 0)
		goto done;
	if (cmd_open_store(ctx, site_path, &site, &err) != BC_OK ||
	    cmd_open_store(ctx, peer_path, &peer, &err) != BC_OK) {
		rc = cmd_error(&err);
		goto log;
	}
	sync_report_init(&r, ctx, "reconcile", ctx->conf.site_name,
	    ctx->conf.peer_name, o.dry_run);
	o.cb = sync_step;
	o.arg = &r;
	rc = bc_sync_twoway(site, peer, &o, &stats, &err);
	if (rc == 0 && !o.dry_run)
		rc = remote_push_pair(ctx, site, peer, &err);
	if (rc != 0 && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (o.dry_run && out_list_end(&r.list, rc == 0) != 0 && rc == 0)
		rc = EXIT_IOERR;
	if (rc == 0 && (bc_diff(site, peer, count_diff, NULL, &left,
	    &err) != BC_OK || bc_conflicts_open(site, &open_conflicts,
	    &err) != BC_OK))
		rc = cmd_error(&err);
	if (rc == 0 && (open_conflicts > 0 || left > 0))
		rc = EXIT_DIFFER;
log:
	ms = now_ms() - t0;
	openlog("bcadm", LOG_PID, LOG_DAEMON);
	syslog(rc == 0 ? LOG_INFO : LOG_WARNING, "reconcile %s<->%s%s: "
	    "%s %zu created %zu updated %zu deleted, %s %zu created %zu "
	    "updated %zu deleted, %zu conflicts, %lld open, %zu differences "
	    "left, %lld ms, exit %d", ctx->conf.site_name,
	    ctx->conf.peer_name, o.dry_run ? " (dry run)" : "",
	    ctx->conf.site_name, stats.created[1], stats.updated[1],
	    stats.deleted[1], ctx->conf.peer_name, stats.created[0],
	    stats.updated[0], stats.deleted[0], stats.conflicts,
	    open_conflicts, left, ms, rc);
	closelog();
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "reconcile %s<->%s: %zu changes here, %zu at "
		    "the peer, %zu conflicts (%lld open), %s, %lld ms\n",
		    ctx->conf.site_name, ctx->conf.peer_name,
		    sync_changes(&stats, 1), sync_changes(&stats, 0),
		    stats.conflicts, open_conflicts,
		    left == 0 ? "in sync" : "differences left", ms);
	if (report != NULL && site != NULL && peer != NULL) {
		j = json_object();
		json_object_set_new(j, "dry_run", json_boolean(o.dry_run));
		json_object_set_new(j, "in_sync", json_boolean(rc == 0));
		json_object_set_new(j, "exit", json_integer(rc));
		json_object_set_new(j, "duration_ms", json_integer(ms));
		json_object_set_new(j, "conflicts",
		    json_integer((json_int_t)stats.conflicts));
		json_object_set_new(j, "conflicts_open",
		    json_integer(open_conflicts));
		json_object_set_new(j, "differences_left",
		    json_integer((json_int_t)left));
		json_object_set_new(j, "tombstones_purged",
		    json_integer((json_int_t)stats.tombstones_purged));
		json_object_set_new(j, "site", side_json(ctx->conf.site_name,
		    site_path, site, ctx->conf.peer_name, &stats, 1));
		json_object_set_new(j, "peer", side_json(ctx->conf.peer_name,
		    peer_path, peer, ctx->conf.site_name, &stats, 0));
		if (write_report(report, j) != 0 && (rc == 0 ||
		    rc == EXIT_DIFFER))
			rc = EXIT_CANTCREAT;
		json_decref(j);
	}
done:
	remote_close(ctx, site);
	remote_close(ctx, peer);
	if (lockfd != -1)
		close(lockfd);
	free(lockpath);
	free(site_path);
	free(peer_path);
	return rc;
}

const struct cmd_entry cmd_reconcile_entry = {
	.name = "reconcile", .args = "", .min_args = 0, .max_args = 0,
	.opts = reconcile_opts, .exec = cmd_reconcile_exec,
	.summary = "Two-way synchronization of [site] and [peer] of the "
	    "configuration, for cron; exit 1 when conflicts remain open.",
};
