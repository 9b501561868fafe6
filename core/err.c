/*
 * err.c -- error values: status plus a one-line message.
 */
#include <stdarg.h>
#include <stdio.h>

#include "bc.h"

int
bc_err_set(struct bc_err *err, enum bc_status status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

const char *
bc_status_name(enum bc_status status)
{
	switch (status) {
	case BC_OK:		return "ok";
	case BC_EINVAL:		return "invalid value";
	case BC_ERULE:		return "rule violated";
	case BC_ENOENT:		return "no such object";
	case BC_EEXIST:		return "object exists";
	case BC_EAMBIG:		return "ambiguous";
	case BC_ENOSTORE:	return "store unreadable";
	case BC_ECREATE:	return "cannot create";
	case BC_EBUSY:		return "store busy";
	case BC_ECONFIG:	return "configuration error";
	case BC_EIO:		return "i/o error";
	case BC_ENOMEM:		return "out of memory";
	case BC_EINTERNAL:	return "internal error";
	}
	return "unknown status";
}
