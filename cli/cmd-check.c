/*
 * cmd-check.c -- bcadm check: every rule over the whole store.
 */
#include "output.h"

static const struct out_col check_cols[] = {
	{ "KIND", "kind", 6 },
	{ "NAME", "name", 16 },
	{ "PROBLEM", "message", 0 },
	{ NULL, NULL, 0 }
};

static int
check_one(const struct bc_violation *v, void *arg)
{
	struct out_list *l = arg;
	json_t *o;

	/* text: one line per violation, as an error would read */
	if (l->ctx->format == FORMAT_TEXT) {
		fprintf(l->ctx->out, "%s '%s': %s\n", v->kind, v->name,
		    v->message);
		return ferror(l->ctx->out) ? EXIT_IOERR : 0;
	}
	o = json_object();
	json_object_set_new(o, "kind", json_string(v->kind));
	json_object_set_new(o, "name", json_string(v->name));
	json_object_set_new(o, "message", json_string(v->message));
	return out_list_item(l, o);
}

static int
cmd_check_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct out_list l;
	struct bc_err err;
	size_t n;
	int rc;

	(void)a;
	out_list_begin(&l, ctx, check_cols);
	if (ctx->format == FORMAT_TEXT)
		l.started = 1;	/* text has no header: silence when clean */
	rc = bc_check(ctx->store, check_one, &l, &n, &err);
	if (rc != BC_OK && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (out_list_end(&l, rc == 0) != 0 && rc == 0)
		rc = EXIT_IOERR;
	if (rc == 0 && n > 0)
		rc = EXIT_DIFFER;
	return rc;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE, .exec = cmd_check_exec,
	.summary = "Check the store against every rule; exit 1 on "
	    "violations.",
};
