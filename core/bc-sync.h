/*
 * bc-sync.h -- comparing and synchronizing two site stores.
 *
 * Synchronized objects (DNs of types extension, acd-queue and
 * call-processing-port, places, persons, agent logins) have a canonical
 * document: a JSON text of the fields both sites share (the sync_*_doc
 * views of schema/003-sync-metadata.sql).  Every change of one is
 * recorded in sync_meta with a hybrid logical clock (HLC) value, the site
 * that made it and the document's hash; a deletion leaves a tombstone.
 * Kinds are "dn", "place", "person", "login"; a DN's key is TYPE:NUMBER,
 * the others' is their name.
 */
#ifndef BC_SYNC_H
#define BC_SYNC_H

#include "bc.h"

/* ---- documents ------------------------------------------------------ */

/* The current document of an object; *doc NULL when it does not exist.
 * The caller frees *doc with free(). */
int	bc_doc_get(bc_store *, const char *kind, const char *key, char **doc,
	    struct bc_err *);
/*
 * Makes the object equal to doc (creating it), or deletes it when doc is
 * NULL.  Site-specific fields of an existing object are kept.  Objects
 * are applied one at a time, so a document may name one this store lacks
 * (a DN of a place, a login or the default place of a person, deleted
 * here meanwhile): such references are left out, and the result differs
 * from doc.  A deleted place or login is first taken from the persons
 * that use it.
 */
int	bc_doc_apply(bc_store *, const char *kind, const char *key,
	    const char *doc, struct bc_err *);

/* Calls cb for each field that differs: its name, the two values or NULL. */
typedef int (*bc_field_cb)(const char *field, const char *a, const char *b,
    void *);
int	bc_doc_compare(bc_store *, const char *doc_a, const char *doc_b,
	    bc_field_cb, void *, struct bc_err *);

/* ---- diff ----------------------------------------------------------- */

enum bc_diff_what {
	BC_DIFF_ONLY_A,
	BC_DIFF_ONLY_B,
	BC_DIFF_CHANGED
};

struct bc_diff_item {
	const char		*kind;
	const char		*key;
	enum bc_diff_what	 what;
	const char		*doc_a;		/* NULL when absent */
	const char		*doc_b;
};

/*
 * Walks the synchronized objects of both stores in (kind, key) order,
 * reading both as streams, and calls cb for each one that is only in A,
 * only in B, or different.  *count gets the number of differences.
 */
typedef int (*bc_diff_cb)(const struct bc_diff_item *, void *);
int	bc_diff(bc_store *a, bc_store *b, bc_diff_cb, void *, size_t *count,
	    struct bc_err *);

/* ---- synchronization ------------------------------------------------ */

enum bc_prefer {
	BC_PREFER_NEWER,	/* the change with the higher HLC wins */
	BC_PREFER_A,
	BC_PREFER_B
};

enum bc_sync_action {
	BC_SYNC_CREATE,
	BC_SYNC_UPDATE,
	BC_SYNC_DELETE
};

/* One change a synchronization makes (or would make, dry run). */
struct bc_sync_step {
	const char		*kind;
	const char		*key;
	enum bc_sync_action	 action;
	int			 at_a;		/* made at A (two-way) */
	int			 conflict;	/* both sides had changed */
	size_t			 done, total;	/* progress */
};

typedef int (*bc_sync_cb)(const struct bc_sync_step *, void *);

struct bc_sync_opts {
	int			 dry_run;	/* report, change nothing */
	int			 delete;	/* one-way: remove what A lacks */
	long long		 max_delete;	/* per store; < 0: use pct */
	int			 max_delete_pct;
	enum bc_prefer		 prefer;	/* two-way conflicts */
	bc_sync_cb		 cb;		/* each step, or NULL */
	void			*arg;
};

struct bc_sync_stats {
	size_t	created[2];	/* [0] at B, [1] at A */
	size_t	updated[2];
	size_t	deleted[2];
	size_t	conflicts;
	size_t	tombstones_purged;
};

/* Defaults: no dry run, no delete, 10 % max delete, prefer newer. */
void	bc_sync_opts_init(struct bc_sync_opts *);

/*
 * Makes B's synchronized objects equal A's, in one transaction on B:
 * creates and updates, and with opts->delete removes objects A lacks.
 * Copies carry A's metadata, so a later two-way run sees one change.
 * Refused with BC_ERULE, nothing changed, when it would delete more than
 * the max-delete limit.
 */
int	bc_sync_oneway(bc_store *a, bc_store *b, const struct bc_sync_opts *,
	    struct bc_sync_stats *, struct bc_err *);
/*
 * Two-way: per object the newer change (HLC; a tie goes to the greater
 * site name) wins, deletions included.  When both sides changed an
 * object since their last two-way run, opts->prefer decides and the
 * conflict is recorded in both stores.  One transaction per store.
 * Afterwards both record the run and purge the tombstones both have.
 */
int	bc_sync_twoway(bc_store *a, bc_store *b, const struct bc_sync_opts *,
	    struct bc_sync_stats *, struct bc_err *);

/* The store's clock (last HLC issued or seen) and its last two-way run
 * with peer (0: never). */
int	bc_sync_position(bc_store *, const char *peer, long long *hlc,
	    long long *last_sync, struct bc_err *);
/* Raises the store's clock to at least hlc. */
int	bc_hlc_observe(bc_store *, long long hlc, struct bc_err *);
/* Milliseconds since the epoch of an HLC value. */
long long bc_hlc_millis(long long hlc);

/* ---- conflicts ------------------------------------------------------ */

struct bc_conflict {
	long long	 id;
	char		*kind;
	char		*key;
	char		*local_site;
	long long	 local_hlc;
	char		*local_doc;	/* NULL: deleted here */
	char		*peer_site;
	long long	 peer_hlc;
	char		*peer_doc;	/* NULL: deleted at the peer */
	char		*kept;		/* "local" or "peer" */
	long long	 detected_at;	/* unix seconds */
	long long	 resolved_at;	/* 0: open */
};

void	bc_conflict_clear(struct bc_conflict *);
typedef int (*bc_conflict_cb)(const struct bc_conflict *, void *);
int	bc_conflict_foreach(bc_store *, int open_only, bc_conflict_cb, void *,
	    struct bc_err *);
int	bc_conflict_get(bc_store *, long long id, struct bc_conflict *,
	    struct bc_err *);
/*
 * Closes a conflict.  Keeping the version that was not kept applies it
 * here as a new change, so that it wins at the next synchronization;
 * keeping the kept one gives it a new HLC for the same reason.
 */
int	bc_conflict_resolve(bc_store *, long long id, int keep_peer,
	    struct bc_err *);
int	bc_conflicts_open(bc_store *, long long *count, struct bc_err *);

#endif
