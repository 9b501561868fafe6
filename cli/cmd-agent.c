/*
 * cmd-agent.c -- bcadm agent login|logout|ready|not-ready|list: the
 * agents logged in at this site (runtime state, never synchronized; see
 * bc-agent.h).  bcsipd routes by it within a second of a change.
 */
#include <time.h>

#include "bc-agent.h"
#include "output.h"

static const struct cmd_opt agent_login_opts[] = {
	{ "dn", "NUMBER", VAL_DN, OPT_REQUIRED },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct out_col agent_cols[] = {
	{ "CODE", "code", 10 },
	{ "PERSON", "person", 16 },
	{ "DN", "dn", 10 },
	{ "STATE", "state", 10 },
	{ "CALLS", "calls", 6 },
	{ "SINCE", "since", 0 },
	{ NULL, NULL, 0 }
};

/* Unix time as "2026-11-25T17:06:18Z". */
static json_t *
out_time(long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return json_integer(t);
	return json_string(buf);
}

static json_t *
agent_json(const struct bc_agent *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "code", json_string(a->code));
	json_object_set_new(o, "person", json_string(a->person));
	json_object_set_new(o, "dn", json_string(a->dn));
	json_object_set_new(o, "state", json_string(bc_agent_state_name(a)));
	json_object_set_new(o, "ready", json_boolean(a->ready));
	json_object_set_new(o, "calls", json_integer(a->calls));
	json_object_set_new(o, "logout-pending",
	    json_boolean(a->logout_pending));
	/* since: the last change of state, or idle since when ready */
	json_object_set_new(o, "since", out_time(a->calls == 0 && a->ready ?
	    a->idle_since : a->state_at));
	json_object_set_new(o, "login-at", json_integer(a->login_at));
	json_object_set_new(o, "idle-since", json_integer(a->idle_since));
	return o;
}

static int
cmd_agent_login_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;

	if (bc_agent_login(ctx->store, a->argv[0], args_get(a, "dn"),
	    (long long)time(NULL), &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_agent_logout_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;

	if (bc_agent_logout(ctx->store, a->argv[0], &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
agent_ready(struct cmd_ctx *ctx, struct cmd_args *a, int ready)
{
	struct bc_err err;

	if (bc_agent_set_ready(ctx->store, a->argv[0], ready,
	    (long long)time(NULL), &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_agent_ready_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	return agent_ready(ctx, a, 1);
}

static int
cmd_agent_not_ready_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	return agent_ready(ctx, a, 0);
}

static int
agent_list_one(const struct bc_agent *ag, void *arg)
{
	return out_list_item(arg, agent_json(ag));
}

static int
cmd_agent_list_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct out_list ol;
	struct bc_err err;
	int rc;

	(void)a;
	out_list_begin(&ol, ctx, agent_cols);
	rc = bc_agent_foreach(ctx->store, agent_list_one, &ol, &err);
	if (rc != BC_OK && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (out_list_end(&ol, rc == 0) != 0 && rc == 0)
		rc = EXIT_IOERR;
	return rc;
}

const struct cmd_entry cmd_agent_login_entry = {
	.name = "agent login", .args = "CODE", .argval = VAL_LOGIN,
	.min_args = 1, .max_args = 1, .opts = agent_login_opts,
	.flags = CMD_STORE, .exec = cmd_agent_login_exec,
	.summary = "Log an agent in at this site on an extension, not ready.",
};

const struct cmd_entry cmd_agent_logout_entry = {
	.name = "agent logout", .args = "CODE", .argval = VAL_LOGIN,
	.min_args = 1, .max_args = 1, .flags = CMD_STORE,
	.exec = cmd_agent_logout_exec,
	.summary = "Log an agent out.",
};

const struct cmd_entry cmd_agent_ready_entry = {
	.name = "agent ready", .args = "CODE", .argval = VAL_LOGIN,
	.min_args = 1, .max_args = 1, .flags = CMD_STORE,
	.exec = cmd_agent_ready_exec,
	.summary = "Make a logged-in agent ready for ACD queue calls.",
};

const struct cmd_entry cmd_agent_not_ready_entry = {
	.name = "agent not-ready", .args = "CODE", .argval = VAL_LOGIN,
	.min_args = 1, .max_args = 1, .flags = CMD_STORE,
	.exec = cmd_agent_not_ready_exec,
	.summary = "Make a logged-in agent not ready.",
};

const struct cmd_entry cmd_agent_list_entry = {
	.name = "agent list", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE, .exec = cmd_agent_list_exec,
	.summary = "List the agents logged in at this site and their state.",
};
