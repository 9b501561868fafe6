/*
 * daemon.h -- what the daemons (bcsipd, bcsync) share beside their log
 * (log.h): the store path of bc.conf and the pid file.
 */
#ifndef SIPBC_DAEMON_H
#define SIPBC_DAEMON_H

#include "bc.h"

/* [site] store, relative to the configuration file's folder (malloc'd;
 * NULL when there is none or memory ran out). */
char	*daemon_store_path(const struct bc_conf *, const char *conf_path);
/* Writes this process's id to path; logs and returns -1 on failure. */
int	 daemon_pidfile(const char *path);

#endif
