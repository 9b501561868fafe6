/*
 * console.h -- bcadm's interactive console and script runner.  Both run
 * each line through cmd_run(): the same table, parser, output and errors
 * as the shell.
 */
#ifndef BCADM_CONSOLE_H
#define BCADM_CONSOLE_H

#include <stdio.h>

#include "cmd.h"

/* History kept in ~/.bcadm_history, at most this many lines. */
#define CONSOLE_HISTORY_MAX	1000

/* Runs the console on the terminal until exit or Ctrl-D; returns 0. */
int	console_interactive(struct cmd_ctx *);
/*
 * Runs the commands of a file (name is used in messages), stopping at
 * the first error with FILE:LINE; returns that command's exit status.
 * A transaction still open at the end is rolled back (status 65).
 */
int	console_script(struct cmd_ctx *, FILE *, const char *name);

#endif
