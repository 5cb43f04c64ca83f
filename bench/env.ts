/**
 * Imported first by bench/run.ts, before any module that reads these variables when it loads:
 *
 * - LOG_LEVEL: the handlers' Powertools logger reads it on import. The in-process measurements
 *   (the 1,000-target run, the warm step durations) would otherwise print thousands of JSON lines
 *   between the table's rows. The cold-start child processes get their own environment, with the
 *   deployed INFO level.
 * - NOCK_OFF: the AWS wire stubs import nock, and nock patches `http` and `fetch` on import. The
 *   bench serves the stubs over real loopback HTTP instead, and must time the real, unpatched
 *   clients. Under vitest the test setup has already loaded nock (and restricts the network to
 *   loopback); that is left as it is.
 */
process.env.LOG_LEVEL ??= 'SILENT';
if (!process.env.VITEST) process.env.NOCK_OFF ??= 'true';
