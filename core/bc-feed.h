/*
 * bc-feed.h -- a site's change feed: what bcsync(8) serves to the peer
 * site and applies from it.
 *
 * Every write of a synchronized object's metadata takes the next feed
 * position (site.seq, schema/005-feed.sql), in the transaction of the
 * change, so positions follow commit order.  A feed document is a site
 * document of sipbc-site(5) whose objects carry their change metadata as
 * attributes of the namespace BC_FEED_NS (the schema's extension point):
 *
 *	<site xmlns="urn:sipbc:site:1" xmlns:c="urn:sipbc:change:1"
 *	    format="1" name="east" synchronized-only="true"
 *	    c:protocol="1" c:document="changes" c:after="41" c:seq="57">
 *	  <dns>
 *	    <dn type="extension" number="5001" register="true"
 *	        enabled="true" c:seq="57" c:hlc="..." c:origin="east"
 *	        c:hash="..."/>
 *	    <dn type="extension" number="5002" c:seq="44" c:hlc="..."
 *	        c:origin="east" c:deleted="true"/>
 *	  </dns>
 *	</site>
 *
 * A "changes" document holds the objects changed after c:after up to
 * c:seq; a "snapshot" every object and tombstone, as of c:seq.  Only the
 * fields both sites share are written (a DN's association and contact
 * stay at their site).
 */
#ifndef BC_FEED_H
#define BC_FEED_H

#include <stdio.h>

#include "bc.h"

#define BC_FEED_NS		"urn:sipbc:change:1"
#define BC_FEED_PROTOCOL	1

/* Where a store's feed stands, and its replication with one peer. */
struct bc_feed_state {
	char		*site;		/* this site's name */
	long long	 seq;		/* last position issued */
	long long	 floor;		/* positions up to it may be purged */
	long long	 hlc;		/* the site's clock */
	long long	 applied;	/* the peer's feed, applied up to */
	long long	 applied_at;	/* unix seconds, 0: never */
	long long	 acked;		/* ours, applied by the peer up to */
	long long	 acked_at;
	long long	 pending;	/* our changes the peer lacks */
	long long	 last_change;	/* HLC of our newest change, 0: none */
	long long	 conflicts;	/* open conflicts */
};

void	bc_feed_state_clear(struct bc_feed_state *);
/* peer may be NULL: the fields about it are then 0. */
int	bc_feed_state_get(bc_store *, const char *peer, struct bc_feed_state *,
	    struct bc_err *);
/* out->pending and out->last_change (out->site read) as if the peer had
 * acknowledged ours up to acked (out->acked = acked). */
int	bc_feed_pending(bc_store *, struct bc_feed_state *out, long long acked,
	    struct bc_err *);
/* Only how far this store applied peer's feed (cheap: one row). */
int	bc_feed_applied(bc_store *, const char *peer, long long *applied,
	    struct bc_err *);

/*
 * Writes a "changes" document to f: the objects whose position is above
 * after, in position order, at most limit of them (0: no limit), leaving
 * out those whose last change came from the site named exclude (the
 * peer reading them: its own changes are never sent back).  *last gets
 * the position the document covers (the peer's next after), *count the
 * number of objects.  BC_ENOENT when after is below the feed's floor:
 * the reader must start again from a snapshot.
 */
int	bc_feed_write_changes(bc_store *, FILE *f, long long after,
	    const char *exclude, size_t limit, long long *last, size_t *count,
	    struct bc_err *);
/* The same, naming the document after as_site (bcadm's pushes). */
int	bc_feed_write_changes_as(bc_store *, FILE *f, const char *as_site,
	    long long after, size_t limit, long long *last, size_t *count,
	    struct bc_err *);
/*
 * Writes a "snapshot" document: every object and tombstone.  With a
 * reader (the peer's site name, or NULL), c:acked says how far this
 * store had applied the reader's feed when the snapshot was taken.
 */
int	bc_feed_write_snapshot(bc_store *, FILE *f, const char *reader,
	    long long *seq, size_t *count, struct bc_err *);

