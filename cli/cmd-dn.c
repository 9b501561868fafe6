/*
 * cmd-dn.c -- bcadm dn add|set|del|show|list: DNs of every type.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define DN_FIELD_OPTS \
	{ "place", "P", VAL_PLACE, 0 }, \
	{ "alias", "A", VAL_TEXT, 0 }, \
	{ "register", "true|false|on-demand", VAL_REGISTER, 0 }, \
	{ "association", "X", VAL_TEXT, 0 }, \
	{ "contact", "URI", VAL_TEXT, 0 }, \
	{ "password", "PW", VAL_TEXT, 0 }, \
	{ "disabled", NULL, VAL_NONE, 0 }

static const struct cmd_opt dn_add_opts[] = {
	{ "type", "TYPE", VAL_DN_TYPE, OPT_REQUIRED },
	DN_FIELD_OPTS,
	{ "option", "SECTION/KEY=VALUE", VAL_TEXT, OPT_REPEAT },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct cmd_opt dn_set_opts[] = {
	{ "type", "TYPE", VAL_DN_TYPE, 0 },
	DN_FIELD_OPTS,
	{ "enabled", NULL, VAL_NONE, 0 },
	{ "option", "SECTION/KEY=VALUE", VAL_TEXT, OPT_REPEAT },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct cmd_opt dn_type_opt[] = {
	{ "type", "TYPE", VAL_DN_TYPE, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct cmd_opt dn_list_opts[] = {
	{ "type", "TYPE", VAL_DN_TYPE, 0 },
	{ "place", "P", VAL_PLACE, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct out_col dn_cols[] = {
	{ "NUMBER", "number", 10 },
	{ "TYPE", "type", 20 },
	{ "PLACE", "place", 16 },
	{ "ALIAS", "alias", 12 },
	{ "REGISTER", "register", 9 },
	{ "ENABLED", "enabled", 0 },
	{ NULL, NULL, 0 }
};

/* --type TYPE into *type; *given says whether it was there. */
static int
dn_type_arg(const struct cmd_args *a, enum bc_dn_type *type, int *given,
    struct bc_err *err)
{
	const char *v = args_get(a, "type");

	*given = v != NULL;
	if (v != NULL && bc_dn_type_parse(v, type) != 0)
		return bc_err_set(err, BC_EINVAL, "unknown dn type '%s': use "
		    "extension, acd-queue, call-processing-port, "
		    "routing-point, trunk or voip-service", v);
	return BC_OK;
}

/* Applies the field options of add and set to dn. */
static int
dn_apply(const struct cmd_args *a, struct bc_dn *dn, struct bc_err *err)
{
	const char *v;
	int rc;

	if ((v = args_get(a, "register")) != NULL &&
	    bc_register_parse(v, &dn->reg) != 0)
		return bc_err_set(err, BC_EINVAL, "dn '%s': unknown register "
		    "value '%s': use true, false or on-demand", dn->number, v);
	if ((rc = args_set_string(a, "place", &dn->place, err)) ||
	    (rc = args_set_string(a, "alias", &dn->alias, err)) ||
	    (rc = args_set_string(a, "association", &dn->association, err)) ||
	    (rc = args_set_string(a, "contact", &dn->contact, err)) ||
	    (rc = args_set_string(a, "password", &dn->password, err)) ||
	    (rc = args_apply_options(a, &dn->options, err)))
		return rc;
	dn->enabled = args_enabled(a, dn->enabled);
	return BC_OK;
}

static json_t *
dn_json(const struct bc_dn *dn)
{
	json_t *o = json_object();

	json_object_set_new(o, "number", json_string(dn->number));
	json_object_set_new(o, "type", json_string(bc_dn_type_name(dn->type)));
	json_object_set_new(o, "alias", out_str(dn->alias));
	json_object_set_new(o, "register",
	    json_string(bc_register_name(dn->reg)));
	json_object_set_new(o, "association", out_str(dn->association));
	json_object_set_new(o, "contact", out_str(dn->contact));
	json_object_set_new(o, "password", out_secret(dn->password));
	json_object_set_new(o, "enabled", json_boolean(dn->enabled));
	json_object_set_new(o, "place", out_str(dn->place));
	json_object_set_new(o, "option", out_options(&dn->options));
	return o;
}

