/*
 * place.c -- places: a name, the DNs that belong to it (an extension
 * and call processing ports) and annex options.
 */
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static const char SQL_PLACE_ID[] = "SELECT id FROM place WHERE name = ?1";
static const char SQL_PLACE_GET[] =
    "SELECT id, name, enabled FROM place WHERE name = ?1";
static const char SQL_PLACE_LIST[] =
    "SELECT id, name, enabled FROM place ORDER BY name";
static const char SQL_PLACE_DNS[] =
    "SELECT number, type FROM dn WHERE place_id = ?1 ORDER BY type, number";
static const char SQL_PLACE_INSERT[] =
    "INSERT INTO place (name, enabled) VALUES (?1, ?2)";
static const char SQL_PLACE_UPDATE[] =
    "UPDATE place SET enabled = ?2 WHERE id = ?1";
static const char SQL_PLACE_DELETE[] = "DELETE FROM place WHERE id = ?1";
static const char SQL_PLACE_RELEASE[] =
    "UPDATE dn SET place_id = NULL WHERE place_id = ?1";
static const char SQL_PLACE_USER[] =
    "SELECT username FROM person WHERE place_id = ?1 ORDER BY username "
    "LIMIT 1";
static const char SQL_DN_PLACE_OF[] =
    "SELECT d.id, p.name, d.place_id FROM dn d "
    "LEFT JOIN place p ON p.id = d.place_id "
    "WHERE d.type = CAST(?1 AS TEXT) AND d.number = ?2";
static const char SQL_DN_SET_PLACE[] =
    "UPDATE dn SET place_id = ?2 WHERE id = ?1";
static const char SQL_PLACE_HELD[] = "SELECT id FROM dn WHERE place_id = ?1";
static const char SQL_DN_UNSET_PLACE[] =
    "UPDATE dn SET place_id = NULL WHERE id = ?1";

void
bc_place_init(struct bc_place *p)
{
	memset(p, 0, sizeof(*p));
	p->enabled = 1;
}

void
bc_place_clear(struct bc_place *p)
{
	size_t i;

	free(p->name);
	for (i = 0; i < p->ndns; i++)
		free(p->dns[i].number);
	free(p->dns);
	bc_options_clear(&p->options);
	bc_place_init(p);
}

int
bc_place_id(bc_store *s, const char *name, sqlite3_int64 *id,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_PLACE_ID, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return BC_OK;
	if (rc == SQLITE_DONE)
		return bc_err_set(err, BC_ENOENT, "place '%s' does not exist",
		    name);
	return bc_sqlite_err(s, rc, err, "read place");
}

int
bc_place_add_dn(struct bc_place *p, const char *number, enum bc_dn_type type,
    struct bc_err *err)
{
	struct bc_place_dn *nv;
	char *copy;

	if ((copy = strdup(number)) == NULL ||
	    (nv = realloc(p->dns, (p->ndns + 1) * sizeof(*nv))) == NULL) {
		free(copy);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	p->dns = nv;
	nv[p->ndns].number = copy;
	nv[p->ndns].type = type;
	p->ndns++;
	return BC_OK;
}

int
bc_place_add_dn_ref(bc_store *s, struct bc_place *p, const char *ref,
    struct bc_err *err)
{
	const char *colon, *number = ref;
	enum bc_dn_type type;
	char tname[32];
	size_t n;
	int rc;

