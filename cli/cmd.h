/*
 * cmd.h -- bcadm's command table and what commands share.
 *
 * Every command is a `const struct cmd_entry` in its cli/cmd-*.c file and
 * one row of cmd_table[] in cmd.c.  That table alone drives dispatch,
 * argument checking, usage and help; the man page test walks it too
 * (tests/man/check-man.sh via 'bcadm help').
 *
 * Adding a command: write its entry and exec function in cli/cmd-*.c,
 * add the row to cmd_table[] in cmd.c, list the file in Makefile.am,
 * document it in man/bcadm.8 and test it under tests/cli/.
 */
#ifndef BCADM_CMD_H
#define BCADM_CMD_H

#include <stdio.h>

#include "bc.h"

/* Exit statuses (sysexits(3)); see EXIT STATUS in bcadm(8). */
#define EXIT_DIFFER	1	/* differences or violations found */
#define EXIT_USAGE	64
#define EXIT_DATAERR	65
#define EXIT_NOINPUT	66
#define EXIT_SOFTWARE	70
#define EXIT_OSERR	71
#define EXIT_CANTCREAT	73
#define EXIT_IOERR	74
#define EXIT_TEMPFAIL	75
#define EXIT_CONFIG	78

/* What an option's value names, for checking and completion. */
enum cmd_value {
	VAL_NONE,	/* a flag: takes no value */
	VAL_TEXT,	/* free text */
	VAL_DN_TYPE,	/* one of the DN types */
	VAL_REGISTER,	/* true, false, on-demand */
	VAL_FORMAT,	/* text, json */
	VAL_DN,		/* a DN number (or TYPE:NUMBER) of the store */
	VAL_PLACE,	/* a place name of the store */
	VAL_PERSON,	/* a user name of the store */
	VAL_LOGIN,	/* an agent login code of the store */
	VAL_FILE,	/* a file name */
	VAL_COMMAND	/* a command's first word */
};

#define OPT_REQUIRED	0x1	/* must be given */
#define OPT_REPEAT	0x2	/* may be given more than once */
/*
 * A one-letter alias: "-o FILE" or "-oFILE" for "--output FILE"; usage
 * shows the short form.  Kept in the flags so that the option tables
 * need no extra initializer.
 */
#define OPT_SHORT(c)	((unsigned)(unsigned char)(c) << 8)
#define OPT_SHORT_OF(f)	((char)(((f) >> 8) & 0xff))

struct cmd_opt {
	const char	*name;		/* long name, without "--" */
	const char	*arg;		/* value's name in usage, NULL: flag */
	enum cmd_value	 value;
	unsigned	 flags;
};

#define CMD_STORE	0x1	/* opens the store before exec */
#define CMD_CONSOLE	0x2	/* only in the console or a script */

struct cmd_ctx;
struct cmd_args;

struct cmd_entry {
	const char		*name;		/* "dn add" */
	const char		*args;		/* positionals in usage */
	enum cmd_value		 argval;	/* what positionals name */
	int			 min_args;
	int			 max_args;	/* -1: no limit */
	const struct cmd_opt	*opts;		/* ends with a NULL name */
	unsigned		 flags;
	int			(*exec)(struct cmd_ctx *, struct cmd_args *);
	const char		*summary;
};

enum out_format { FORMAT_TEXT, FORMAT_JSON };

/* What a command runs with: configuration, store, output. */
struct cmd_ctx {
	const char	*conf_path;	/* -c, or NULL for the default */
	struct bc_conf	 conf;
	int		 conf_loaded;
	const char	*store_path;	/* resolved store path */
	const char	*store_opt;	/* -s */
	bc_store	*store;
	enum out_format	 format;
	int		 format_set;	/* --format given */
	FILE		*out;
	int		 console;	/* running the console or a script */
	int		 quit;		/* exit asked for */
	void		*remotes;	/* copies of remote sites (remote.c) */
};

/* Parsed arguments of one command. */
struct cmd_args {
	const struct cmd_entry	 *entry;
	int			  argc;		/* positionals */
	char			**argv;
	int			  nopts;	/* given options, in order */
	const struct cmd_opt	**opt;
	char			**val;		/* their values (NULL: flag) */
};

extern const struct cmd_entry *const cmd_table[];
/* Options every command takes (--format, --help). */
extern const struct cmd_opt cmd_common_opts[];

/*
 * Runs one command line (argv[0] is the command's first word) and
 * returns its exit status.  Errors are reported on stderr.
 */
int		 cmd_run(struct cmd_ctx *, int argc, char **argv);
/* Finds the entry for the leading words of argv; *used gets how many. */
const struct cmd_entry *cmd_find(int argc, char **argv, int *used,
		    char *why, size_t whylen);
void		 cmd_usage(FILE *, const struct cmd_entry *);
void		 cmd_ctx_init(struct cmd_ctx *);
/*
 * Loads the configuration once: -c, else the default file when it
 * exists (a missing default is no error).
 */
int		 cmd_conf_load(struct cmd_ctx *, struct bc_err *);
/* Opens another store than the site's (diff, sync), with its timeout. */
int		 cmd_open_store(struct cmd_ctx *, const char *path, bc_store **,
		    struct bc_err *);
/* A path from the configuration: relative ones are taken from its folder.
 * The caller frees it. */
char		*cmd_conf_relative(const struct cmd_ctx *, const char *path);
/* Resolves ctx->store_path: -s, else $BC_STORE, else [site] store. */
int		 cmd_store_path(struct cmd_ctx *, struct bc_err *);
void		 cmd_ctx_clear(struct cmd_ctx *);

/* Value of the last --name given, or NULL. */
const char	*args_get(const struct cmd_args *, const char *name);
int		 args_has(const struct cmd_args *, const char *name);

/*
 * Where errors come from, "FILE:LINE" in a script, or NULL: cmd_error()
 * and cmd_errorx() put it before the message.
 */
void		 cmd_set_where(const char *);
/* Reports a library error on stderr; returns the exit status for it. */
int		 cmd_error(const struct bc_err *);
/* Reports a message on stderr (printf-style); returns status. */
int		 cmd_errorx(int status, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
int		 cmd_exit_status(enum bc_status);

/*
 * Option helpers shared by the object commands: apply --option specs,
 * set an optional string field from an option (an empty value clears).
 */
int		 args_apply_options(const struct cmd_args *,
		    struct bc_options *, struct bc_err *);
int		 args_set_string(const struct cmd_args *, const char *name,
		    char **field, struct bc_err *);
/* --disabled / --enabled; returns the new enabled value. */
int		 args_enabled(const struct cmd_args *, int current);

#endif
