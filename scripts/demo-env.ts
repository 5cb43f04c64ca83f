// Imported first by the demo: the handlers' logger reads LOG_LEVEL when its module loads, and the
// timeline is easier to read without their JSON lines (`--verbose` keeps them).
if (!process.argv.includes('--verbose')) process.env.LOG_LEVEL = 'SILENT';
