/*
 * bcadm.c -- the sipbc administration CLI: global options, then one
 * command from the table in cmd.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: bcadm [-c CONFIG] [-s STORE] [--format text|json] "
	    "[-f FILE] [-h] [-V] [COMMAND ...]\n"
	    "       bcadm help    lists every command\n");
}

/* Flushes stdout: a full disk is an error, not silence. */
static int
done(int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		return cmd_errorx(EXIT_IOERR, "cannot write output: %s",
		    strerror(errno));
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'F' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd_ctx ctx;
	struct bc_err err;
	const char *script = NULL;
	FILE *in;
	int ch, rc;

	cmd_ctx_init(&ctx);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:s:f:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ctx.conf_path = optarg;
			break;
		case 's':
			ctx.store_opt = optarg;
			break;
		case 'f':
			script = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "text") == 0)
				ctx.format = FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				ctx.format = FORMAT_JSON;
			else
				return cmd_errorx(EXIT_USAGE, "unknown format "
				    "'%s': use text or json", optarg);
			break;
		case 'h':
			usage(stdout);
			return done(0);
		case 'V':
			printf("bcadm (sipbc) %s, schema %d\n", PACKAGE_VERSION,
			    bc_schema_latest());
			return done(0);
		default:
			if (optopt != 0 && strchr("csf", optopt) != NULL)
				return cmd_errorx(EXIT_USAGE, "option '-%c' "
				    "needs a value", optopt);
			return cmd_errorx(EXIT_USAGE, "unknown option '%s' "
			    "(see 'bcadm -h')", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 && script == NULL && !isatty(STDIN_FILENO))
		return cmd_errorx(EXIT_USAGE, "no command given (see 'bcadm "
		    "help')");
	if (script != NULL && argc > 0)
		return cmd_errorx(EXIT_USAGE, "-f runs the commands of a file: "
		    "give no command");
	/* the configuration applies (busy_timeout) even with -s */
	if (cmd_conf_load(&ctx, &err) != BC_OK) {
		cmd_ctx_clear(&ctx);
		return cmd_error(&err);
	}
	if (script != NULL) {
		if (strcmp(script, "-") == 0)
			rc = console_script(&ctx, stdin, "stdin");
		else if ((in = fopen(script, "r")) == NULL)
			rc = cmd_errorx(EXIT_NOINPUT, "cannot open script "
			    "'%s': %s", script, strerror(errno));
		else {
			rc = console_script(&ctx, in, script);
			fclose(in);
		}
		rc = done(rc);
	} else if (argc == 0) {
		/* no command on a terminal: the console */
		char *console[] = { "console", NULL };

		rc = cmd_run(&ctx, 1, console);
	} else
		rc = cmd_run(&ctx, argc, argv);
	cmd_ctx_clear(&ctx);
	return rc;
}
