/*
 * rows.c -- rows held in C memory read by SQL (rows.h).
 */
#include <stdio.h>
#include <string.h>

#include "rows.h"

struct rows_vtab {
	sqlite3_vtab			 base;
	const struct bc_rows_type	*type;
};

struct rows_cur {
	sqlite3_vtab_cursor		 base;
	const struct bc_rows_type	*type;
	const void			*rows;
	size_t				 i, n;
};

static int
rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
    sqlite3_vtab **vp, char **errp)
{
	const struct bc_rows_type *type = aux;
	struct rows_vtab *v;
	char decl[32 + BC_ROWS_MAXCOL * 6];
	size_t len;
	int i, rc;

	(void)argc;
	(void)argv;
	(void)errp;
	if (type->ncol < 1 || type->ncol > BC_ROWS_MAXCOL)
		return SQLITE_ERROR;
	len = (size_t)snprintf(decl, sizeof(decl), "CREATE TABLE x(");
	for (i = 0; i < type->ncol; i++)
		len += (size_t)snprintf(decl + len, sizeof(decl) - len,
		    "c%d, ", i);
	snprintf(decl + len, sizeof(decl) - len, "src HIDDEN)");
	if ((rc = sqlite3_declare_vtab(db, decl)) != SQLITE_OK)
		return rc;
	if ((v = sqlite3_malloc(sizeof(*v))) == NULL)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof(*v));
	v->type = type;
	*vp = &v->base;
	return SQLITE_OK;
}

static int
rows_disconnect(sqlite3_vtab *v)
{
	sqlite3_free(v);
	return SQLITE_OK;
}

/* Only with its rows given: NAME(?1). */
static int
rows_best_index(sqlite3_vtab *vt, sqlite3_index_info *ix)
{
	const struct rows_vtab *v = (const struct rows_vtab *)vt;
	int i;

	for (i = 0; i < ix->nConstraint; i++)
		if (ix->aConstraint[i].iColumn == v->type->ncol &&
		    ix->aConstraint[i].op == SQLITE_INDEX_CONSTRAINT_EQ &&
		    ix->aConstraint[i].usable) {
			ix->aConstraintUsage[i].argvIndex = 1;
			ix->aConstraintUsage[i].omit = 1;
			ix->estimatedCost = 1;
			ix->idxNum = 1;
			return SQLITE_OK;
		}
	return SQLITE_CONSTRAINT;
}

static int
rows_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cp)
{
	struct rows_cur *c;

	if ((c = sqlite3_malloc(sizeof(*c))) == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	c->type = ((const struct rows_vtab *)vt)->type;
	*cp = &c->base;
	return SQLITE_OK;
}

static int
rows_close(sqlite3_vtab_cursor *cp)
{
	sqlite3_free(cp);
	return SQLITE_OK;
}

static void
rows_skip(struct rows_cur *c)
{
	while (c->type->skip != NULL && c->i < c->n &&
	    c->type->skip(c->rows, c->i))
		c->i++;
}

static int
rows_filter(sqlite3_vtab_cursor *cp, int idx, const char *idxs, int argc,
    sqlite3_value **argv)
{
	struct rows_cur *c = (struct rows_cur *)cp;

	(void)idxs;
	c->rows = idx == 1 && argc == 1 ?
	    sqlite3_value_pointer(argv[0], c->type->name) : NULL;
	c->n = c->rows != NULL ? c->type->count(c->rows) : 0;
	c->i = 0;
	rows_skip(c);
	return SQLITE_OK;
}

static int
rows_next(sqlite3_vtab_cursor *cp)
{
	struct rows_cur *c = (struct rows_cur *)cp;

	c->i++;
	rows_skip(c);
	return SQLITE_OK;
}

static int
rows_eof(sqlite3_vtab_cursor *cp)
{
	const struct rows_cur *c = (const struct rows_cur *)cp;

	return c->i >= c->n;
}

static int
rows_rowid(sqlite3_vtab_cursor *cp, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((const struct rows_cur *)cp)->i;
	return SQLITE_OK;
}

static int
rows_column(sqlite3_vtab_cursor *cp, sqlite3_context *ctx, int col)
{
	const struct rows_cur *c = (const struct rows_cur *)cp;

	if (col < 0 || col >= c->type->ncol)
		sqlite3_result_null(ctx);
	else
		c->type->column(c->rows, c->i, col, ctx);
	return SQLITE_OK;
}

static const sqlite3_module rows_module = {
	.iVersion = 0,
	.xCreate = NULL,		/* eponymous only */
	.xConnect = rows_connect,
	.xBestIndex = rows_best_index,
	.xDisconnect = rows_disconnect,
	.xDestroy = rows_disconnect,
	.xOpen = rows_open,
	.xClose = rows_close,
	.xFilter = rows_filter,
	.xNext = rows_next,
	.xEof = rows_eof,
	.xColumn = rows_column,
	.xRowid = rows_rowid,
};

int
bc_rows_register(sqlite3 *db, const struct bc_rows_type *type)
{
	return sqlite3_create_module_v2(db, type->name, &rows_module,
	    (void *)type, NULL);
}

void
bc_rows_text(sqlite3_context *ctx, const char *s)
{
	if (s == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
}
