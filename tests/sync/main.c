/*
 * main.c -- the CUnit runner of the synchronization tests.
 *
 *	run-sync [SUITE [TEST]]
 *
 * Runs every suite (or the one named, or one test of it) in verbose mode,
 * prints the failures and CUnit's run summary, and exits 1 when any
 * assertion, test or suite set-up failed, 0 otherwise.  Suites: sync-meta,
 * sync-diff, sync-oneway, sync-twoway, sync-conflicts, sync-feed.
 */
#include "unit.h"
#include "sync-test.h"

static int (*const suites[])(void) = {
	suite_sync_meta,
	suite_sync_diff,
	suite_sync_oneway,
	suite_sync_twoway,
	suite_sync_conflicts,
	suite_sync_feed,
};

int
main(int argc, char *argv[])
{
	return unit_main("run-sync", suites, sizeof(suites) / sizeof(suites[0]),
	    argc, argv);
}
