/*
 * split.h -- splitting a console or script line into words, shell-like.
 */
#ifndef BCADM_SPLIT_H
#define BCADM_SPLIT_H

struct split {
	int	  argc;
	char	**argv;		/* NULL-terminated */
	char	  quote;	/* open quote at the end (partial only) */
	int	  trailing;	/* line ends between words */
};

/*
 * Splits line into words: blanks separate words; '...' is literal;
 * "..." keeps blanks and takes \" \\ \$ escapes; a backslash outside
 * quotes escapes the next character; '#' starting a word begins a
 * comment.  With partial (for completion) an unterminated quote is no
 * error: sp->quote tells which one is open.  Returns 0, or -1 with *why
 * set.  The caller frees the words with split_free().
 */
int	split_line(const char *line, int partial, struct split *sp,
	    const char **why);
void	split_free(struct split *);

#endif
