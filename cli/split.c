/*
 * split.c -- shell-like word splitting for the console and scripts.
 */
#include <stdlib.h>
#include <string.h>

#include "split.h"

static int
push_word(struct split *sp, const char *w, size_t len)
{
	char **nv, *copy;

	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, w, len);
	copy[len] = '\0';
	if ((nv = realloc(sp->argv, (size_t)(sp->argc + 2) *
	    sizeof(*nv))) == NULL) {
		free(copy);
		return -1;
	}
	sp->argv = nv;
	nv[sp->argc++] = copy;
	nv[sp->argc] = NULL;
	return 0;
}

int
split_line(const char *line, int partial, struct split *sp, const char **why)
{
	const char *p = line;
	char *word;
	size_t len;
	char quote;
	int inword;

	memset(sp, 0, sizeof(*sp));
	if ((word = malloc(strlen(line) + 1)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		len = 0;
		inword = 1;
		quote = 0;
		while (inword && *p != '\0') {
			if (quote == '\'') {
				if (*p == '\'')
					quote = 0;
				else
					word[len++] = *p;
				p++;
			} else if (quote == '"') {
				if (*p == '"')
					quote = 0;
				else if (*p == '\\' && p[1] != '\0' &&
				    strchr("\"\\$`", p[1]) != NULL)
					word[len++] = *++p;
				else
					word[len++] = *p;
				p++;
			} else if (*p == ' ' || *p == '\t' || *p == '\r' ||
			    *p == '\n')
				inword = 0;
			else if (*p == '\'' || *p == '"')
				quote = *p++;
			else if (*p == '\\' && p[1] != '\0') {
				word[len++] = p[1];
				p += 2;
			} else
				word[len++] = *p++;
		}
		if (quote != 0) {
			if (!partial) {
				*why = quote == '"' ? "unterminated \"" :
				    "unterminated '";
				goto fail;
			}
			sp->quote = quote;
		}
		if (push_word(sp, word, len) == -1) {
			*why = "out of memory";
			goto fail;
		}
	}
	len = strlen(line);
	sp->trailing = sp->quote == 0 && (len == 0 ||
	    strchr(" \t", line[len - 1]) != NULL);
	free(word);
	if (sp->argv == NULL && push_word(sp, "", 0) == 0) {
		/* keep argv non-NULL: an empty line is zero words */
		free(sp->argv[0]);
		sp->argv[0] = NULL;
		sp->argc = 0;
	}
	return 0;
fail:
	free(word);
	split_free(sp);
	return -1;
}

void
split_free(struct split *sp)
{
	int i;

	for (i = 0; i < sp->argc; i++)
		free(sp->argv[i]);
	free(sp->argv);
	memset(sp, 0, sizeof(*sp));
}
