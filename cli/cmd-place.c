/*
 * cmd-place.c -- bcadm place add|set|del|show|list.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

static const struct cmd_opt place_add_opts[] = {
	{ "dn", "[TYPE:]NUMBER", VAL_DN, OPT_REPEAT },
	{ "disabled", NULL, VAL_NONE, 0 },
	{ "option", "SECTION/KEY=VALUE", VAL_TEXT, OPT_REPEAT },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct cmd_opt place_set_opts[] = {
	{ "dn", "[TYPE:]NUMBER", VAL_DN, OPT_REPEAT },
	{ "disabled", NULL, VAL_NONE, 0 },
	{ "enabled", NULL, VAL_NONE, 0 },
	{ "option", "SECTION/KEY=VALUE", VAL_TEXT, OPT_REPEAT },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct out_col place_cols[] = {
	{ "NAME", "name", 20 },
	{ "ENABLED", "enabled", 7 },
	{ "DNS", "dn", 0 },
	{ NULL, NULL, 0 }
};

/*
 * Applies --dn (any --dn replaces the list; a lone empty value empties
 * it), --disabled/--enabled and --option to p.
 */
static int
place_apply(struct cmd_ctx *ctx, const struct cmd_args *a,
    struct bc_place *p, struct bc_err *err)
{
	size_t i;
	int j, rc;

	if (args_has(a, "dn")) {
		for (i = 0; i < p->ndns; i++)
			free(p->dns[i].number);
		p->ndns = 0;
		for (j = 0; j < a->nopts; j++) {
			if (strcmp(a->opt[j]->name, "dn") != 0 ||
			    *a->val[j] == '\0')
				continue;
			if ((rc = bc_place_add_dn_ref(ctx->store, p, a->val[j],
			    err)))
				return rc;
		}
	}
	p->enabled = args_enabled(a, p->enabled);
	return args_apply_options(a, &p->options, err);
}

static json_t *
place_json(const struct bc_place *p)
{
	json_t *o = json_object(), *dns = json_array(), *d;
	size_t i;

	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "enabled", json_boolean(p->enabled));
	for (i = 0; i < p->ndns; i++) {
		d = json_object();
		json_object_set_new(d, "type",
		    json_string(bc_dn_type_name(p->dns[i].type)));
		json_object_set_new(d, "number", json_string(p->dns[i].number));
		json_array_append_new(dns, d);
	}
	json_object_set_new(o, "dn", dns);
	json_object_set_new(o, "option", out_options(&p->options));
	return o;
}

static int
cmd_place_add_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_place p;
	struct bc_err err;
	int rc;

	bc_place_init(&p);
	if ((p.name = strdup(a->argv[0])) == NULL)
		rc = bc_err_set(&err, BC_ENOMEM, "out of memory");
	else if ((rc = place_apply(ctx, a, &p, &err)) == BC_OK)
		rc = bc_place_add(ctx->store, &p, &err);
	bc_place_clear(&p);
	return rc != BC_OK ? cmd_error(&err) : 0;
}

static int
cmd_place_set_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_place p;
	struct bc_err err;
	int rc;

	if (bc_tx_begin(ctx->store, &err) != BC_OK)
		return cmd_error(&err);
	if ((rc = bc_place_get(ctx->store, a->argv[0], &p, &err)) == BC_OK &&
	    (rc = place_apply(ctx, a, &p, &err)) == BC_OK)
		rc = bc_place_update(ctx->store, &p, &err);
	bc_place_clear(&p);
	if (bc_tx_end(ctx->store, rc, &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_place_del_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;

	if (bc_place_delete(ctx->store, a->argv[0], &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_place_show_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_place p;
	struct bc_err err;

	if (bc_place_get(ctx->store, a->argv[0], &p, &err) != BC_OK)
		return cmd_error(&err);
	out_show(ctx, place_json(&p));
	bc_place_clear(&p);
	return 0;
}

static int
place_list_one(const struct bc_place *p, void *arg)
{
	return out_list_item(arg, place_json(p));
}

static int
cmd_place_list_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct out_list l;
	struct bc_err err;
	int rc;

	(void)a;
	out_list_begin(&l, ctx, place_cols);
	rc = bc_place_foreach(ctx->store, place_list_one, &l, &err);
	if (rc != BC_OK && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (out_list_end(&l, rc == 0) != 0 && rc == 0)
		rc = EXIT_IOERR;
	return rc;
}

const struct cmd_entry cmd_place_add_entry = {
	.name = "place add", .args = "NAME", .min_args = 1, .max_args = 1,
	.opts = place_add_opts, .flags = CMD_STORE,
	.exec = cmd_place_add_exec,
	.summary = "Create a place holding the DNs given.",
};

const struct cmd_entry cmd_place_set_entry = {
	.name = "place set", .args = "NAME", .argval = VAL_PLACE,
	.min_args = 1, .max_args = 1, .opts = place_set_opts,
	.flags = CMD_STORE, .exec = cmd_place_set_exec,
	.summary = "Change a place; any --dn replaces its DNs, --dn '' "
	    "empties them.",
};

const struct cmd_entry cmd_place_del_entry = {
	.name = "place del", .args = "NAME", .argval = VAL_PLACE,
	.min_args = 1, .max_args = 1, .flags = CMD_STORE,
	.exec = cmd_place_del_exec,
	.summary = "Delete a place; its DNs stay, without a place.",
};

const struct cmd_entry cmd_place_show_entry = {
	.name = "place show", .args = "NAME", .argval = VAL_PLACE,
	.min_args = 1, .max_args = 1, .flags = CMD_STORE,
	.exec = cmd_place_show_exec,
	.summary = "Show a place and its DNs.",
};

const struct cmd_entry cmd_place_list_entry = {
	.name = "place list", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE, .exec = cmd_place_list_exec,
	.summary = "List places.",
};
