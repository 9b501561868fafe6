/*
 * line.h -- the console's line editor.  Only line.c includes readline;
 * the rest of bcadm sees these few calls.
 */
#ifndef BCADM_LINE_H
#define BCADM_LINE_H

/*
 * Completion callback: line is the text up to the cursor, word the word
 * being completed.  Returns a NULL-terminated array of candidates
 * (allocated, each allocated), or NULL for none; line.c frees it.
 */
typedef char **(*line_complete_fn)(void *arg, const char *line,
    const char *word);

/* Starts the editor; history_path may be NULL (no history kept). */
void	 line_open(const char *history_path, int history_max,
	    line_complete_fn, void *arg);
/*
 * Reads one line with prompt.  Returns it (the caller frees it), or NULL
 * at end of input.  Ctrl-C clears the line being typed and prompts again.
 */
char	*line_read(const char *prompt);
void	 line_history_add(const char *);
/* Saves the history. */
void	 line_close(void);

#endif
