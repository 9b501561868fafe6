/*
 * main.c -- the CUnit runner of libbc's unit tests.
 *
 *	run-unit [SUITE [TEST]]
 *
 * Runs every suite (or the one named, or one test of it) in verbose mode,
 * prints the failures and CUnit's run summary, and exits 1 when any
 * assertion, test or suite set-up failed, 0 otherwise.  The migration
 * tests read the schema/NNN-*.sql files below $BC_SRCDIR.
 */
#include "unit.h"

static int (*const suites[])(void) = {
	suite_store,
	suite_migration,
	suite_dn,
	suite_place,
	suite_person,
	suite_login,
	suite_rules,
	suite_check,
	suite_conf,
	suite_options,
	suite_concurrency,
};

int
main(int argc, char *argv[])
{
	return unit_main("run-unit", suites, sizeof(suites) / sizeof(suites[0]),
	    argc, argv);
}
