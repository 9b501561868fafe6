/*
 * sync-cli.h -- what bcadm sync and bcadm reconcile share.
 */
#ifndef BCADM_SYNC_CLI_H
#define BCADM_SYNC_CLI_H

#include "bc-sync.h"
#include "output.h"

/* How a synchronization's steps are shown. */
struct sync_report {
	struct cmd_ctx	*ctx;
	const char	*what;		/* "sync", "reconcile" */
	const char	*name_a;	/* how A and B are called */
	const char	*name_b;
	int		 dry_run;	/* print the plan */
	int		 tty;		/* draw a progress bar */
	int		 last_pct;
	size_t		 pending;	/* dry run: steps planned */
	struct out_list	 list;		/* dry run, JSON */
};

void	sync_report_init(struct sync_report *, struct cmd_ctx *,
	    const char *what, const char *name_a, const char *name_b,
	    int dry_run);
/* bc_sync_cb: plan lines in a dry run, else the progress bar. */
int	sync_step(const struct bc_sync_step *, void *);
/* --max-delete N or P% into the options. */
int	sync_parse_max_delete(const char *, struct bc_sync_opts *,
	    struct bc_err *);
/* Changes made at one side ([0] B, [1] A). */
size_t	sync_changes(const struct bc_sync_stats *, int side);

#endif
