/*
 * dn.c -- DNs: directory numbers of every type, their fields, place
 * membership and annex options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

#define DN_TEXT_MAX	4096	/* association, contact, password */

static const char SQL_DN_ID[] =
    "SELECT id FROM dn WHERE type = CAST(?1 AS TEXT) AND number = ?2";
static const char SQL_DN_TYPES[] =
    "SELECT type FROM dn WHERE number = ?1 ORDER BY type";
#define DN_COLUMNS \
    "SELECT d.id, d.number, d.type, d.alias, d.register, d.association, " \
    "d.contact, d.password, d.enabled, p.name FROM dn d " \
    "LEFT JOIN place p ON p.id = d.place_id "
static const char SQL_DN_GET[] = DN_COLUMNS
    "WHERE d.type = CAST(?1 AS TEXT) AND d.number = ?2";
static const char SQL_DN_LIST[] = DN_COLUMNS
    "WHERE (?1 IS NULL OR d.type = CAST(?1 AS TEXT)) AND (?2 IS NULL OR d.place_id = ?2) "
    "ORDER BY d.type, d.number";
static const char SQL_DN_INSERT[] =
    "INSERT INTO dn (type, number, alias, register, association, contact, "
    "password, enabled, place_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_DN_UPDATE[] =
    "UPDATE dn SET alias = ?3, register = ?4, association = ?5, "
    "contact = ?6, password = ?7, enabled = ?8, place_id = ?9 "
    "WHERE type = CAST(?1 AS TEXT) AND number = ?2";
/* the same without the place, which it keeps (SQLite writes the place's
 * two indexes and checks its foreign key for any update that sets it) */
static const char SQL_DN_UPDATE_FIELDS[] =
    "UPDATE dn SET alias = ?3, register = ?4, association = ?5, "
    "contact = ?6, password = ?7, enabled = ?8 WHERE id = ?10";
static const char SQL_DN_DELETE[] = "DELETE FROM dn WHERE id = ?1";
static const char SQL_DN_ID_PLACE[] = "SELECT id, place_id FROM dn "
    "WHERE type = CAST(?1 AS TEXT) AND number = ?2";

void
bc_dn_init(struct bc_dn *dn)
{
	memset(dn, 0, sizeof(*dn));
	dn->type = BC_DN_EXTENSION;
	dn->reg = BC_REG_TRUE;
	dn->enabled = 1;
}

void
bc_dn_clear(struct bc_dn *dn)
{
	free(dn->number);
	free(dn->alias);
	free(dn->association);
	free(dn->contact);
	free(dn->password);
	free(dn->place);
	bc_options_clear(&dn->options);
	bc_dn_init(dn);
}

int
bc_dn_id(bc_store *s, const char *number, enum bc_dn_type type,
    sqlite3_int64 *id, struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_DN_ID, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, bc_dn_type_name(type));
	bc_bind_text(st, 2, number);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return BC_OK;
	if (rc == SQLITE_DONE)
		return bc_err_set(err, BC_ENOENT, "dn '%s' (%s) does not exist",
		    number, bc_dn_type_name(type));
	return bc_sqlite_err(s, rc, err, "read dn");
}

/*
 * Finds the type of a DN named by number alone: BC_ENOENT when no DN has
 * it, BC_EAMBIG when several types do.  Only types accepted by keep()
 * count (NULL: all).
 */
int
bc_dn_resolve(bc_store *s, const char *number, int (*keep)(enum bc_dn_type),
    enum bc_dn_type *out, struct bc_err *err)
{
	sqlite3_stmt *st;
	enum bc_dn_type t;
	char names[160] = "";
	size_t len = 0;
	int rc, n = 0;

