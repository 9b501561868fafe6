/*
 * options.c -- annex options: a two-level map section -> key -> value,
 * kept sorted by (section, key), and its rows in the *_option tables.
 */
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

#define OPTION_VALUE_MAX	4096

static int
option_cmp(const struct bc_option *o, const char *section, const char *key)
{
	int c;

	if ((c = strcmp(o->section, section)) != 0)
		return c;
	return strcmp(o->key, key);
}

const char *
bc_options_get(const struct bc_options *opts, const char *section,
    const char *key)
{
	size_t i;

	for (i = 0; i < opts->n; i++)
		if (option_cmp(&opts->v[i], section, key) == 0)
			return opts->v[i].value;
	return NULL;
}

/* The syntax of one option; value NULL means "remove". */
static int
option_valid(const char *section, const char *key, const char *value,
    struct bc_err *err)
{
	int rc;

	if ((rc = bc_valid_name("option section", section, 0, err)) ||
	    (rc = bc_valid_name("option key", key, 0, err)))
		return rc;
	if (strchr(section, '/') != NULL)
		return bc_err_set(err, BC_EINVAL, "option section '%s' may not "
		    "hold '/'", section);
	if (strchr(key, '=') != NULL)
		return bc_err_set(err, BC_EINVAL, "option key '%s' may not "
		    "hold '='", key);
	if (value != NULL)
		return bc_valid_text("option value", value, OPTION_VALUE_MAX,
		    err);
	return BC_OK;
}

int
bc_options_valid(const struct bc_options *opts, struct bc_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < opts->n; i++) {
		if (opts->v[i].value == NULL)
			return bc_err_set(err, BC_EINVAL, "option '%s/%s' has "
			    "no value", opts->v[i].section, opts->v[i].key);
		if ((rc = option_valid(opts->v[i].section, opts->v[i].key,
		    opts->v[i].value, err)))
			return rc;
		if (i > 0 && option_cmp(&opts->v[i - 1], opts->v[i].section,
		    opts->v[i].key) >= 0)
			return bc_err_set(err, BC_EINVAL, "option '%s/%s' is "
			    "given twice or out of order", opts->v[i].section,
			    opts->v[i].key);
	}
	return BC_OK;
}

