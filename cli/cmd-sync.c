/*
 * cmd-sync.c -- bcadm sync: one-way (--from A --to B) or two-way
 * (--two-way A B) synchronization of two site stores.  Also the parts
 * reconcile shares: --max-delete parsing, step reporting, the progress
 * bar.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bc-sync.h"
#include "output.h"
#include "remote.h"
#include "sync-cli.h"

static const struct cmd_opt sync_opts[] = {
	{ "from", "STORE_A", VAL_FILE, 0 },
	{ "to", "STORE_B", VAL_FILE, 0 },
	{ "two-way", NULL, VAL_NONE, 0 },
	{ "dry-run", NULL, VAL_NONE, 0 },
	{ "delete", NULL, VAL_NONE, 0 },
	{ "max-delete", "N|P%", VAL_TEXT, 0 },
	{ "prefer", "newer|A|B", VAL_TEXT, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

int
sync_parse_max_delete(const char *v, struct bc_sync_opts *o,
    struct bc_err *err)
{
	char *end;
	long long n;

	if (v == NULL)
		return BC_OK;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (end == v || errno != 0 || n < 0 ||
	    (*end != '\0' && strcmp(end, "%") != 0) ||
	    (*end == '%' && n > 100))
		return bc_err_set(err, BC_EINVAL, "--max-delete '%s' is not a "
		    "number of objects or a percentage (N or P%%)", v);
	if (*end == '%') {
		o->max_delete = -1;
		o->max_delete_pct = (int)n;
	} else
		o->max_delete = n;
	return BC_OK;
}

static const char *const action_names[] = {
	[BC_SYNC_CREATE] = "create",
	[BC_SYNC_UPDATE] = "update",
	[BC_SYNC_DELETE] = "delete",
};

/*
 * Each step: in a dry run, the plan line; otherwise the progress bar,
 * drawn on a terminal only (never in cron or a pipe).
 */
int
sync_step(const struct bc_sync_step *st, void *arg)
{
	struct sync_report *r = arg;
	int pct;

	if (r->dry_run) {
		r->pending++;
		if (r->ctx->format == FORMAT_JSON) {
			json_t *o = json_object();

			json_object_set_new(o, "action",
			    json_string(action_names[st->action]));
			json_object_set_new(o, "kind", json_string(st->kind));
			json_object_set_new(o, "key", json_string(st->key));
			json_object_set_new(o, "at", json_string(st->at_a ?
			    r->name_a : r->name_b));
			json_object_set_new(o, "conflict",
			    json_boolean(st->conflict));
			return out_list_item(&r->list, o);
		}
		fprintf(r->ctx->out, "%s %s '%s' at %s%s\n",
		    action_names[st->action], st->kind, st->key,
		    st->at_a ? r->name_a : r->name_b,
		    st->conflict ? " (conflict)" : "");
		return ferror(r->ctx->out) ? EXIT_IOERR : 0;
	}
	if (!r->tty || st->total == 0)
		return 0;
	pct = (int)(st->done * 100 / st->total);
	if (pct != r->last_pct || st->done == st->total) {
		fprintf(stderr, "\r%s: %zu/%zu changes (%d%%)%s", r->what,
		    st->done, st->total, pct, st->done == st->total ? "\n" : "");
		r->last_pct = pct;
	}
	return 0;
}

void
sync_report_init(struct sync_report *r, struct cmd_ctx *ctx, const char *what,
    const char *name_a, const char *name_b, int dry_run)
{
	static const struct out_col plan_cols[] = {
		{ "ACTION", "action", 6 },
		{ "KIND", "kind", 6 },
		{ "KEY", "key", 24 },
		{ "AT", "at", 0 },
		{ NULL, NULL, 0 }
	};

	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->what = what;
	r->name_a = name_a;
	r->name_b = name_b;
	r->dry_run = dry_run;
	r->tty = isatty(STDERR_FILENO);
	r->last_pct = -1;
	out_list_begin(&r->list, ctx, plan_cols);
	if (ctx->format == FORMAT_TEXT)
		r->list.started = 1;	/* plan lines carry no header */
}

