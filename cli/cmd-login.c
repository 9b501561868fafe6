/*
 * cmd-login.c -- bcadm login add|set|del|show|list: agent logins.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

static const struct cmd_opt login_add_opts[] = {
	{ "password", "PW", VAL_TEXT, 0 },
	{ "override", "V", VAL_TEXT, 0 },
	{ "use-override", NULL, VAL_NONE, 0 },
	{ "disabled", NULL, VAL_NONE, 0 },
	{ "option", "SECTION/KEY=VALUE", VAL_TEXT, OPT_REPEAT },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct cmd_opt login_set_opts[] = {
	{ "password", "PW", VAL_TEXT, 0 },
	{ "override", "V", VAL_TEXT, 0 },
	{ "use-override", NULL, VAL_NONE, 0 },
	{ "no-use-override", NULL, VAL_NONE, 0 },
	{ "disabled", NULL, VAL_NONE, 0 },
	{ "enabled", NULL, VAL_NONE, 0 },
	{ "option", "SECTION/KEY=VALUE", VAL_TEXT, OPT_REPEAT },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct out_col login_cols[] = {
	{ "CODE", "code", 10 },
	{ "PERSON", "person", 16 },
	{ "OVERRIDE", "override", 10 },
	{ "USE-OVERRIDE", "use-override", 12 },
	{ "ENABLED", "enabled", 0 },
	{ NULL, NULL, 0 }
};

static int
login_apply(const struct cmd_args *a, struct bc_login *l, struct bc_err *err)
{
	int rc;

	if ((rc = args_set_string(a, "password", &l->password, err)) ||
	    (rc = args_set_string(a, "override", &l->override, err)))
		return rc;
	if (args_has(a, "use-override"))
		l->use_override = 1;
	if (args_has(a, "no-use-override"))
		l->use_override = 0;
	l->enabled = args_enabled(a, l->enabled);
	return args_apply_options(a, &l->options, err);
}

static json_t *
login_json(const struct bc_login *l)
{
	json_t *o = json_object();

	json_object_set_new(o, "code", json_string(l->code));
	json_object_set_new(o, "password", out_secret(l->password));
	json_object_set_new(o, "override", out_str(l->override));
	json_object_set_new(o, "use-override", json_boolean(l->use_override));
	json_object_set_new(o, "enabled", json_boolean(l->enabled));
	json_object_set_new(o, "option", out_options(&l->options));
	json_object_set_new(o, "person", out_str(l->person));
	return o;
}

static int
cmd_login_add_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_login l;
	struct bc_err err;
	int rc;

	bc_login_init(&l);
	if ((l.code = strdup(a->argv[0])) == NULL)
		rc = bc_err_set(&err, BC_ENOMEM, "out of memory");
	else if ((rc = login_apply(a, &l, &err)) == BC_OK)
		rc = bc_login_add(ctx->store, &l, &err);
	bc_login_clear(&l);
	return rc != BC_OK ? cmd_error(&err) : 0;
}

static int
cmd_login_set_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_login l;
	struct bc_err err;
	int rc;

	if (bc_tx_begin(ctx->store, &err) != BC_OK)
		return cmd_error(&err);
	if ((rc = bc_login_get(ctx->store, a->argv[0], &l, &err)) == BC_OK &&
	    (rc = login_apply(a, &l, &err)) == BC_OK)
		rc = bc_login_update(ctx->store, &l, &err);
	bc_login_clear(&l);
	if (bc_tx_end(ctx->store, rc, &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_login_del_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;

	if (bc_login_delete(ctx->store, a->argv[0], &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_login_show_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_login l;
	struct bc_err err;

	if (bc_login_get(ctx->store, a->argv[0], &l, &err) != BC_OK)
		return cmd_error(&err);
	out_show(ctx, login_json(&l));
	bc_login_clear(&l);
	return 0;
}

static int
login_list_one(const struct bc_login *l, void *arg)
{
	return out_list_item(arg, login_json(l));
}

static int
cmd_login_list_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct out_list ol;
	struct bc_err err;
	int rc;

	(void)a;
	out_list_begin(&ol, ctx, login_cols);
	rc = bc_login_foreach(ctx->store, login_list_one, &ol, &err);
	if (rc != BC_OK && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (out_list_end(&ol, rc == 0) != 0 && rc == 0)
		rc = EXIT_IOERR;
	return rc;
}

const struct cmd_entry cmd_login_add_entry = {
	.name = "login add", .args = "CODE", .min_args = 1, .max_args = 1,
	.opts = login_add_opts, .flags = CMD_STORE,
	.exec = cmd_login_add_exec,
	.summary = "Create an agent login.",
};

const struct cmd_entry cmd_login_set_entry = {
	.name = "login set", .args = "CODE", .argval = VAL_LOGIN,
	.min_args = 1, .max_args = 1, .opts = login_set_opts,
	.flags = CMD_STORE, .exec = cmd_login_set_exec,
	.summary = "Change an agent login; an empty value clears a field.",
};

const struct cmd_entry cmd_login_del_entry = {
	.name = "login del", .args = "CODE", .argval = VAL_LOGIN,
	.min_args = 1, .max_args = 1, .flags = CMD_STORE,
	.exec = cmd_login_del_exec,
	.summary = "Delete an agent login no person holds.",
};

const struct cmd_entry cmd_login_show_entry = {
	.name = "login show", .args = "CODE", .argval = VAL_LOGIN,
	.min_args = 1, .max_args = 1, .flags = CMD_STORE,
	.exec = cmd_login_show_exec,
	.summary = "Show an agent login and the person holding it.",
};

const struct cmd_entry cmd_login_list_entry = {
	.name = "login list", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE, .exec = cmd_login_list_exec,
	.summary = "List agent logins.",
};
