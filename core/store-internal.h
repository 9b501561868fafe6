/*
 * store-internal.h -- what the library's own files share: the store
 * handle, the statement cache and small helpers.  Not installed, not for
 * programs.
 */
#ifndef BC_STORE_INTERNAL_H
#define BC_STORE_INTERNAL_H

#include <sqlite3.h>

#include "bc.h"

#define BC_STMT_CACHE	128
#define BC_TX_LEVELS	32
#define BC_LOAD_TRIGGERS	9	/* triggers a load drops (meta.c) */

/*
 * FNV-1a, 64 bits, of n bytes, continuing from h (BC_FNV1A_INIT to
 * start): the hash of bc_hash(), of the documents built in C and of the
 * import's table of identities.
 */
#define BC_FNV1A_INIT	0xcbf29ce484222325ULL
static inline unsigned long long
bc_fnv1a(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n-- > 0) {
		h ^= *c++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct bc_stmt_slot {
	const char	*sql;		/* key: the address of a static string */
	sqlite3_stmt	*stmt;
};

/* Metadata to copy (core/sync.c: bc_sync_copy_add()); one allocation
 * holds the strings. */
struct bc_copy {
	char			*kind, *key, *origin;
	char			*hash;		/* NULL: none */
	long long		 hlc;
	int			 deleted;
};

struct bc_store {
	sqlite3			*db;
	char			*path;
	int			 readonly;
	int			 busy_ms;	/* busy timeout, as opened */
	int			 filling;	/* bc_store_fill_begin() */
	int			 depth;		/* transaction nesting */
	int			 writing;	/* outermost level writes */
	long long		 hlc_next;	/* bc_next() during a flush */
	long long		 seq_next;	/* bc_seq(): the last issued */
	int			 bulk;		/* inner levels: no savepoints */
	int			 poisoned;	/* bulk: a failed write inside */
	int			 load;		/* bulk: a load (sync_load row) */
	long long		 load_mark[4];	/* its marks (enum bc_load_kind) */
	char			*load_trig[BC_LOAD_TRIGGERS];	/* dropped, to restore */
	long long		 changes[BC_TX_LEVELS];	/* bulk: at begin */
	struct bc_stmt_slot	 cache[BC_STMT_CACHE];
	size_t			 ncache;
	struct bc_copy		*copy;		/* bc_sync_copy_add() */
	size_t			 ncopy, copy_cap;
};

/* Forgets the metadata bc_sync_copy_add() collected (also at close). */
void		 bc_sync_copy_clear(bc_store *);
/* Registers what bc_sync_copy_finish() writes with (at open). */
int		 bc_sync_register(bc_store *, struct bc_err *);

/*
 * Generated from schema/NNN-*.sql by schema/embed.sh: the migrations in
 * order, each with its number (the user_version it brings a store to;
 * numbers may leave gaps), and the highest number.
 */
extern const char *const bc_schema_migrations[];
extern const int bc_schema_versions[];
extern const int bc_schema_nmigrations;
extern const int bc_schema_count;

/*
 * Returns the prepared statement for sql, reset and unbound, preparing it
 * on first use.  sql must be a string with static storage: the cache is
 * keyed by its address.  NULL with err set on failure.
 */
sqlite3_stmt	*bc_stmt(bc_store *, const char *sql, struct bc_err *);
/*
 * Filling an empty store in one load (an import into a new store): for
 * that one transaction the store takes a rollback journal instead of its
 * WAL, so that the new pages are written once, into the database file
 * (SQLite journals no page past the file's old end), not into the WAL
 * and then again into the file; and the connection checks no foreign
 * key, the caller having made every reference itself.  Only outside a
 * transaction and when no other connection has the store open: *filling
 * tells whether it took effect (not taking it is no error).
 * bc_store_fill_end() puts both back; a store left in the other journal
 * (a crash in between) returns to WAL at the next bc_store_open() that
 * may write it.
 */
int		 bc_store_fill_begin(bc_store *, int *filling, struct bc_err *);
void		 bc_store_fill_end(bc_store *);
/* A read transaction (deferred BEGIN, or a savepoint when nested). */
int		 bc_read_begin(bc_store *, struct bc_err *);
/* Ends a read level, whatever the outcome of the reads. */
void		 bc_read_end(bc_store *);
/* Maps the last SQLite error of the store to a status and message. */
int		 bc_sqlite_err(bc_store *, int rc, struct bc_err *,
		    const char *what);
/* Runs a statement to completion; BC_OK when it returned SQLITE_DONE. */
int		 bc_step_done(bc_store *, sqlite3_stmt *, struct bc_err *,
		    const char *what);

/*
 * Runs an INSERT like bc_step_done(), but returns BC_EEXIST, err left for
 * the caller to fill, when the row breaks the unique key whose columns
 * SQLite names `unique` ("dn.type, dn.number").  Letting the index find
 * duplicates saves a lookup per write.
 */
int		 bc_step_insert(bc_store *, sqlite3_stmt *, const char *unique,
		    struct bc_err *, const char *what);
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
/* Replaces the options of an object; fresh: it was just created. */
int		 bc_options_save(bc_store *, enum bc_opt_owner, sqlite3_int64,
		    const struct bc_options *, int fresh, struct bc_err *);

/*
 * Inserts of a whole-site load into a store without objects (the XML
 * import's fresh path): each checks the object as its bc_*_add() does,
 * but takes what the object names by row id, and knows it is new (the
 * caller made sure its identity is not in the store).  *id: its row id.
 * bc_dn_insert() puts the DN into place_id (0: none; dn->place must be
 * NULL); bc_place_insert() gives the place no DNs (the caller inserts
 * them with it); bc_person_insert() takes the place's row id (0 when
 * p->place is NULL) and one login row id per p->logins.
 */
int		 bc_login_insert(bc_store *, const struct bc_login *,
		    sqlite3_int64 *id, struct bc_err *);
int		 bc_dn_insert(bc_store *, const struct bc_dn *,
		    sqlite3_int64 place_id, sqlite3_int64 *id, struct bc_err *);
int		 bc_place_insert(bc_store *, const struct bc_place *,
		    sqlite3_int64 *id, struct bc_err *);
int		 bc_person_insert(bc_store *, const struct bc_person *,
		    sqlite3_int64 place_id, const sqlite3_int64 *login_ids,
		    sqlite3_int64 *id, struct bc_err *);

/* The checks of bc_*_insert() alone, without the store. */
int		 bc_login_check(const struct bc_login *, struct bc_err *);
int		 bc_dn_check(const struct bc_dn *, struct bc_err *);
int		 bc_place_check(const struct bc_place *, struct bc_err *);
int		 bc_person_check(const struct bc_person *, struct bc_err *);

/* ---- change metadata (meta.c) ---- */
/* Registers bc_hash() on the store's connection. */
int		 bc_meta_register(bc_store *, struct bc_err *);
/* *n: the objects marked changed (sync_dirty) and not recorded yet. */
int		 bc_meta_marked(bc_store *, long long *n, struct bc_err *);
/* Turns the marks in sync_dirty into sync_meta rows (write transaction). */
int		 bc_meta_flush(bc_store *, struct bc_err *);
/* Gives an object a new HLC from this site, its content unchanged. */
int		 bc_meta_touch(bc_store *, const char *kind, const char *key,
		    struct bc_err *);
/*
 * A load (bc_tx_begin_load()): begin writes its marks into sync_load,
 * end deletes them before the commit (schema/006-load-capture.sql).
 */
int		 bc_meta_load_begin(bc_store *, struct bc_err *);
int		 bc_meta_load_end(bc_store *, struct bc_err *);
/* Forgets a load rolled back (its schema changes went with it). */
void		 bc_meta_load_forget(bc_store *);
/*
 * A load drops the insert triggers of change capture until it commits,
 * and the update trigger of DNs; every INSERT into an object table or a
 * child table (options, person logins) and every UPDATE of dn calls this
 * right after, with the row id of each object whose document changed: it marks that object when it existed before the load
 * (the load's commit records the others from their documents).
 */
enum bc_load_kind { BC_LOAD_DN, BC_LOAD_PLACE, BC_LOAD_PERSON, BC_LOAD_LOGIN };
int		 bc_meta_load_mark(bc_store *, enum bc_load_kind, sqlite3_int64,
		    struct bc_err *);
/*
 * The hash of a new object's canonical document built in C, byte for
 * byte what bc_hash() of its sync_*_doc view gives once it is stored
 * (a place's DNs and a person's logins sorted as the store sorts them);
 * -1 when it cannot (out of memory, or text with a control character,
 * which the view escapes its own way).
 */
int		 bc_meta_hash_login(const struct bc_login *,
		    unsigned long long *);
int		 bc_meta_hash_dn(const struct bc_dn *, unsigned long long *);
/* The result of a SQL function: h as bc_hash() writes it (16 hex digits). */
void		 bc_meta_hash_result(sqlite3_context *, unsigned long long h);
int		 bc_meta_hash_place(const struct bc_place *,
		    unsigned long long *);
int		 bc_meta_hash_person(const struct bc_person *,
		    unsigned long long *);
/*
 * A load that writes the sync_meta rows of its new objects itself (they
 * are recorded as the commit would: one row each, the HLC values from
 * *hlc on and the feed positions from *seq + 1 on, in the commit's
 * order): bc_meta_load_clock() gives the first HLC value, the last
 * feed position and this site's name (caller frees), taken now;
 * bc_meta_load_recorded() says that n rows were written with them
 * (changed: any row changed), saves the clock and the feed position and
 * moves the load's marks past the objects written so far.
 */
int		 bc_meta_load_clock(bc_store *, long long *hlc, long long *seq,
		    char **origin, struct bc_err *);
int		 bc_meta_load_recorded(bc_store *, long long hlc, long long seq,
		    long long n, int changed, struct bc_err *);
/* Flushes marks left by other writers; at open. */
int		 bc_meta_catch_up(bc_store *, struct bc_err *);
/*
 * Feed positions (schema/005-feed.sql): bc_seq_load() reads site.seq
 * into the store, the SQL function bc_seq() issues the next one, and
 * bc_seq_save() writes the last issued back.  Every statement writing
 * sync_meta sets seq = bc_seq() between the two.
 */
int		 bc_seq_load(bc_store *, struct bc_err *);
int		 bc_seq_save(bc_store *, struct bc_err *);

/* ---- validation (names.c) ---- */
/* what names the field in messages: "place name", "alias", ... */
int		 bc_valid_name(const char *what, const char *s, int optional,
		    struct bc_err *);
int		 bc_valid_text(const char *what, const char *s, size_t maxchars,
		    struct bc_err *);
int		 bc_valid_dn_number(const char *s, struct bc_err *);
int		 bc_valid_login_code(const char *s, struct bc_err *);
/*
 * The code point of the UTF-8 sequence at *p (lead byte past ASCII), *p
 * moved past it; -1 when XML cannot carry it.
 */
long		 bc_utf8_decode(const unsigned char **p);

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
