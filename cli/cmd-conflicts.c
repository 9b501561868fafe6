/*
 * cmd-conflicts.c -- bcadm conflicts [list | show ID | resolve ID --keep
 * local|peer]: the conflicts two-way synchronization met at this site.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bc-sync.h"
#include "output.h"

static const struct cmd_opt conflicts_opts[] = {
	{ "keep", "local|peer", VAL_TEXT, 0 },
	{ "all", NULL, VAL_NONE, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct out_col conflict_cols[] = {
	{ "ID", "id", 4 },
	{ "KIND", "kind", 6 },
	{ "KEY", "key", 20 },
	{ "KEPT", "kept", 5 },
	{ "DETECTED", "detected", 20 },
	{ "STATE", "state", 0 },
	{ NULL, NULL, 0 }
};

static json_t *
time_json(long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0)
		return json_null();
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *
version_json(const char *site, long long hlc, const char *doc)
{
	json_t *o = json_object(), *d;

	json_object_set_new(o, "site", json_string(site));
	json_object_set_new(o, "time", time_json(bc_hlc_millis(hlc) / 1000));
	json_object_set_new(o, "hlc", json_integer(hlc));
	d = doc != NULL ? json_loads(doc, 0, NULL) : NULL;
	json_object_set_new(o, "document", d != NULL ? d : json_null());
	return o;
}

static json_t *
conflict_json(const struct bc_conflict *c, int full)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "kind", json_string(c->kind));
	json_object_set_new(o, "key", json_string(c->key));
	json_object_set_new(o, "kept", json_string(c->kept));
	json_object_set_new(o, "detected", time_json(c->detected_at));
	json_object_set_new(o, "state", json_string(c->resolved_at ?
	    "resolved" : "open"));
	if (full) {
		json_object_set_new(o, "resolved", time_json(c->resolved_at));
		json_object_set_new(o, "local", version_json(c->local_site,
		    c->local_hlc, c->local_doc));
		json_object_set_new(o, "peer", version_json(c->peer_site,
		    c->peer_hlc, c->peer_doc));
	}
	return o;
}

static int
list_one(const struct bc_conflict *c, void *arg)
{
	return out_list_item(arg, conflict_json(c, 0));
}

static int
parse_id(const char *s, long long *id)
{
	char *end;

	*id = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && *id > 0 ? 0 : -1;
}

static int
cmd_conflicts_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_conflict c;
	struct out_list l;
	struct bc_err err;
	const char *verb = a->argc > 0 ? a->argv[0] : "list";
	const char *keep = args_get(a, "keep");
	long long id;
	int rc;

	if (strcmp(verb, "list") == 0) {
		if (a->argc != 1 && a->argc != 0)
			return cmd_errorx(EXIT_USAGE, "conflicts list takes no "
			    "argument");
		out_list_begin(&l, ctx, conflict_cols);
		rc = bc_conflict_foreach(ctx->store, !args_has(a, "all"),
		    list_one, &l, &err);
		if (rc != 0 && rc < EXIT_USAGE)
			rc = cmd_error(&err);
		if (out_list_end(&l, rc == 0) != 0 && rc == 0)
			rc = EXIT_IOERR;
		return rc;
	}
	if (strcmp(verb, "show") != 0 && strcmp(verb, "resolve") != 0)
		return cmd_errorx(EXIT_USAGE, "conflicts: unknown action '%s': "
		    "use list, show ID or resolve ID --keep local|peer", verb);
	if (a->argc != 2 || parse_id(a->argv[1], &id) != 0)
		return cmd_errorx(EXIT_USAGE, "conflicts %s: give the conflict "
		    "ID (a number)", verb);
	if (strcmp(verb, "show") == 0) {
		if (bc_conflict_get(ctx->store, id, &c, &err) != BC_OK)
			return cmd_error(&err);
		out_show(ctx, conflict_json(&c, 1));
		bc_conflict_clear(&c);
		return 0;
	}
	if (keep == NULL || (strcmp(keep, "local") != 0 &&
	    strcmp(keep, "peer") != 0))
		return cmd_errorx(EXIT_USAGE, "conflicts resolve: give --keep "
		    "local or --keep peer");
	if (bc_conflict_resolve(ctx->store, id, strcmp(keep, "peer") == 0,
	    &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

const struct cmd_entry cmd_conflicts_entry = {
	.name = "conflicts", .args = "[list | show ID | resolve ID]",
	.min_args = 0, .max_args = 2, .opts = conflicts_opts,
	.flags = CMD_STORE, .exec = cmd_conflicts_exec,
	.summary = "List open conflicts (--all: every one), show one, or "
	    "resolve one keeping the local or the peer version.",
};
