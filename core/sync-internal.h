/*
 * sync-internal.h -- the parts of core/sync.c that the change feed
 * (core/feed.c) applies changes with, so that bcsync(8) and
 * 'bcadm sync --two-way' follow one set of rules.
 */
#ifndef BC_SYNC_INTERNAL_H
#define BC_SYNC_INTERNAL_H

#include <stddef.h>

#include "bc.h"

/*
 * Copied metadata: objects that now hold the winner's document get the
 * winner's metadata, collected in a temporary table (prepare: inside the
 * write transaction; add: one object; finish: write them all, raise the
 * clock past them, each with a new feed position).
 */
int	bc_sync_copy_prepare(bc_store *, struct bc_err *);
int	bc_sync_copy_add(bc_store *, const char *kind, const char *key,
	    long long hlc, const char *origin, const char *hash, int deleted,
	    struct bc_err *);
int	bc_sync_copy_finish(bc_store *, struct bc_err *);

/*
 * The order that keeps every rule true at each step of applying changes:
 * upserts of logins and DNs, places (first freeing what they claim),
 * persons; deletions the other way round.
 */
enum bc_sync_pass {
	PASS_UPSERT,	/* creates, updates, metadata alignments */
	PASS_RELEASE,	/* free what upserted places and persons claim */
	PASS_DELETE
};
struct bc_sync_phase {
	const char		*kind;
	enum bc_sync_pass	 pass;
};
extern const struct bc_sync_phase bc_sync_phases[];
extern const size_t bc_sync_nphases;

/* Runs one cached statement without results. */
int	bc_sync_exec(bc_store *, const char *sql, struct bc_err *);

/* The hash (bc_hash()) of the document of kind/key in this store into h,
 * "" when there is none; one statement, the document is not copied. */
int	bc_doc_hash(bc_store *, const char *kind, const char *key, char *h,
	    size_t hlen, struct bc_err *);

/* Frees what doc (the place's or person's key) claims, wherever else it
 * is now. */
int	bc_sync_release_refs(bc_store *, const char *kind, const char *key,
	    const char *doc, struct bc_err *);

/*
 * The same from the document already parsed (what json_loads() gives of
 * its text), for a caller that holds it so: bc_doc_apply() and
 * bc_sync_release_refs() parse the text and call these.  j NULL: a
 * deletion (bc_doc_apply_json() only).
 */
struct json_t;
int	bc_doc_apply_json(bc_store *, const char *kind, const char *key,
	    struct json_t *j, struct bc_err *);
/*
 * bc_doc_apply_json(), and into h (17 bytes) the hash of the document
 * the object holds after the upsert when it is known without reading it
 * back (see doc.c), else "" (also for a deletion).
 */
int	bc_doc_apply_json_hash(bc_store *, const char *kind, const char *key,
	    struct json_t *j, char *h, unsigned how, struct bc_err *);
/*
 * how: change capture is off (the connection's triggers, see
 * feed-apply.c): a place's upsert marks the DNs it takes or lets go, as
 * the DN update trigger would have.
 */
#define BC_DOC_MARK_DNS	0x1
int	bc_sync_release_refs_json(bc_store *, const char *kind,
	    const char *key, struct json_t *j, struct bc_err *);

/* Records a conflict in one store, from that store's point of view. */
int	bc_sync_conflict_add(bc_store *, const char *kind, const char *key,
	    const char *local_site, long long local_hlc, const char *local_doc,
	    const char *peer_site, long long peer_hlc, const char *peer_doc,
	    int local_kept, struct bc_err *);

#endif
