/*
 * cmd-sip.c -- bcadm sip status|shutdown: what bcsipd reports in the
 * store (the peer site's state, a graceful shutdown, the daemon) and the
 * graceful shutdown asked through the store.
 */
#include <time.h>

#include "bc-agent.h"
#include "output.h"

static const struct cmd_opt sip_shutdown_opts[] = {
	{ "graceful", NULL, VAL_NONE, OPT_REQUIRED },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct out_col sip_status_cols[] = {
	{ "NAME", "name", 10 },
	{ "VALUE", "value", 16 },
	{ "SINCE", "since", 22 },
	{ "DETAIL", "detail", 0 },
	{ NULL, NULL, 0 }
};

static int
sip_status_one(const struct bc_sip_status *st, void *arg)
{
	json_t *o = json_object();
	time_t t = (time_t)st->since;
	struct tm tm;
	char buf[32];

	json_object_set_new(o, "name", json_string(st->name));
	json_object_set_new(o, "value", json_string(st->value));
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		json_object_set_new(o, "since", json_string(buf));
	else
		json_object_set_new(o, "since", json_integer(st->since));
	json_object_set_new(o, "since-unix", json_integer(st->since));
	json_object_set_new(o, "detail", out_str(st->detail));
	return out_list_item(arg, o);
}

static int
cmd_sip_status_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct out_list ol;
	struct bc_err err;
	int rc;

	(void)a;
	out_list_begin(&ol, ctx, sip_status_cols);
	rc = bc_sip_status_foreach(ctx->store, sip_status_one, &ol, &err);
	if (rc != BC_OK && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (out_list_end(&ol, rc == 0) != 0 && rc == 0)
		rc = EXIT_IOERR;
	return rc;
}

static int
cmd_sip_shutdown_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;

	(void)a;
	if (bc_sip_status_set(ctx->store, BC_SIP_STATUS_SHUTDOWN, "requested",
	    "by bcadm sip shutdown --graceful", (long long)time(NULL),
	    &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

const struct cmd_entry cmd_sip_status_entry = {
	.name = "sip status", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE, .exec = cmd_sip_status_exec,
	.summary = "Show what bcsipd reports: the peer site's state, a "
	    "graceful shutdown, the daemon.",
};

const struct cmd_entry cmd_sip_shutdown_entry = {
	.name = "sip shutdown", .args = "", .min_args = 0, .max_args = 0,
	.opts = sip_shutdown_opts, .flags = CMD_STORE,
	.exec = cmd_sip_shutdown_exec,
	.summary = "Ask bcsipd for a graceful shutdown: new calls are refused, "
	    "calls in progress end, then it exits.",
};