int
bc_options_set(struct bc_options *opts, const char *section, const char *key,
    const char *value, struct bc_err *err)
{
	struct bc_option *o, *nv;
	size_t i;
	char *copy = NULL;
	int c, rc;

	if ((rc = option_valid(section, key, value, err)))
		return rc;
	if (value != NULL) {
		if ((copy = strdup(value)) == NULL)
			return bc_err_set(err, BC_ENOMEM, "out of memory");
	}

	for (i = 0; i < opts->n; i++) {
		c = option_cmp(&opts->v[i], section, key);
		if (c == 0) {
			free(opts->v[i].value);
			if (copy != NULL) {
				opts->v[i].value = copy;
				return BC_OK;
			}
			free(opts->v[i].section);
			free(opts->v[i].key);
			memmove(&opts->v[i], &opts->v[i + 1],
			    (opts->n - i - 1) * sizeof(*opts->v));
			opts->n--;
			return BC_OK;
		}
		if (c > 0)
			break;
	}
	if (copy == NULL)
		return BC_OK;		/* removing an absent key */

	nv = realloc(opts->v, (opts->n + 1) * sizeof(*opts->v));
	if (nv == NULL) {
		free(copy);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	opts->v = nv;
	memmove(&opts->v[i + 1], &opts->v[i], (opts->n - i) * sizeof(*nv));
	o = &opts->v[i];
	o->section = strdup(section);
	o->key = strdup(key);
	o->value = copy;
	opts->n++;
	if (o->section == NULL || o->key == NULL) {
		/* keep the list consistent: drop the half-made entry */
		free(o->section);
		free(o->key);
		free(o->value);
		memmove(&opts->v[i], &opts->v[i + 1],
		    (opts->n - i - 1) * sizeof(*nv));
		opts->n--;
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	return BC_OK;
}

int
bc_options_apply(struct bc_options *opts, const char *spec,
    struct bc_err *err)
{
	const char *slash, *eq;
	char *section, *key;
	int rc;

	slash = strchr(spec, '/');
	eq = slash != NULL ? strchr(slash + 1, '=') : NULL;
	if (slash == NULL || eq == NULL || slash == spec || eq == slash + 1)
		return bc_err_set(err, BC_EINVAL, "option '%s' is not "
		    "SECTION/KEY=VALUE", spec);
	section = strndup(spec, (size_t)(slash - spec));
	key = strndup(slash + 1, (size_t)(eq - slash - 1));
	if (section == NULL || key == NULL)
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
	else
		rc = bc_options_set(opts, section, key,
		    eq[1] == '\0' ? NULL : eq + 1, err);
	free(section);
	free(key);
	return rc;
}

void
bc_options_clear(struct bc_options *opts)
{
	size_t i;

	for (i = 0; i < opts->n; i++) {
		free(opts->v[i].section);
		free(opts->v[i].key);
		free(opts->v[i].value);
	}
	free(opts->v);
	opts->v = NULL;
	opts->n = 0;
}

static const char *const opt_select[] = {
	[BC_OPT_DN] = "SELECT section, key, value FROM dn_option "
	    "WHERE dn_id = ?1 ORDER BY section, key",
	[BC_OPT_PLACE] = "SELECT section, key, value FROM place_option "
	    "WHERE place_id = ?1 ORDER BY section, key",
	[BC_OPT_LOGIN] = "SELECT section, key, value FROM login_option "
	    "WHERE login_id = ?1 ORDER BY section, key",
};
static const char *const opt_delete[] = {
	[BC_OPT_DN] = "DELETE FROM dn_option WHERE dn_id = ?1",
	[BC_OPT_PLACE] = "DELETE FROM place_option WHERE place_id = ?1",
	[BC_OPT_LOGIN] = "DELETE FROM login_option WHERE login_id = ?1",
};
static const char *const opt_insert[] = {
	[BC_OPT_DN] = "INSERT INTO dn_option (dn_id, section, key, value) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[BC_OPT_PLACE] = "INSERT INTO place_option (place_id, section, key, "
	    "value) VALUES (?1, ?2, ?3, ?4)",
	[BC_OPT_LOGIN] = "INSERT INTO login_option (login_id, section, key, "
	    "value) VALUES (?1, ?2, ?3, ?4)",
};

int
bc_options_load(bc_store *s, enum bc_opt_owner owner, sqlite3_int64 id,
    struct bc_options *opts, struct bc_err *err)
{
	struct bc_option *nv;
	sqlite3_stmt *st;
	int rc, nomem = 0;

	if ((st = bc_stmt(s, opt_select[owner], err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		nv = realloc(opts->v, (opts->n + 1) * sizeof(*nv));
		if (nv == NULL)
			return bc_err_set(err, BC_ENOMEM, "out of memory");
		opts->v = nv;
		nv[opts->n].section = bc_column_dup(st, 0, &nomem);
		nv[opts->n].key = bc_column_dup(st, 1, &nomem);
		nv[opts->n].value = bc_column_dup(st, 2, &nomem);
		opts->n++;
		if (nomem)
			return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read options");
	return BC_OK;
}

/*
 * *same: the object's option rows are exactly opts, in order (rows are
 * unique and sorted by (section, key), so opts is too when they match).
 */
static int
options_same(bc_store *s, enum bc_opt_owner owner, sqlite3_int64 id,
    const struct bc_options *opts, int *same, struct bc_err *err)
{
	sqlite3_stmt *st;
	const struct bc_option *o;
	size_t i = 0;
	int rc;

	*same = 1;
	if ((st = bc_stmt(s, opt_select[owner], err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	while (*same && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = i < opts->n ? &opts->v[i++] : NULL;
		*same = o != NULL && o->section != NULL && o->key != NULL &&
		    o->value != NULL && strcmp(o->section, (const char *)
		    sqlite3_column_text(st, 0)) == 0 && strcmp(o->key,
		    (const char *)sqlite3_column_text(st, 1)) == 0 &&
		    strcmp(o->value, (const char *)sqlite3_column_text(st,
		    2)) == 0;
	}
	sqlite3_reset(st);
	if (*same && rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read options");
	if (i != opts->n)
		*same = 0;
	return BC_OK;
}

/*
 * Replaces the object's options by opts.  When they are the same rows
 * already nothing is written (the rows would be the same; writing them
 * only marked the object for change capture).
 */
int
bc_options_save(bc_store *s, enum bc_opt_owner owner, sqlite3_int64 id,
    const struct bc_options *opts, int fresh, struct bc_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc, same;

	if (!fresh) {
		if ((rc = options_same(s, owner, id, opts, &same, err)))
			return rc;
		if (same)
			goto mark;
	}
	/* a new object has no options to replace */
	if (!fresh) {
		if ((st = bc_stmt(s, opt_delete[owner], err)) == NULL)
			return err->status;
		sqlite3_bind_int64(st, 1, id);
		if ((rc = bc_step_done(s, st, err, "write options")))
			return rc;
	}
	for (i = 0; i < opts->n; i++) {
		if ((st = bc_stmt(s, opt_insert[owner], err)) == NULL)
			return err->status;
		sqlite3_bind_int64(st, 1, id);
		bc_bind_text(st, 2, opts->v[i].section);
		bc_bind_text(st, 3, opts->v[i].key);
		bc_bind_text(st, 4, opts->v[i].value);
		if ((rc = bc_step_done(s, st, err, "write options")))
			return rc;
	}
mark:
	if (opts->n > 0)
		return bc_meta_load_mark(s, owner == BC_OPT_DN ? BC_LOAD_DN :
		    owner == BC_OPT_PLACE ? BC_LOAD_PLACE : BC_LOAD_LOGIN, id,
		    err);
	return BC_OK;
}
