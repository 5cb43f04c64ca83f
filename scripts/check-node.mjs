// Fails loudly when a script runs on a Node older than the one the project is built for.
// `npm run` puts node_modules/.bin first on PATH, so the `node@22` devDependency is used;
// this guard catches a stale install, a missing `npm ci` or a direct `node` call on Node 20.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `\n✖ This project needs Node.js 22 or later, but ${process.execPath} is Node ${process.versions.node}.\n` +
      '  Run `npm ci` (it installs Node 22 as a devDependency) and run scripts through `npm run`.\n',
  );
  process.exit(1);
}
