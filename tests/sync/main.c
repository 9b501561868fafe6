/*
 * main.c -- the CUnit runner of the synchronization tests.
 *
 *	run-sync [SUITE [TEST]]
 *
 * Runs every suite (or the one named, or one test of it) in verbose mode,
 * prints the failures and CUnit's run summary, and exits 1 when any
 * assertion, test or suite set-up failed, 0 otherwise.  Suites: sync-meta,
 * sync-diff, sync-oneway, sync-twoway, sync-conflicts.
 */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "unit.h"
#include "sync-test.h"

static int (*const suites[])(void) = {
	suite_sync_meta,
	suite_sync_diff,
	suite_sync_oneway,
	suite_sync_twoway,
	suite_sync_conflicts,
};

int
main(int argc, char *argv[])
{
	CU_pSuite suite = NULL;
	CU_pTest test = NULL;
	CU_pRunSummary sum;
	size_t i;
	int failed;

	if (argc > 3) {
		fprintf(stderr, "usage: run-sync [SUITE [TEST]]\n");
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "run-sync: %s\n", CU_get_error_msg());
		return 1;
	}
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i]() != 0) {
			fprintf(stderr, "run-sync: cannot register suites: "
			    "%s\n", CU_get_error_msg());
			CU_cleanup_registry();
			return 1;
		}
	if (argc > 1 && (suite = CU_get_suite(argv[1])) == NULL) {
		fprintf(stderr, "run-sync: no suite '%s'\n", argv[1]);
		CU_cleanup_registry();
		return 2;
	}
	if (argc > 2 && (test = CU_get_test(suite, argv[2])) == NULL) {
		fprintf(stderr, "run-sync: no test '%s' in suite '%s'\n",
		    argv[2], argv[1]);
		CU_cleanup_registry();
		return 2;
	}

	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (test != NULL)
		CU_basic_run_test(suite, test);
	else if (suite != NULL)
		CU_basic_run_suite(suite);
	else
		CU_basic_run_tests();

	sum = CU_get_run_summary();
	if (CU_get_number_of_failure_records() > 0) {
		printf("\nFailures:\n");
		CU_basic_show_failures(CU_get_failure_list());
		printf("\n");
	}
	/* CU_basic_run_*() printed CUnit's run summary already */
	failed = CU_get_number_of_failures() > 0 ||
	    CU_get_number_of_tests_failed() > 0 ||
	    CU_get_number_of_suites_failed() > 0 ||
	    sum->nSuitesFailed > 0 || CU_get_error() != CUE_SUCCESS;
	CU_cleanup_registry();
	fflush(stdout);
	return failed ? 1 : 0;
}
