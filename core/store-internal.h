/*
 * store-internal.h -- what the library's own files share: the store
 * handle, the statement cache and small helpers.  Not installed, not for
 * programs.
 */
#ifndef BC_STORE_INTERNAL_H
#define BC_STORE_INTERNAL_H

#include <sqlite3.h>

#include "bc.h"

#define BC_STMT_CACHE	64

struct bc_stmt_slot {
	const char	*sql;		/* key: the address of a static string */
	sqlite3_stmt	*stmt;
};

struct bc_store {
	sqlite3			*db;
	char			*path;
	int			 readonly;
	int			 depth;		/* transaction nesting */
	struct bc_stmt_slot	 cache[BC_STMT_CACHE];
	size_t			 ncache;
};

/* Generated from schema/NNN-*.sql by schema/embed.sh. */
extern const char *const bc_schema_migrations[];
extern const int bc_schema_count;

/*
 * Returns the prepared statement for sql, reset and unbound, preparing it
 * on first use.  sql must be a string with static storage: the cache is
 * keyed by its address.  NULL with err set on failure.
 */
sqlite3_stmt	*bc_stmt(bc_store *, const char *sql, struct bc_err *);
/* A read transaction (deferred BEGIN, or a savepoint when nested). */
int		 bc_read_begin(bc_store *, struct bc_err *);
/* Maps the last SQLite error of the store to a status and message. */
int		 bc_sqlite_err(bc_store *, int rc, struct bc_err *,
		    const char *what);
/* Runs a statement to completion; BC_OK when it returned SQLITE_DONE. */
int		 bc_step_done(bc_store *, sqlite3_stmt *, struct bc_err *,
		    const char *what);

/* Binds a string that may be NULL. */
int		 bc_bind_text(sqlite3_stmt *, int, const char *);
/* strdup of a column that may be NULL; sets *nomem on failure. */
char		*bc_column_dup(sqlite3_stmt *, int, int *nomem);
char		*bc_strdup(const char *);	/* NULL-safe */

/* Row ids of objects by identity; BC_ENOENT with a message when absent. */
int		 bc_place_id(bc_store *, const char *name, sqlite3_int64 *,
		    struct bc_err *);
int		 bc_login_id(bc_store *, const char *code, sqlite3_int64 *,
		    struct bc_err *);
int		 bc_dn_id(bc_store *, const char *number, enum bc_dn_type,
		    sqlite3_int64 *, struct bc_err *);

/*
 * Type of a DN named by number alone, among the types keep() accepts
 * (NULL: all): BC_ENOENT when none, BC_EAMBIG when several.
 */
int		 bc_dn_resolve(bc_store *, const char *number,
		    int (*keep)(enum bc_dn_type), enum bc_dn_type *,
		    struct bc_err *);

/* Annex options of one object, by owner table ("dn", "place", "login"). */
enum bc_opt_owner { BC_OPT_DN, BC_OPT_PLACE, BC_OPT_LOGIN };
int		 bc_options_load(bc_store *, enum bc_opt_owner, sqlite3_int64,
		    struct bc_options *, struct bc_err *);
/* Every option well-formed, sorted, no key twice (as bc_options_set keeps them). */
int		 bc_options_valid(const struct bc_options *, struct bc_err *);
int		 bc_options_save(bc_store *, enum bc_opt_owner, sqlite3_int64,
		    const struct bc_options *, struct bc_err *);

/* ---- validation (names.c) ---- */
/* what names the field in messages: "place name", "alias", ... */
int		 bc_valid_name(const char *what, const char *s, int optional,
		    struct bc_err *);
int		 bc_valid_text(const char *what, const char *s, size_t maxchars,
		    struct bc_err *);
int		 bc_valid_dn_number(const char *s, struct bc_err *);
int		 bc_valid_login_code(const char *s, struct bc_err *);

/* ---- rules enforced on writes (rules.c) ---- */
int		 bc_rule_dn_in_place(bc_store *, const char *number,
		    enum bc_dn_type, sqlite3_int64 place_id,
		    const char *place, struct bc_err *);
int		 bc_rule_login_free(bc_store *, const char *code,
		    sqlite3_int64 login_id, sqlite3_int64 person_id,
		    struct bc_err *);
int		 bc_rule_person_logins(const struct bc_person *,
		    struct bc_err *);

#endif
