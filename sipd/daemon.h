/*
 * daemon.h -- what the daemons (bcsipd, bcsync) share beside their log
 * (log.h): the command line, detaching, the pid file, the store path of
 * bc.conf and the clocks.
 */
#ifndef SIPBC_DAEMON_H
#define SIPBC_DAEMON_H

#include "bc.h"

/* [site] store, relative to the configuration file's folder (malloc'd;
 * NULL when there is none or memory ran out). */
char	*daemon_store_path(const struct bc_conf *, const char *conf_path);
/* Writes this process's id to path; logs and returns -1 on failure. */
int	 daemon_pidfile(const char *path);

/* The command line every daemon takes: [-dnv] [-c config] [-p pidfile]. */
struct daemon_opts {
	const char	*conf_path;	/* -c, else BC_CONF_DEFAULT */
	const char	*pidfile;	/* -p, else the default with -d */
	int		 detach;	/* -d */
	int		 check;		/* -n: check the configuration */
	int		 debug;		/* -v */
};
/* Parses it (usage on standard error and exit 64 when wrong) and starts
 * the log on standard error. */
void	 daemon_args(int argc, char *argv[], const char *default_pidfile,
	    struct daemon_opts *);
/* With -d detaches and logs to syslog; writes the pid file if any.
 * Returns 0, or the sysexits(3) status of the failure (logged). */
int	 daemon_start(const struct daemon_opts *);
/* Removes the pid file written by daemon_start(). */
void	 daemon_end(const struct daemon_opts *);

/* Milliseconds: of the wall clock (epoch), and of a monotonic clock. */
long long daemon_wall_ms(void);
long long daemon_mono_ms(void);

#endif
