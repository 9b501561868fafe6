/*
 * line.c -- readline behind a small interface: prompt, history, Tab
 * completion and Ctrl-C.
 *
 * Lines are read with readline's callback interface from our own select()
 * loop, so that SIGINT only sets a flag: the loop then throws the partial
 * line away and prompts again.  A command running when Ctrl-C comes is
 * never interrupted, so no transaction is left half done.
 */
#include <sys/select.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "line.h"

/* readline's callbacks carry no argument: the editor's state is here. */
static struct {
	char			*history;
	int			 history_max;
	line_complete_fn	 complete;
	void			*arg;
	char			**matches;
	size_t			 next;
	char			*line;		/* the line just read */
	int			 done;		/* a line (or EOF) arrived */
} ed;

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
free_matches(void)
{
	size_t i;

	if (ed.matches == NULL)
		return;
	for (i = 0; ed.matches[i] != NULL; i++)
		free(ed.matches[i]);
	free(ed.matches);
	ed.matches = NULL;
}

static char *
generator(const char *text, int state)
{
	char *upto;

	if (state == 0) {
		free_matches();
		ed.next = 0;
		if ((upto = strndup(rl_line_buffer, (size_t)rl_point)) == NULL)
			return NULL;
		ed.matches = ed.complete(ed.arg, upto, text);
		free(upto);
	}
	if (ed.matches == NULL || ed.matches[ed.next] == NULL)
		return NULL;
	return strdup(ed.matches[ed.next++]);
}

static char **
attempted(const char *text, int start, int end)
{
	(void)start;
	(void)end;
	rl_attempted_completion_over = 1;	/* never fall back to files */
	return rl_completion_matches(text, generator);
}

static void
got_line(char *line)
{
	ed.line = line;
	ed.done = 1;
	rl_callback_handler_remove();
}

void
line_open(const char *history_path, int history_max, line_complete_fn fn,
    void *arg)
{
	struct sigaction sa;

	memset(&ed, 0, sizeof(ed));
	ed.complete = fn;
	ed.arg = arg;
	ed.history_max = history_max;
	rl_readline_name = "bcadm";
	rl_catch_signals = 0;
	rl_attempted_completion_function = attempted;
	rl_completer_quote_characters = "'\"";
	using_history();
	stifle_history(history_max);
	if (history_path != NULL && (ed.history = strdup(history_path)))
		read_history(ed.history);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: select() must wake up */
	sigaction(SIGINT, &sa, NULL);
}

char *
line_read(const char *prompt)
{
	fd_set fds;
	int fd = fileno(rl_instream != NULL ? rl_instream : stdin);

	ed.done = 0;
	ed.line = NULL;
	interrupted = 0;
	rl_callback_handler_install(prompt, got_line);
	while (!ed.done) {
		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		if (select(fd + 1, &fds, NULL, NULL, NULL) == -1) {
			if (errno != EINTR)
				break;
			if (interrupted) {
				/* Ctrl-C: drop the line, prompt afresh */
				interrupted = 0;
				rl_free_line_state();
				rl_callback_sigcleanup();
				rl_replace_line("", 0);
				rl_crlf();
				rl_on_new_line();
				rl_redisplay();
			}
			continue;
		}
		rl_callback_read_char();
	}
	if (!ed.done)
		rl_callback_handler_remove();
	if (ed.line == NULL)
		fputc('\n', rl_outstream != NULL ? rl_outstream : stdout);
	return ed.line;
}

void
line_history_add(const char *line)
{
	HIST_ENTRY *last;

	if (*line == '\0')
		return;
	/* consecutive duplicates are kept once */
	last = history_get(history_base + history_length - 1);
	if (last != NULL && strcmp(last->line, line) == 0)
		return;
	add_history(line);
}

void
line_close(void)
{
	free_matches();
	if (ed.history != NULL) {
		write_history(ed.history);
		history_truncate_file(ed.history, ed.history_max);
		free(ed.history);
		ed.history = NULL;
	}
	clear_history();
	signal(SIGINT, SIG_DFL);
}