/* Per-kind digests of the live objects, for "in sync?" in one exchange. */
#define BC_FEED_BUCKETS	16
struct bc_feed_digest {
	const char	*kind;
	long long	 count;
	char		 digest[17];			/* all objects */
	char		 bucket[BC_FEED_BUCKETS][17];	/* by key hash */
};
#define BC_FEED_KINDS	4
int	bc_feed_digest(bc_store *, struct bc_feed_digest[BC_FEED_KINDS],
	    long long *seq, struct bc_err *);

/* What bc_feed_apply() did. */
struct bc_feed_result {
	int		 snapshot;	/* the document was a snapshot */
	long long	 after;		/* its c:after (changes) */
	long long	 seq;		/* the position it covers */
	size_t		 objects;	/* objects in the document */
	size_t		 applied;	/* changes made here */
	size_t		 kept;		/* older than ours: not applied */
	size_t		 deleted;	/* snapshot: objects the peer lost */
	size_t		 conflicts;
	long long	 max_hlc;	/* newest change in the document */
};

/*
 * Applies a feed document read from the peer site (its name: peer) in
 * one transaction, with the rule of 'bcadm sync --two-way': per object
 * the newer change wins (HLC, then the site name); a change of ours the
 * peer had not seen when it made its own is a conflict, recorded.  The
 * peer's position is stored in the same transaction, so a document
 * applied twice changes nothing the second time.  A changes document
 * must start at or below the stored position (else BC_ERULE: a gap); a
 * snapshot also removes objects the peer no longer has.  A document
 * that is not well-formed, of another protocol version, from another
 * site, or with a bad object is refused whole (BC_EINVAL), nothing
 * applied.
 *
 * Flags: BC_FEED_FORCE makes the document's version win every object
 * (a push of 'bcadm sync', whose decisions are made already; no
 * conflicts recorded); BC_FEED_MIRROR applies a snapshot into a store
 * named after the document's own site (bcadm's local copy of a remote
 * site; peer is then that name); BC_FEED_PLAIN applies every object the
 * way a document of a few objects is applied, without the shortcuts
 * taken for large ones (change capture by the triggers alone, each
 * object's hash read back from the store), for tests that compare the
 * two: the stores they leave are the same.
 */
/*
 * What a feed document says of itself, read from its root element only
 * (nothing is checked beyond it): *snapshot whether it is a snapshot,
 * *after its c:after (0 for a snapshot), *seq its c:seq.  BC_EINVAL
 * when the root does not carry them.  A puller uses it to ask for the
 * next document while this one is applied.
 */
int	bc_feed_peek(const char *buf, size_t len, int *snapshot,
	    long long *after, long long *seq, struct bc_err *);

#define BC_FEED_FORCE	0x1
#define BC_FEED_MIRROR	0x2
#define BC_FEED_PLAIN	0x4
int	bc_feed_apply(bc_store *, const char *peer, const char *buf,
	    size_t len, unsigned flags, struct bc_feed_result *,
	    struct bc_err *);
/*
 * bc_feed_apply() in two steps, the first without the store: a puller
 * reads the next document on another thread while this one is applied.
 * bc_feed_read() refuses what bc_feed_apply() refuses before it opens
 * its transaction (a malformed document, another protocol or site);
 * bc_feed_apply_doc() applies a document read for the same peer, once
 * (it is spent then); bc_feed_doc_free() frees it, applied or not.
 */
typedef struct bc_feed_doc bc_feed_doc;
int	bc_feed_read(const char *peer, const char *buf, size_t len,
	    bc_feed_doc **, struct bc_err *);
int	bc_feed_apply_doc(bc_store *, const char *peer, bc_feed_doc *,
	    unsigned flags, struct bc_feed_result *, struct bc_err *);
void	bc_feed_doc_free(bc_feed_doc *);

/*
 * Records that the peer applied our feed up to acked (unless acked < 0),
 * then purges the tombstones it has (and, after retain seconds, those
 * it does not: the feed's floor rises and a peer below it needs a
 * snapshot; retain 0: at once, < 0: never).  One write transaction.  *purged (may be NULL) gets the
 * number removed.
 */
int	bc_feed_ack(bc_store *, const char *peer, long long acked,
	    long long retain, size_t *purged, struct bc_err *);

/*
 * Records changes written around the library (the sqlite3 shell) so
 * that they enter the feed; a no-op when there are none.
 */
int	bc_feed_catch_up(bc_store *, struct bc_err *);

#endif /* BC_FEED_H */
