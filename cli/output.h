/*
 * output.h -- how bcadm prints objects: text for people, JSON (jansson)
 * for scripts.  Commands turn an object into a json_t once; both formats
 * are rendered from it, so they cannot disagree.
 */
#ifndef BCADM_OUTPUT_H
#define BCADM_OUTPUT_H

#include <jansson.h>

#include "cmd.h"

/* A column of a text list: header and the JSON field it shows. */
struct out_col {
	const char	*header;
	const char	*key;
	int		 width;
};

/* A list printed one object at a time, so memory stays flat. */
struct out_list {
	struct cmd_ctx		*ctx;
	const struct out_col	*cols;	/* ends with a NULL header */
	size_t			 n;
	int			 started;	/* header written */
	FILE			*cell;	/* renders one cell for padding */
	char			*buf;
	size_t			 len;
};

/* json_string(s), or json_null() for NULL.  New reference. */
json_t	*out_str(const char *);
/* "********" when set, null when not: secrets never leave the store. */
json_t	*out_secret(const char *);
/* {section: {key: value}} */
json_t	*out_options(const struct bc_options *);

/* Prints one object; steals the reference.  Returns an exit status. */
int	 out_show(struct cmd_ctx *, json_t *);
void	 out_list_begin(struct out_list *, struct cmd_ctx *,
	    const struct out_col *);
/* Prints one list item; steals the reference.  0 or an exit status. */
int	 out_list_item(struct out_list *, json_t *);
/*
 * Ends the list and frees what it used; always call it.  ok: the list is
 * complete (an empty one still gets its header); otherwise nothing more
 * is written.  Returns 0 or EXIT_IOERR.
 */
int	 out_list_end(struct out_list *, int ok);

#endif
