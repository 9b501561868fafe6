/*
 * rows.h -- rows held in C memory read by SQL: an eponymous
 * table-valued function, so that one statement
 *
 *	INSERT INTO t (...) SELECT c0, c1, ... FROM NAME(?1)
 *
 * writes a whole array, ?1 bound with sqlite3_bind_pointer(st, 1, rows,
 * NAME, NULL) (one INSERT per row costs about twice as much).  Used by
 * the XML import's new-store path (bc_import_rows) and by the copy of
 * change metadata (bc_copy_rows).  Internal to the library.
 */
#ifndef BC_ROWS_H
#define BC_ROWS_H

#include <stddef.h>

#include <sqlite3.h>

#define BC_ROWS_MAXCOL	16

struct bc_rows_type {
	const char	*name;		/* the table's, and the pointer's type */
	int		 ncol;		/* columns c0 ... c(ncol - 1) */
	/* how many rows the bound pointer holds */
	size_t		 (*count)(const void *rows);
	/* 1 when row i is left out; NULL: none is */
	int		 (*skip)(const void *rows, size_t i);
	/* the value of column col of row i */
	void		 (*column)(const void *rows, size_t i, int col,
			    sqlite3_context *);
};

/* Makes type (which must outlive the connection) a table of db. */
int	bc_rows_register(sqlite3 *db, const struct bc_rows_type *type);
/* A text result: NULL as SQL NULL, else s, which outlives the step. */
void	bc_rows_text(sqlite3_context *, const char *s);

#endif
