/*
 * fuzz-import.c -- libFuzzer target for the XML import path of the
 * library (bc_xml_import_mem).  Built and run by run-fuzz.sh with
 * clang -fsanitize=fuzzer,address.
 *
 * One store with a few objects is created at start-up in a temporary
 * directory; every input is imported as a dry run (so the store stays
 * the same from one input to the next), with --replace when the input
 * has an odd length.  Any outcome but a crash, a leak or a sanitizer
 * report is fine: errors are the expected answer to most inputs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bc.h"
#include "bc-xml.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bc_store *store;
static char dir[256];

static const char seed[] =
    "<site xmlns=\"urn:sipbc:site:1\" format=\"1\">"
    "<logins><login code=\"1001\"/><login code=\"1002\"/></logins>"
    "<dns><dn type=\"extension\" number=\"5001\"/>"
    "<dn type=\"extension\" number=\"5002\"/>"
    "<dn type=\"acd-queue\" number=\"7001\"/></dns>"
    "<places><place name=\"P\"><dn type=\"extension\" number=\"5001\"/>"
    "</place><place name=\"Q\"/></places>"
    "<persons><person username=\"a\" agent=\"true\" place=\"P\">"
    "<login code=\"1001\" wrapup=\"5\"/></person></persons></site>";

static void
cleanup(void)
{
	char path[300];

	bc_store_close(store);
	snprintf(path, sizeof(path), "%s/fuzz.db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/fuzz.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/fuzz.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct bc_err err;
	const char *tmp = getenv("TMPDIR");
	char path[300];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/bcfuzz.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/fuzz.db", dir);
	if (bc_store_open(&store, path, BC_OPEN_CREATE, 1000, &err) != BC_OK ||
	    bc_site_init(store, "fuzz", NULL, &err) != BC_OK ||
	    bc_xml_import_mem(store, seed, sizeof(seed) - 1, "seed", 0, NULL,
	    NULL, NULL, &err) != BC_OK) {
		fprintf(stderr, "fuzz-import: %s\n", err.msg);
		abort();
	}
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bc_err err;
	unsigned flags = BC_XML_DRY_RUN;

	if (size & 1)
		flags |= BC_XML_REPLACE;
	bc_xml_import_mem(store, (const char *)data, size, "fuzz", flags,
	    NULL, NULL, NULL, &err);
	return 0;
}
