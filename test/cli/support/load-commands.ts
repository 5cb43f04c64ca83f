/**
 * The CLI loads its commands lazily (so `--help` starts fast). A test file that imports this loads them when the
 * file is collected rather than inside its first test. It matters to mutation testing: Stryker treats code that
 * runs while modules load (module-level constants, the step catalog, patterns) as "static" and the configuration
 * ignores those mutants; a lazy load inside a test instead credited that one CLI test with every module-level
 * mutant of the domain, ran only it against them, and scored them as survivors.
 */
import '../../../src/cli/commands.js';
import '../../../src/cli/keyless-commands.js';
import '../../../src/cli/status.js';
