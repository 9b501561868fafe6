/*
 * bc.h -- the sipbc site store library.
 *
 * One SQLite file holds the configuration of one site: its switch, DNs,
 * places, persons and agent logins.  Every program of sipbc reaches the
 * store through this interface; none of them contains SQL.
 *
 * Conventions
 *  - Functions return BC_OK (0) or a status from enum bc_status and fill
 *    the caller's struct bc_err with a one-line message naming the object
 *    and the reason.  The library never exits, never logs and keeps no
 *    global state; everything lives in a bc_store handle.
 *  - Strings inside object structs are owned by the struct and freed by
 *    the matching bc_X_clear().  A NULL optional string means "not set".
 *  - Every write checks the store's rules before it touches a table.
 *    Wrap several calls in bc_tx_begin()/bc_tx_commit() to make them one
 *    atomic change; a failed call inside a transaction leaves the
 *    transaction open for the caller to roll back.
 */
#ifndef BC_H
#define BC_H

#include <stddef.h>

/* Status codes.  Programs map them to exit statuses (see bcadm(8)). */
enum bc_status {
	BC_OK = 0,
	BC_EINVAL,	/* malformed value: bad name, unknown type, ... */
	BC_ERULE,	/* a rule of the store would be broken */
	BC_ENOENT,	/* the named object does not exist */
	BC_EEXIST,	/* an object with that identity exists already */
	BC_EAMBIG,	/* a DN number names DNs of several types */
	BC_ENOSTORE,	/* store missing, unreadable, not a store, too new */
	BC_ECREATE,	/* store cannot be created or written (read-only) */
	BC_EBUSY,	/* store locked by another process past the timeout */
	BC_ECONFIG,	/* configuration file missing or wrong */
	BC_EIO,		/* I/O error */
	BC_ENOMEM,	/* out of memory */
	BC_EINTERNAL	/* broken invariant or unexpected SQLite error */
};

#define BC_ERR_MAX	512

struct bc_err {
	enum bc_status	status;
	char		msg[BC_ERR_MAX];
};

/* Longest name (place, user name, alias, ...) in characters. */
#define BC_NAME_MAX	255
/* Longest wrap-up time in seconds. */
#define BC_WRAPUP_MAX	86400

