/*
 * remote.h -- the peer's bcsync(8) as a store.  bcadm diff, sync and
 * reconcile accept http(s)://HOST:PORT wherever they take a store path:
 * the peer's snapshot is copied into a temporary store, the command runs
 * on the copy, and what a synchronization changed in the copy is pushed
 * back to the peer in one document, applied there in one transaction.
 * The token and TLS files are those of [peer] in bc.conf.
 */
#ifndef BCADM_REMOTE_H
#define BCADM_REMOTE_H

#include "cmd.h"

int	remote_is_url(const char *);
/* GET PATH from the peer into *body (NUL-terminated); *code the status. */
int	remote_get(struct cmd_ctx *, const char *url, const char *path,
	    char **body, size_t *len, long *code, struct bc_err *);
/* The peer's synchronized objects in a temporary store. */
int	remote_open(struct cmd_ctx *, const char *url, bc_store **,
	    struct bc_err *);
/*
 * Sends what changed in the copy since it was made to the peer, as a
 * document of site as_site (the peer's [peer]); its version wins there.
 * A no-op for a store that is not a copy.
 */
int	remote_push(struct cmd_ctx *, bc_store *, const char *as_site,
	    struct bc_err *);
/* Pushes the copies among a and b, each named after the other. */
int	remote_push_pair(struct cmd_ctx *, bc_store *a, bc_store *b,
	    struct bc_err *);
/* Closes any store; a copy's temporary file is removed. */
void	remote_close(struct cmd_ctx *, bc_store *);

#endif