	if ((colon = strchr(ref, ':')) != NULL) {
		n = (size_t)(colon - ref);
		if (n >= sizeof(tname))
			n = sizeof(tname) - 1;
		memcpy(tname, ref, n);
		tname[n] = '\0';
		if (bc_dn_type_parse(tname, &type) != 0)
			return bc_err_set(err, BC_EINVAL, "dn reference '%s': "
			    "unknown type '%s'", ref, tname);
		number = colon + 1;
	}
	if ((rc = bc_valid_dn_number(number, err)))
		return rc;
	if (colon != NULL) {
		sqlite3_int64 id;

		if (!bc_dn_type_placeable(type))
			return bc_err_set(err, BC_ERULE, "dn '%s' (%s) cannot "
			    "belong to a place", number, bc_dn_type_name(type));
		if ((rc = bc_read_begin(s, err)))
			return rc;
		rc = bc_dn_id(s, number, type, &id, err);
		bc_read_end(s);
		if (rc)
			return rc;
	} else {
		if ((rc = bc_read_begin(s, err)))
			return rc;
		rc = bc_dn_resolve(s, number, bc_dn_type_placeable, &type,
		    err);
		/* a number of another type names the rule it breaks */
		if (rc == BC_ENOENT && bc_dn_resolve(s, number, NULL, &type,
		    err) != BC_ENOENT)
			rc = bc_err_set(err, BC_ERULE, "dn '%s' (%s) cannot "
			    "belong to a place", number,
			    bc_dn_type_name(type));
		bc_read_end(s);
		if (rc)
			return rc;
	}
	return bc_place_add_dn(p, number, type, err);
}

static int
place_valid(const struct bc_place *p, struct bc_err *err)
{
	size_t i, j, ext = 0;
	int rc;

	if ((rc = bc_valid_name("place name", p->name, 0, err)) ||
	    (rc = bc_options_valid(&p->options, err)))
		return rc;
	for (i = 0; i < p->ndns; i++) {
		if ((rc = bc_valid_dn_number(p->dns[i].number, err)))
			return rc;
		if ((unsigned)p->dns[i].type >= BC_DN_TYPE_COUNT)
			return bc_err_set(err, BC_EINVAL, "dn '%s': unknown "
			    "type", p->dns[i].number);
		if (!bc_dn_type_placeable(p->dns[i].type))
			return bc_err_set(err, BC_ERULE, "dn '%s' (%s) cannot "
			    "belong to a place", p->dns[i].number,
			    bc_dn_type_name(p->dns[i].type));
		if (p->dns[i].type == BC_DN_EXTENSION && ext++ > 0)
			return bc_err_set(err, BC_ERULE, "place '%s' cannot "
			    "hold more than one extension", p->name);
		for (j = 0; j < i; j++)
			if (p->dns[j].type == p->dns[i].type &&
			    strcmp(p->dns[j].number, p->dns[i].number) == 0)
				return bc_err_set(err, BC_EINVAL, "place '%s' "
				    "lists dn '%s' twice", p->name,
				    p->dns[i].number);
	}
	return BC_OK;
}

/* The checks bc_place_insert() makes, without the store (the XML import). */
int
bc_place_check(const struct bc_place *p, struct bc_err *err)
{
	return place_valid(p, err);
}

/*
 * The row ids of the DNs the place holds now into *ids (caller frees),
 * *n of them.
 */
static int
place_held(bc_store *s, sqlite3_int64 place_id, sqlite3_int64 **ids,
    size_t *n, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 *v;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((st = bc_stmt(s, SQL_PLACE_HELD, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, place_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((v = realloc(*ids, cap * sizeof(*v))) == NULL) {
				sqlite3_reset(st);
				return bc_err_set(err, BC_ENOMEM,
				    "out of memory");
			}
			*ids = v;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read place");
	return BC_OK;
}

/* A DN a place lists, as found before the place is written. */
struct listed_dn {
	sqlite3_int64	 id;
	char		*owner;		/* its place's name, or NULL */
	int		 found;		/* it exists */
	int		 keep;		/* the place holds it already */
};

/*
 * Gives the place exactly the DNs listed.  DNs of other places are
 * refused: moving a DN is done on the DN.
 *
 * Only what changes is written: a DN the place holds and lists again
 * is left alone (writing it again changed no row and no document; it
 * only marked the DN and the place for change capture).  The order of
 * the writes and of the errors is that of releasing every DN held and
 * giving each listed one in turn: what the place held and no longer
 * lists is released first (so that another extension can take its
 * place), then each listed DN is checked and given in list order.  The
 * DNs are looked up before anything is written: what a lookup finds
 * cannot change meanwhile, as place_valid() lists each DN once.
 */
static int
place_assign_dns(bc_store *s, sqlite3_int64 place_id,
    const struct bc_place *p, int fresh, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 owner_id, *held = NULL;
	struct listed_dn *v = NULL;
	const struct bc_place_dn *d;
	size_t i, j, nheld = 0;
	int rc = BC_OK, step, nomem = 0;

	if (p->ndns > 0 && (v = calloc(p->ndns, sizeof(*v))) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	/* a new place holds nothing yet */
	if (!fresh && (rc = place_held(s, place_id, &held, &nheld, err)))
		goto done;
	for (i = 0; i < p->ndns; i++) {
		d = &p->dns[i];
		if ((st = bc_stmt(s, SQL_DN_PLACE_OF, err)) == NULL) {
			rc = err->status;
			goto done;
		}
		bc_bind_text(st, 1, bc_dn_type_name(d->type));
		bc_bind_text(st, 2, d->number);
		owner_id = 0;
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			v[i].found = 1;
			v[i].id = sqlite3_column_int64(st, 0);
			v[i].owner = bc_column_dup(st, 1, &nomem);
			owner_id = sqlite3_column_type(st, 2) == SQLITE_NULL ?
			    0 : sqlite3_column_int64(st, 2);
		}
		sqlite3_reset(st);
		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			rc = bc_sqlite_err(s, step, err, "read dn");
			goto done;
		}
		if (nomem) {
			rc = bc_err_set(err, BC_ENOMEM, "out of memory");
			goto done;
		}
		/* held and listed: taken out of what is released */
		if (v[i].found && v[i].owner != NULL && owner_id == place_id)
			for (j = 0; j < nheld; j++)
				if (held[j] == v[i].id) {
					held[j] = held[--nheld];
					v[i].keep = 1;
					break;
				}
	}
	if (!fresh) {
		/* what it held and no longer lists */
		for (j = 0; j < nheld; j++) {
			if ((st = bc_stmt(s, SQL_DN_UNSET_PLACE, err)) ==
			    NULL) {
				rc = err->status;
				goto done;
			}
			sqlite3_bind_int64(st, 1, held[j]);
			if ((rc = bc_step_done(s, st, err, "update place")))
				goto done;
		}
		/* (a load: the DNs' documents do not name their place) */
		if ((rc = bc_meta_load_mark(s, BC_LOAD_PLACE, place_id, err)))
			goto done;
	}
	for (i = 0; i < p->ndns; i++) {
		d = &p->dns[i];
		if (!v[i].found) {
			rc = bc_err_set(err, BC_ENOENT, "dn '%s' (%s) does "
			    "not exist", d->number, bc_dn_type_name(d->type));
			goto done;
		}
		if (v[i].keep)
			continue;
		if (v[i].owner != NULL) {
			rc = bc_err_set(err, BC_ERULE, "dn '%s' (%s) already "
			    "belongs to place '%s'", d->number,
			    bc_dn_type_name(d->type), v[i].owner);
			goto done;
		}
		if ((st = bc_stmt(s, SQL_DN_SET_PLACE, err)) == NULL) {
			rc = err->status;
			goto done;
		}
		sqlite3_bind_int64(st, 1, v[i].id);
		sqlite3_bind_int64(st, 2, place_id);
		if ((rc = bc_step_done(s, st, err, "update place")) ||
		    (rc = bc_meta_load_mark(s, BC_LOAD_PLACE, place_id, err)))
			goto done;
	}
done:
	for (i = 0; v != NULL && i < p->ndns; i++)
		free(v[i].owner);
	free(v);
	free(held);
	return rc;
}

/*
 * Inserts a valid place; its DNs are given to it by the caller (fresh:
 * place_assign_dns()).
 */
static int
place_insert(bc_store *s, const struct bc_place *p, sqlite3_int64 *idp,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_PLACE_INSERT, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, p->name);
	sqlite3_bind_int(st, 2, p->enabled ? 1 : 0);
	rc = bc_step_insert(s, st, "place.name", err, "add place");
	if (rc == BC_EEXIST)
		return bc_err_set(err, BC_EEXIST, "place '%s' already exists",
		    p->name);
	if (rc)
		return rc;
	*idp = sqlite3_last_insert_rowid(s->db);
	return bc_meta_load_mark(s, BC_LOAD_PLACE, *idp, err);
}

static int
place_add(bc_store *s, const struct bc_place *p, struct bc_err *err)
{
	sqlite3_int64 id;
	int rc;

	if ((rc = place_valid(p, err)) ||
	    (rc = place_insert(s, p, &id, err)) ||
	    (rc = place_assign_dns(s, id, p, 1, err)))
		return rc;
	return bc_options_save(s, BC_OPT_PLACE, id, &p->options, 1, err);
}

int
bc_place_insert(bc_store *s, const struct bc_place *p, sqlite3_int64 *id,
    struct bc_err *err)
{
	int rc;

	if ((rc = place_valid(p, err)) ||
	    (rc = place_insert(s, p, id, err)))
		return rc;
	return bc_options_save(s, BC_OPT_PLACE, *id, &p->options, 1, err);
}

int
bc_place_add(bc_store *s, const struct bc_place *p, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, place_add(s, p, err), err);
}

static int
place_update(bc_store *s, const struct bc_place *p, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	int rc;

	if ((rc = place_valid(p, err)) ||
	    (rc = bc_place_id(s, p->name, &id, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_PLACE_UPDATE, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, p->enabled ? 1 : 0);
	if ((rc = bc_step_done(s, st, err, "update place")) ||
	    (rc = place_assign_dns(s, id, p, 0, err)))
		return rc;
	return bc_options_save(s, BC_OPT_PLACE, id, &p->options, 0, err);
}

int
bc_place_update(bc_store *s, const struct bc_place *p, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, place_update(s, p, err), err);
}

static int
place_delete(bc_store *s, const char *name, struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	char *user;
	int rc, nomem = 0;

	if ((rc = bc_place_id(s, name, &id, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_PLACE_USER, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	user = rc == SQLITE_ROW ? bc_column_dup(st, 0, &nomem) : NULL;
	sqlite3_reset(st);
	if (nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if (user != NULL) {
		rc = bc_err_set(err, BC_ERULE, "place '%s' is the default "
		    "place of person '%s'", name, user);
		free(user);
		return rc;
	}
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read place");
	if ((st = bc_stmt(s, SQL_PLACE_RELEASE, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = bc_step_done(s, st, err, "delete place")))
		return rc;
	if ((st = bc_stmt(s, SQL_PLACE_DELETE, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	return bc_step_done(s, st, err, "delete place");
}

int
bc_place_delete(bc_store *s, const char *name, struct bc_err *err)
{
	int rc;

	if ((rc = bc_tx_begin(s, err)))
		return rc;
	return bc_tx_end(s, place_delete(s, name, err), err);
}

/* Fills p from an (id, name, enabled) row, DNs and options included. */
static int
place_from_row(bc_store *s, sqlite3_stmt *row, struct bc_place *p,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	enum bc_dn_type t;
	int rc, nomem = 0;

	bc_place_init(p);
	id = sqlite3_column_int64(row, 0);
	p->name = bc_column_dup(row, 1, &nomem);
	p->enabled = sqlite3_column_int(row, 2) != 0;
	if (nomem)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((st = bc_stmt(s, SQL_PLACE_DNS, err)) == NULL)
		return err->status;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (bc_dn_type_parse((const char *)sqlite3_column_text(st, 1),
		    &t) != 0)
			continue;
		if ((rc = bc_place_add_dn(p, (const char *)
		    sqlite3_column_text(st, 0), t, err))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bc_sqlite_err(s, rc, err, "read place");
	return bc_options_load(s, BC_OPT_PLACE, id, &p->options, err);
}

static int
place_get(bc_store *s, const char *name, struct bc_place *p,
    struct bc_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = bc_stmt(s, SQL_PLACE_GET, err)) == NULL)
		return err->status;
	bc_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = place_from_row(s, st, p, err);
	else if (rc == SQLITE_DONE)
		rc = bc_err_set(err, BC_ENOENT, "place '%s' does not exist",
		    name);
	else
		rc = bc_sqlite_err(s, rc, err, "read place");
	sqlite3_reset(st);
	return rc;
}

int
bc_place_get(bc_store *s, const char *name, struct bc_place *p,
    struct bc_err *err)
{
	int rc;

	bc_place_init(p);
	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((rc = place_get(s, name, p, err)))
		bc_place_clear(p);
	bc_read_end(s);
	return rc;
}

int
bc_place_foreach(bc_store *s, bc_place_cb cb, void *arg, struct bc_err *err)
{
	sqlite3_stmt *st;
	struct bc_place p;
	int rc;

	if ((rc = bc_read_begin(s, err)))
		return rc;
	if ((st = bc_stmt(s, SQL_PLACE_LIST, err)) == NULL) {
		bc_read_end(s);
		return err->status;
	}
	for (;;) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			rc = BC_OK;
			break;
		}
		if (rc != SQLITE_ROW) {
			rc = bc_sqlite_err(s, rc, err, "list places");
			break;
		}
		rc = place_from_row(s, st, &p, err);
		if (rc == BC_OK)
			rc = cb(&p, arg);
		bc_place_clear(&p);
		if (rc != BC_OK)
			break;
	}
	sqlite3_reset(st);
	bc_read_end(s);
	return rc;
}