	if ((st = bc_stmt(s, SQL_DN_TYPES, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, number);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (bc_dn_type_parse((const char *)sqlite3_column_text(st, 0),
		    &t) != 0 || (keep != NULL && !keep(t)))
			continue;
		if (len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len,
			    "%s%s", n > 0 ? " and " : "", bc_dn_type_name(t));
		n++;
		*out = t;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read dn");
	if (n == 0)
		return bc_err_set(err, BC_ENOENT, "dn '%s' does not exist",
		    number);
	if (n > 1)
		return bc_err_set(err, BC_EAMBIG, "dn '%s' exists as %s; give "
		    "its type", number, names);
	return BC_OK;
}

static int
dn_valid(const struct bc_dn *dn, struct bc_err *err)
{
	int rc;

	if ((rc = bc_valid_dn_number(dn->number, err)))
		return rc;
	if ((unsigned)dn->type >= BC_DN_TYPE_COUNT)
		return bc_err_set(err, BC_EINVAL, "dn '%s': unknown type",
		    dn->number);
	if ((unsigned)dn->reg >= BC_REG_COUNT)
		return bc_err_set(err, BC_EINVAL, "dn '%s': unknown register "
		    "value", dn->number);
	if ((rc = bc_valid_name("dn alias", dn->alias, 1, err)) ||
	    (rc = bc_valid_name("place name", dn->place, 1, err)) ||
	    (dn->association != NULL && (rc = bc_valid_text("dn association",
	    dn->association, DN_TEXT_MAX, err))) ||
	    (dn->contact != NULL && (rc = bc_valid_text("dn contact",
	    dn->contact, DN_TEXT_MAX, err))) ||
	    (dn->password != NULL && (rc = bc_valid_text("dn password",
	    dn->password, DN_TEXT_MAX, err))) ||
	    (rc = bc_options_valid(&dn->options, err)))
		return rc;
	return BC_OK;
}

/* The checks bc_dn_insert() makes, without the store (the XML import). */
int
bc_dn_check(const struct bc_dn *dn, struct bc_err *err)
{
	return dn_valid(dn, err);
}

/* Binds the fields shared by insert and update. */
static void
dn_bind(sqlite3_stmt *st, const struct bc_dn *dn, sqlite3_int64 place_id)
{
	bc_bind_text(st, 1, bc_dn_type_name(dn->type));
	bc_bind_text(st, 2, dn->number);
	bc_bind_text(st, 3, dn->alias);
	bc_bind_text(st, 4, bc_register_name(dn->reg));
	bc_bind_text(st, 5, dn->association);
	bc_bind_text(st, 6, dn->contact);
	bc_bind_text(st, 7, dn->password);
	sqlite3_bind_int(st, 8, dn->enabled ? 1 : 0);
	if (place_id != 0)
		sqlite3_bind_int64(st, 9, place_id);
	else
		sqlite3_bind_null(st, 9);
}

static int
dn_place(bc_store *s, const struct bc_dn *dn, sqlite3_int64 *place_id,
    struct bc_err *err)
{
	int rc;

	*place_id = 0;
	if (dn->place == NULL)
		return BC_OK;
	if ((rc = bc_place_id(s, dn->place, place_id, err)))
		return rc;
	return bc_rule_dn_in_place(s, dn->number, dn->type, *place_id,
	    dn->place, err);
}

/* Inserts a valid DN into place_id (0: none), its options with it. */
static int
dn_insert(bc_store *s, const struct bc_dn *dn, sqlite3_int64 place_id,
    sqlite3_int64 *idp, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	int rc;

	if ((st = bc_stmt(s, SQL_DN_INSERT, err)) == NULL)
		return err->status;
	dn_bind(st, dn, place_id);
	rc = bc_step_insert(s, st, "dn.type, dn.number", err, "add dn");
	if (rc == BC_EEXIST)
		return bc_err_set(err, BC_EEXIST, "dn '%s' (%s) already exists",
		    dn->number, bc_dn_type_name(dn->type));
	if (rc)
		return rc;
	id = sqlite3_last_insert_rowid(s->db);
	if (idp != NULL)
		*idp = id;
	if ((rc = bc_meta_load_mark(s, BC_LOAD_DN, id, err)) ||
	    (place_id != 0 &&
	    (rc = bc_meta_load_mark(s, BC_LOAD_PLACE, place_id, err))))
		return rc;
	return bc_options_save(s, BC_OPT_DN, id, &dn->options, 1, err);
}

static int
dn_add(bc_store *s, const struct bc_dn *dn, struct bc_err *err)
{
	sqlite3_int64 place_id;
	int rc;

	if ((rc = dn_valid(dn, err)) ||
	    (rc = dn_place(s, dn, &place_id, err)))
		return rc;
	return dn_insert(s, dn, place_id, NULL, err);
}

int
bc_dn_insert(bc_store *s, const struct bc_dn *dn, sqlite3_int64 place_id,
    sqlite3_int64 *id, struct bc_err *err)
{
	int rc;

	/* dn->place is not used: the caller names the place by its id */
	if ((rc = dn_valid(dn, err)))
		return rc;
	if (dn->place != NULL)
		return bc_err_set(err, BC_EINTERNAL, "dn '%s': place given "
		    "by name and by id", dn->number);
	return dn_insert(s, dn, place_id, id, err);
}

int
bc_dn_add(bc_store *s, const struct bc_dn *dn, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, dn_add(s, dn, err), err);
}

static int
dn_update(bc_store *s, const struct bc_dn *dn, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id = 0, place_id, old_place = 0;
	int rc;

	if ((rc = dn_valid(dn, err)))
		return rc;
	/* bc_dn_id() and the place it is in now, in one read */
	if ((st = bc_stmt(s, SQL_DN_ID_PLACE, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, bc_dn_type_name(dn->type));
	bc_bind_text(st, 2, dn->number);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		old_place = sqlite3_column_int64(st, 1);	/* NULL: 0 */
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return bc_err_set(err, BC_ENOENT, "dn '%s' (%s) does not exist",
		    dn->number, bc_dn_type_name(dn->type));
	if (rc != SQLITE_ROW)
		return bc_sqlite_err(s, rc, err, "read dn");
	if ((rc = dn_place(s, dn, &place_id, err)))
		return rc;
	if ((st = bc_stmt(s, place_id == old_place ? SQL_DN_UPDATE_FIELDS :
	    SQL_DN_UPDATE, err)) == NULL)
		return err->status;
	dn_bind(st, dn, place_id);
	if (place_id == old_place)
		sqlite3_bind_int64(st, 10, id);
	/* a load marks what the update trigger would: the DN, both places */
	if ((rc = bc_step_done(s, st, err, "update dn")) ||
	    (rc = bc_meta_load_mark(s, BC_LOAD_DN, id, err)) ||
	    (s->load && old_place != 0 &&
	    (rc = bc_meta_load_mark(s, BC_LOAD_PLACE, old_place, err))) ||
	    (place_id != 0 &&
	    (rc = bc_meta_load_mark(s, BC_LOAD_PLACE, place_id, err))))
		return rc;
	return bc_options_save(s, BC_OPT_DN, id, &dn->options, 0, err);
}

int
bc_dn_update(bc_store *s, const struct bc_dn *dn, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, dn_update(s, dn, err), err);
}

static int
dn_delete(bc_store *s, const char *number, enum bc_dn_type type,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	int rc;

	if ((rc = bc_dn_id(s, number, type, &id, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_DN_DELETE, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	return bc_step_done(s, st, err, "delete dn");
}

int
bc_dn_delete(bc_store *s, const char *number, enum bc_dn_type type,
    struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, dn_delete(s, number, type, err), err);
}

/* Fills dn from a DN_COLUMNS row, options included. */
static int
dn_from_row(bc_store *s, sqlite3_stmt *st, struct bc_dn *dn,
    struct bc_err *err)
{
	int nomem = 0;

	bc_dn_init(dn);
	dn->number = bc_column_dup(st, 1, &nomem);
	if (bc_dn_type_parse((const char *)sqlite3_column_text(st, 2),
	    &dn->type) != 0 ||
	    bc_register_parse((const char *)sqlite3_column_text(st, 4),
	    &dn->reg) != 0)
		return bc_err_set(err, BC_EINTERNAL, "dn '%s': bad type or "
		    "register value in store", dn->number ? dn->number : "?");
	dn->alias = bc_column_dup(st, 3, &nomem);
	dn->association = bc_column_dup(st, 5, &nomem);
	dn->contact = bc_column_dup(st, 6, &nomem);
	dn->password = bc_column_dup(st, 7, &nomem);
	dn->enabled = sqlite3_column_int(st, 8) != 0;
	dn->place = bc_column_dup(st, 9, &nomem);
	if (nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	return bc_options_load(s, BC_OPT_DN, sqlite3_column_int64(st, 0),
	    &dn->options, err);
}

static int
dn_get(bc_store *s, const char *number, const enum bc_dn_type *type,
    struct bc_dn *out, struct bc_err *err)
{
	sqlite3_stmt *st;
	enum bc_dn_type t;
	int rc;

	if ((rc = bc_valid_dn_number(number, err)))
		return rc;
	if (type != NULL)
		t = *type;
	else if ((rc = bc_dn_resolve(s, number, NULL, &t, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_DN_GET, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, bc_dn_type_name(t));
	bc_bind_text(st, 2, number);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = dn_from_row(s, st, out, err);
	else if (rc == SQLITE_DONE)
		rc = bc_err_set(err, BC_ENOENT, "dn '%s' (%s) does not exist",
		    number, bc_dn_type_name(t));
	else
		rc = bc_sqlite_err(s, rc, err, "read dn");
	sqlite3_reset(st);
	return rc;
}

int
bc_dn_get(bc_store *s, const char *number, const enum bc_dn_type *type,
    struct bc_dn *out, struct bc_err *err)
{
	int rc;

	bc_dn_init(out);
	if ((rc = bc_read_begin(s, err)))
		return rc;
	rc = dn_get(s, number, type, out, err);
	if (rc != BC_OK)
		bc_dn_clear(out);
	bc_read_end(s);
	return rc;
}

static int
dn_foreach(bc_store *s, const struct bc_dn_filter *f, bc_dn_cb cb, void *arg,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 place_id = 0;
	struct bc_dn dn;
	int rc;

	if (f != NULL && f->place != NULL &&
	    (rc = bc_place_id(s, f->place, &place_id, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_DN_LIST, err)) == NULL)
		return err->status;
	if (f != NULL && f->type >= 0)
		bc_bind_text(st, 1, bc_dn_type_name((enum bc_dn_type)f->type));
	if (place_id != 0)
		sqlite3_bind_int64(st, 2, place_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = dn_from_row(s, st, &dn, err);
		if (rc == BC_OK)
			rc = cb(&dn, arg);
		bc_dn_clear(&dn);
		if (rc != BC_OK) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "list dns");
	return BC_OK;
}

int
bc_dn_foreach(bc_store *s, const struct bc_dn_filter *f, bc_dn_cb cb,
    void *arg, struct bc_err *err)
{
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	rc = dn_foreach(s, f, cb, arg, err);
	/* a callback's own status passes through unchanged */
	bc_read_end(s);
	return rc;
}
