/*
 * site.c -- the site row of a store: the site's and its switch's names.
 */
#include <stdlib.h>

#include "store-internal.h"

static const char SQL_SITE_GET[] = "SELECT name, switch FROM site";
static const char SQL_SITE_INSERT[] =
    "INSERT INTO site (id, name, switch) VALUES (1, ?1, ?2)";

static int
site_init(bc_store *s, const char *site, const char *sw, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc, found;

	if ((rc = bc_valid_name("site name", site, 0, err)) ||
	    (rc = bc_valid_name("switch name", sw, 0, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_SITE_GET, err)) == NULL)
		return err->status;
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	if (found)
		return bc_err_set(err, BC_ECREATE, "store '%s' is already "
		    "initialised", s->path);
	if ((st = bc_stmt(s, SQL_SITE_INSERT, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, site);
	bc_bind_text(st, 2, sw);
	return bc_step_done(s, st, err, "initialise store");
}

int
bc_site_init(bc_store *s, const char *site, const char *switch_name,
    struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	rc = site_init(s, site, switch_name != NULL ? switch_name : site, err);
	return bc_tx_end(s, rc, err);
}

int
bc_site_get(bc_store *s, struct bc_site *out, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc, nomem = 0;

	out->name = out->switch_name = NULL;
	if ((st = bc_stmt(s, SQL_SITE_GET, err)) == NULL)
		return err->status;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->name = bc_column_dup(st, 0, &nomem);
		out->switch_name = bc_column_dup(st, 1, &nomem);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return bc_err_set(err, BC_ENOSTORE, "store '%s' is not "
		    "initialised: run 'bcadm init'", s->path);
	if (rc != SQLITE_ROW)
		return bc_sqlite_err(s, rc, err, "read site");
	if (nomem) {
		bc_site_clear(out);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	return BC_OK;
}

void
bc_site_clear(struct bc_site *site)
{
	free(site->name);
	free(site->switch_name);
	site->name = site->switch_name = NULL;
}

int
bc_site_name(bc_store *s, char **name, struct bc_err *err)
{
	struct bc_site site;
	int rc;

	if ((rc = bc_site_get(s, &site, err)))
		return rc;
	*name = site.name;
	free(site.switch_name);
	return BC_OK;
}