/* Sets err (may be NULL) and returns status.  printf-style message. */
int		 bc_err_set(struct bc_err *, enum bc_status, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
const char	*bc_status_name(enum bc_status);

/* ---- enumerations ------------------------------------------------- */

enum bc_dn_type {
	BC_DN_EXTENSION,
	BC_DN_ACD_QUEUE,
	BC_DN_CALL_PROCESSING_PORT,
	BC_DN_ROUTING_POINT,
	BC_DN_TRUNK,
	BC_DN_VOIP_SERVICE,
	BC_DN_TYPE_COUNT
};

enum bc_register {
	BC_REG_TRUE,
	BC_REG_FALSE,
	BC_REG_ON_DEMAND,
	BC_REG_COUNT
};

/* Names as used on the command line and in the store ("acd-queue"). */
const char	*bc_dn_type_name(enum bc_dn_type);
int		 bc_dn_type_parse(const char *, enum bc_dn_type *);
/* Extension, ACD queue, call processing port: same at both sites. */
int		 bc_dn_type_synchronized(enum bc_dn_type);
/* Extension, call processing port: may belong to a place. */
int		 bc_dn_type_placeable(enum bc_dn_type);
const char	*bc_register_name(enum bc_register);
int		 bc_register_parse(const char *, enum bc_register *);

/* ---- annex options: section -> key -> value ----------------------- */

struct bc_option {
	char	*section;
	char	*key;
	char	*value;
};

struct bc_options {
	struct bc_option	*v;
	size_t			 n;
};

/* Sets section/key to value, or removes it when value is NULL. */
int	bc_options_set(struct bc_options *, const char *section,
	    const char *key, const char *value, struct bc_err *);
/* Applies "SECTION/KEY=VALUE"; "SECTION/KEY=" removes the key. */
int	bc_options_apply(struct bc_options *, const char *spec,
	    struct bc_err *);
const char *bc_options_get(const struct bc_options *, const char *section,
	    const char *key);
void	bc_options_clear(struct bc_options *);

/* ---- the store ----------------------------------------------------- */

typedef struct bc_store bc_store;

#define BC_OPEN_CREATE	0x1	/* create the file; used by init only */
/* commits never checkpoint the WAL (SQLite's automatic checkpoint, which
 * a commit runs now and then and waits for): the program runs
 * bc_store_checkpoint() itself, away from where latency matters */
#define BC_OPEN_NO_CHECKPOINT 0x2

#define BC_BUSY_TIMEOUT_DEFAULT	5000	/* milliseconds */

/*
 * Opens the store at path.  Without BC_OPEN_CREATE the file must exist
 * and be an initialised store.  Applies forward schema migrations in one
 * transaction; refuses a store written by a newer schema.  busy_ms is
 * how long a write waits for another process's lock (BC_EBUSY after).
 * The caller frees the handle with bc_store_close().
 */
int		 bc_store_open(bc_store **, const char *path, unsigned flags,
		    int busy_ms, struct bc_err *);
void		 bc_store_close(bc_store *);
const char	*bc_store_path(const bc_store *);
/* 1 when the file cannot be written by this process. */
int		 bc_store_readonly(const bc_store *);
/*
 * SQLite's PRAGMA data_version of the store's connection: it changes
 * when another connection (bcadm, bcsync, bcsipd) commits a change.
 */
int		 bc_store_data_version(bc_store *, long long *, struct bc_err *);
/*
 * Copies what the WAL holds into the store file as far as no reader
 * needs it (SQLite's passive checkpoint: it waits for no lock, and no
 * writer or reader waits for it).
 */
int		 bc_store_checkpoint(bc_store *, struct bc_err *);
/* Schema version this library writes, and the version of an open store. */
int		 bc_schema_latest(void);
int		 bc_store_schema_version(bc_store *);

/*
 * Transactions nest: the outermost begin takes the write lock
 * (BEGIN IMMEDIATE), inner ones are savepoints.  Rollback undoes the
 * innermost level.  Every write function below runs in its own
 * transaction level, so on error nothing of that call is written.
 */
int		 bc_tx_begin(bc_store *, struct bc_err *);
int		 bc_tx_commit(bc_store *, struct bc_err *);
void		 bc_tx_rollback(bc_store *);
/*
 * A write transaction for large batches (import, generators, sync): inner
 * levels take no savepoints, which makes each write much cheaper.  A
 * write that fails inside cannot be undone alone, so the whole
 * transaction then refuses to commit: roll it back.
 */
int		 bc_tx_begin_bulk(bc_store *, struct bc_err *);
/*
 * A bulk transaction that mostly creates objects (import, generators):
 * the change metadata of the objects it creates is recorded in one pass
 * when it commits, instead of each write marking them.  Not for writes
 * that set metadata themselves (sync).
 */
int		 bc_tx_begin_load(bc_store *, struct bc_err *);
/* Commits when rc is BC_OK, else rolls back; returns the outcome. */
int		 bc_tx_end(bc_store *, int rc, struct bc_err *);
int		 bc_tx_depth(const bc_store *);

/* ---- site (the switch; one per store) ----------------------------- */

struct bc_site {
	char	*name;		/* site name, e.g. "east" */
	char	*switch_name;	/* switch name, defaults to the site name */
};

/* Creates the site row of a new store; BC_ECREATE when one exists. */
int	bc_site_init(bc_store *, const char *site, const char *switch_name,
	    struct bc_err *);
int	bc_site_get(bc_store *, struct bc_site *, struct bc_err *);
/* The site's name alone (caller frees). */
int	bc_site_name(bc_store *, char **name, struct bc_err *);
void	bc_site_clear(struct bc_site *);

/* ---- DNs ----------------------------------------------------------- */

struct bc_dn {
	char			*number;
	enum bc_dn_type		 type;
	char			*alias;
	enum bc_register	 reg;
	char			*association;
	char			*contact;	/* SIP URI */
	char			*password;	/* SIP digest password */
	int			 enabled;
	char			*place;		/* place name */
	struct bc_options	 options;
};

/* Defaults: extension, register true, enabled, nothing else set. */
void	bc_dn_init(struct bc_dn *);
void	bc_dn_clear(struct bc_dn *);
int	bc_dn_add(bc_store *, const struct bc_dn *, struct bc_err *);
/*
 * Reads the DN of that number.  type NULL: any type, BC_EAMBIG when the
 * number exists with several types.  out is bc_dn_init()ed by the call.
 */
int	bc_dn_get(bc_store *, const char *number, const enum bc_dn_type *type,
	    struct bc_dn *out, struct bc_err *);
/* Replaces every field of the DN identified by (dn->type, dn->number). */
int	bc_dn_update(bc_store *, const struct bc_dn *, struct bc_err *);
int	bc_dn_delete(bc_store *, const char *number, enum bc_dn_type,
	    struct bc_err *);

struct bc_dn_filter {
	int		 type;	/* enum bc_dn_type, or -1 for any */
	const char	*place;	/* place name, or NULL for any */
};

/*
 * Calls cb for each DN in (type name, number) text order.  A non-zero return
 * from cb stops the walk; bc_dn_foreach returns that value.
 */
typedef int (*bc_dn_cb)(const struct bc_dn *, void *);
int	bc_dn_foreach(bc_store *, const struct bc_dn_filter *, bc_dn_cb,
	    void *, struct bc_err *);

/* ---- places -------------------------------------------------------- */

struct bc_place_dn {
	char		*number;
	enum bc_dn_type	 type;
};

struct bc_place {
	char			*name;
	int			 enabled;
	struct bc_place_dn	*dns;
	size_t			 ndns;
	struct bc_options	 options;
};

void	bc_place_init(struct bc_place *);
void	bc_place_clear(struct bc_place *);
/* Adds a DN to the struct's list (no store access). */
int	bc_place_add_dn(struct bc_place *, const char *number,
	    enum bc_dn_type, struct bc_err *);
/*
 * Resolves a DN reference "NUMBER" or "TYPE:NUMBER" among the DNs that
 * may belong to a place and appends it to the struct's list.
 */
int	bc_place_add_dn_ref(bc_store *, struct bc_place *, const char *ref,
	    struct bc_err *);
int	bc_place_add(bc_store *, const struct bc_place *, struct bc_err *);
int	bc_place_get(bc_store *, const char *name, struct bc_place *,
	    struct bc_err *);
/* Replaces fields and the DN list: DNs not listed leave the place. */
int	bc_place_update(bc_store *, const struct bc_place *, struct bc_err *);
/* Its DNs leave the place; refused while a person uses it. */
int	bc_place_delete(bc_store *, const char *name, struct bc_err *);
typedef int (*bc_place_cb)(const struct bc_place *, void *);
int	bc_place_foreach(bc_store *, bc_place_cb, void *, struct bc_err *);

/* ---- agent logins -------------------------------------------------- */

struct bc_login {
	char			*code;
	char			*password;
	char			*override;
	int			 use_override;
	int			 enabled;
	struct bc_options	 options;
	char			*person;	/* holder; read-only */
};

void	bc_login_init(struct bc_login *);
void	bc_login_clear(struct bc_login *);
int	bc_login_add(bc_store *, const struct bc_login *, struct bc_err *);
int	bc_login_get(bc_store *, const char *code, struct bc_login *,
	    struct bc_err *);
int	bc_login_update(bc_store *, const struct bc_login *, struct bc_err *);
/* Refused while a person holds the login. */
int	bc_login_delete(bc_store *, const char *code, struct bc_err *);
typedef int (*bc_login_cb)(const struct bc_login *, void *);
int	bc_login_foreach(bc_store *, bc_login_cb, void *, struct bc_err *);

/* ---- persons ------------------------------------------------------- */

struct bc_person_login {
	char	*code;
	int	 wrapup;	/* seconds, 0..BC_WRAPUP_MAX */
};

struct bc_person {
	char			*username;
	char			*first;
	char			*last;
	char			*employee_id;
	int			 agent;		/* fixed at creation */
	int			 enabled;
	char			*preferred_site;
	char			*place;		/* default place */
	struct bc_person_login	*logins;
	size_t			 nlogins;
};

void	bc_person_init(struct bc_person *);
void	bc_person_clear(struct bc_person *);
/* Appends a login assignment to the struct (no store access). */
int	bc_person_add_login(struct bc_person *, const char *code, int wrapup,
	    struct bc_err *);
/* Parses "CODE[:WRAPUP]" and appends it. */
int	bc_person_add_login_spec(struct bc_person *, const char *spec,
	    struct bc_err *);
int	bc_person_add(bc_store *, const struct bc_person *, struct bc_err *);
int	bc_person_get(bc_store *, const char *username, struct bc_person *,
	    struct bc_err *);
/* Replaces fields and the login list; the agent flag cannot change. */
int	bc_person_update(bc_store *, const struct bc_person *,
	    struct bc_err *);
/* Releases the person's logins. */
int	bc_person_delete(bc_store *, const char *username, struct bc_err *);
typedef int (*bc_person_cb)(const struct bc_person *, void *);
int	bc_person_foreach(bc_store *, bc_person_cb, void *, struct bc_err *);

/* ---- identities, for completion ------------------------------------ */

enum bc_kind {
	BC_KIND_DN,		/* DN numbers (of any type) */
	BC_KIND_PLACE,		/* place names */
	BC_KIND_PERSON,		/* user names */
	BC_KIND_LOGIN		/* agent login codes */
};

/*
 * Calls cb with each identity of that kind starting with prefix, in text
 * order, at most limit of them.  A non-zero return from cb stops.
 */
typedef int (*bc_name_cb)(const char *, void *);
int	bc_names(bc_store *, enum bc_kind, const char *prefix, size_t limit,
	    bc_name_cb, void *, struct bc_err *);

/* ---- check --------------------------------------------------------- */

struct bc_violation {
	/* "dn", "place", "person", "login", "option", or "store" for the
	 * file's own integrity (PRAGMA quick_check) */
	const char	*kind;
	const char	*name;		/* the object's identity */
	const char	*message;	/* what is wrong */
};

/*
 * Checks the whole store against every rule, including rows written
 * around the library (for example with the sqlite3 shell).  It also
 * reports what writes allow but a working site needs: an agent without
 * an agent login, an agent's default place without an extension.  Calls
 * cb for each violation; *count receives their number.
 */
typedef int (*bc_violation_cb)(const struct bc_violation *, void *);
int	bc_check(bc_store *, bc_violation_cb, void *, size_t *count,
	    struct bc_err *);

/* ---- bc.conf ------------------------------------------------------- */

struct bc_conf {
	char	*path;
	char	*site_name;		/* [site] name */
	char	*site_store;		/* [site] store */
	int	 busy_timeout;		/* [site] busy_timeout, ms */
	char	*peer_name;		/* [peer] name */
	char	*peer_store;		/* [peer] store */
	char	*peer_url;		/* [peer] url: the peer's bcsync */
	char	*peer_token_file;	/* [peer] token_file */
	char	*peer_tls_ca;		/* [peer] tls_ca: pinned CA */
	char	*peer_tls_cert;		/* [peer] tls_cert: client cert */
	char	*peer_tls_key;		/* [peer] tls_key */
	char	*sync_listen;		/* [sync] listen: ADDRESS:PORT */
	char	*sync_token_file;	/* [sync] token_file */
	char	*sync_tls_cert;		/* [sync] tls_cert */
	char	*sync_tls_key;		/* [sync] tls_key */
	char	*sync_tls_client_ca;	/* [sync] tls_client_ca */
	char	*sync_hook;		/* [sync] hook: run after applying */
	int	 sync_batch;		/* [sync] batch: changes per response */
	int	 sync_max_body;		/* [sync] max_body: bytes */
	int	 sync_retain;		/* [sync] retain: seconds */
	int	 sync_retry;		/* [sync] retry: ms between attempts */
};

#define BC_CONF_DEFAULT	"/etc/sipbc/bc.conf"

void	bc_conf_init(struct bc_conf *);
/* Parses an INI file; unknown sections or keys are errors (BC_ECONFIG). */
int	bc_conf_load(struct bc_conf *, const char *path, struct bc_err *);
void	bc_conf_clear(struct bc_conf *);

#endif /* BC_H */