static int
cmd_dn_add_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;
	struct bc_dn dn;
	int given, rc;

	bc_dn_init(&dn);
	if ((rc = dn_type_arg(a, &dn.type, &given, &err)) == BC_OK) {
		if ((dn.number = strdup(a->argv[0])) == NULL)
			rc = bc_err_set(&err, BC_ENOMEM, "out of memory");
		else if ((rc = dn_apply(a, &dn, &err)) == BC_OK)
			rc = bc_dn_add(ctx->store, &dn, &err);
	}
	bc_dn_clear(&dn);
	return rc != BC_OK ? cmd_error(&err) : 0;
}

static int
cmd_dn_set_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;
	struct bc_dn dn;
	enum bc_dn_type type;
	int given, rc;

	bc_dn_init(&dn);
	if ((rc = dn_type_arg(a, &type, &given, &err)) ||
	    (rc = bc_tx_begin(ctx->store, &err)))
		return cmd_error(&err);
	if ((rc = bc_dn_get(ctx->store, a->argv[0], given ? &type : NULL,
	    &dn, &err)) == BC_OK && (rc = dn_apply(a, &dn, &err)) == BC_OK)
		rc = bc_dn_update(ctx->store, &dn, &err);
	bc_dn_clear(&dn);
	if (bc_tx_end(ctx->store, rc, &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_dn_del_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;
	struct bc_dn dn;
	enum bc_dn_type type;
	int given, rc;

	if ((rc = dn_type_arg(a, &type, &given, &err)) ||
	    (rc = bc_tx_begin(ctx->store, &err)))
		return cmd_error(&err);
	if ((rc = bc_dn_get(ctx->store, a->argv[0], given ? &type : NULL,
	    &dn, &err)) == BC_OK) {
		rc = bc_dn_delete(ctx->store, dn.number, dn.type, &err);
		bc_dn_clear(&dn);
	}
	if (bc_tx_end(ctx->store, rc, &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_dn_show_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;
	struct bc_dn dn;
	enum bc_dn_type type;
	int given;

	if (dn_type_arg(a, &type, &given, &err) != BC_OK ||
	    bc_dn_get(ctx->store, a->argv[0], given ? &type : NULL, &dn,
	    &err) != BC_OK)
		return cmd_error(&err);
	out_show(ctx, dn_json(&dn));
	bc_dn_clear(&dn);
	return 0;
}

static int
dn_list_one(const struct bc_dn *dn, void *arg)
{
	return out_list_item(arg, dn_json(dn));
}

static int
cmd_dn_list_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_dn_filter f = { -1, NULL };
	struct out_list l;
	struct bc_err err;
	enum bc_dn_type type;
	int given, rc;

	if (dn_type_arg(a, &type, &given, &err) != BC_OK)
		return cmd_error(&err);
	if (given)
		f.type = (int)type;
	f.place = args_get(a, "place");
	out_list_begin(&l, ctx, dn_cols);
	rc = bc_dn_foreach(ctx->store, &f, dn_list_one, &l, &err);
	if (rc != BC_OK && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (out_list_end(&l, rc == 0) != 0 && rc == 0)
		rc = EXIT_IOERR;
	return rc;
}

const struct cmd_entry cmd_dn_add_entry = {
	.name = "dn add", .args = "NUMBER", .argval = VAL_NONE,
	.min_args = 1, .max_args = 1, .opts = dn_add_opts,
	.flags = CMD_STORE, .exec = cmd_dn_add_exec,
	.summary = "Create a DN of type TYPE.",
};

const struct cmd_entry cmd_dn_set_entry = {
	.name = "dn set", .args = "NUMBER", .argval = VAL_DN,
	.min_args = 1, .max_args = 1, .opts = dn_set_opts,
	.flags = CMD_STORE, .exec = cmd_dn_set_exec,
	.summary = "Change fields of a DN; an empty value clears a field.",
};

const struct cmd_entry cmd_dn_del_entry = {
	.name = "dn del", .args = "NUMBER", .argval = VAL_DN,
	.min_args = 1, .max_args = 1, .opts = dn_type_opt,
	.flags = CMD_STORE, .exec = cmd_dn_del_exec,
	.summary = "Delete a DN; it leaves its place.",
};

const struct cmd_entry cmd_dn_show_entry = {
	.name = "dn show", .args = "NUMBER", .argval = VAL_DN,
	.min_args = 1, .max_args = 1, .opts = dn_type_opt,
	.flags = CMD_STORE, .exec = cmd_dn_show_exec,
	.summary = "Show every field of a DN.",
};

const struct cmd_entry cmd_dn_list_entry = {
	.name = "dn list", .args = "", .min_args = 0, .max_args = 0,
	.opts = dn_list_opts, .flags = CMD_STORE, .exec = cmd_dn_list_exec,
	.summary = "List DNs, optionally of one type or one place.",
};
