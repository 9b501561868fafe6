/*
 * feed-internal.h -- the element shapes of feed documents (feed-xml.c),
 * shared by the writer (feed.c) and the reader (feed-apply.c).
 */
#ifndef BC_FEED_INTERNAL_H
#define BC_FEED_INTERNAL_H

#include <stdio.h>

#include <libxml/tree.h>

#include "bc.h"
#include "xml-out.h"

/* Kinds in the order of a site document: logins, DNs, places, persons. */
extern const char *const bc_feed_kinds[];

/* One object's change metadata. */
struct bc_feed_meta {
	const char	*kind;
	const char	*key;
	long long	 hlc;
	const char	*origin;
	const char	*hash;		/* NULL for a tombstone */
	int		 deleted;
	long long	 seq;
};

struct bc_feed_writer {
	struct bc_xml_out	 o;
	int			 open;		/* begun, not ended */
	const char		*group;		/* the open group's kind */
	int			 empty;		/* nothing written in it */
};

/* acked: how far the writer applied the reader's feed (-1: left out). */
int	bc_feed_xml_begin(struct bc_feed_writer *, FILE *, const char *site,
	    const char *document, long long after, long long seq,
	    long long acked, struct bc_err *);
/* Opens the group of a kind (closing the previous one). */
int	bc_feed_xml_group(struct bc_feed_writer *, const char *kind,
	    struct bc_err *);
/*
 * One object, read from the store (inside the caller's read
 * transaction): its synchronized fields, or only its identity for a
 * tombstone; *written = 0 when the store holds no such object (marked
 * changed and not recorded yet: the next record of changes has it).
 */
int	bc_feed_xml_object(struct bc_feed_writer *, bc_store *,
	    const struct bc_feed_meta *, int *written, struct bc_err *);
/* Closes the document when rc is BC_OK, frees the writer; returns rc. */
int	bc_feed_xml_end(struct bc_feed_writer *, int rc, struct bc_err *);

/*
 * Reads one object element: its kind and key, metadata attributes, and
 * (unless a tombstone) its canonical document, parsed (json: what
 * json_loads() gives of the document's JSON text; its text is made when
 * asked for, bc_feed_obj_doc()).  BC_EINVAL with a message naming the
 * element's line.  bc_feed_obj_clear() frees it all.
 */
struct json_t;
struct bc_feed_obj {
	char		 kind[8];
	char		*key;
	long long	 hlc;
	long long	 seq;
	char		*origin;
	char		 hash[17];
	int		 deleted;
	char		*doc;		/* its JSON text, or NULL (see json) */
	struct json_t	*json;		/* parsed, or NULL */
};
int	bc_feed_xml_read(xmlNodePtr, struct bc_feed_obj *, struct bc_err *);
/* The document's JSON text (NULL for a tombstone; ENOMEM: err set). */
int	bc_feed_obj_doc(struct bc_feed_obj *, const char **doc,
	    struct bc_err *);
void	bc_feed_obj_clear(struct bc_feed_obj *);

#endif