size_t
sync_changes(const struct bc_sync_stats *s, int side)
{
	return s->created[side] + s->updated[side] + s->deleted[side];
}

static int
cmd_sync_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_sync_opts o;
	struct bc_sync_stats stats;
	struct sync_report r;
	struct bc_err err;
	const char *pa, *pb, *prefer;
	bc_store *sa = NULL, *sb = NULL;
	int twoway = args_has(a, "two-way"), rc;

	if (twoway) {
		if (a->argc != 2 || args_has(a, "from") || args_has(a, "to") ||
		    args_has(a, "delete"))
			return cmd_errorx(EXIT_USAGE, "sync: use --two-way "
			    "STORE_A STORE_B (deletions always propagate)");
		pa = a->argv[0];
		pb = a->argv[1];
	} else {
		if (a->argc != 0 || !args_has(a, "from") || !args_has(a, "to") ||
		    args_has(a, "prefer"))
			return cmd_errorx(EXIT_USAGE, "sync: use --from STORE_A "
			    "--to STORE_B, or --two-way STORE_A STORE_B");
		pa = args_get(a, "from");
		pb = args_get(a, "to");
	}
	bc_sync_opts_init(&o);
	o.dry_run = args_has(a, "dry-run");
	o.delete = args_has(a, "delete");
	if ((prefer = args_get(a, "prefer")) != NULL) {
		if (strcmp(prefer, "newer") == 0)
			o.prefer = BC_PREFER_NEWER;
		else if (strcmp(prefer, "A") == 0)
			o.prefer = BC_PREFER_A;
		else if (strcmp(prefer, "B") == 0)
			o.prefer = BC_PREFER_B;
		else
			return cmd_errorx(EXIT_USAGE, "sync: --prefer takes "
			    "newer, A or B");
	}
	if (sync_parse_max_delete(args_get(a, "max-delete"), &o, &err))
		return cmd_error(&err);
	if (cmd_open_store(ctx, pa, &sa, &err) != BC_OK ||
	    cmd_open_store(ctx, pb, &sb, &err) != BC_OK) {
		rc = cmd_error(&err);
		goto done;
	}
	sync_report_init(&r, ctx, "sync", "A", "B", o.dry_run);
	o.cb = sync_step;
	o.arg = &r;
	rc = twoway ? bc_sync_twoway(sa, sb, &o, &stats, &err) :
	    bc_sync_oneway(sa, sb, &o, &stats, &err);
	/* a peer's bcsync given as a URL gets what its copy received */
	if (rc == 0 && !o.dry_run)
		rc = remote_push_pair(ctx, sa, sb, &err);
	if (rc != 0 && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (o.dry_run) {
		if (out_list_end(&r.list, rc == 0) != 0 && rc == 0)
			rc = EXIT_IOERR;
		/* a dry run says whether anything is pending */
		if (rc == 0 && r.pending > 0)
			rc = EXIT_DIFFER;
	} else {
		out_list_end(&r.list, 0);
		if (rc == 0)
			fprintf(ctx->out, "B: %zu created, %zu updated, %zu "
			    "deleted%s", stats.created[0], stats.updated[0],
			    stats.deleted[0], twoway ? "; " : "\n");
		if (rc == 0 && twoway)
			fprintf(ctx->out, "A: %zu created, %zu updated, %zu "
			    "deleted; %zu conflicts\n", stats.created[1],
			    stats.updated[1], stats.deleted[1],
			    stats.conflicts);
	}
done:
	remote_close(ctx, sa);
	remote_close(ctx, sb);
	return rc;
}

const struct cmd_entry cmd_sync_entry = {
	.name = "sync", .args = "[STORE_A STORE_B]", .argval = VAL_FILE,
	.min_args = 0, .max_args = 2, .opts = sync_opts,
	.exec = cmd_sync_exec,
	.summary = "Make B equal A (--from A --to B), or both equal "
	    "(--two-way A B).",
};
