// esbuild alias target for `node:http` in the Lambda bundles (scripts/bundle-options.ts).
//
// An ES module import of `node:http` makes Node build its ESM facade, which reads every export,
// including the lazy `WebSocket`, `CloseEvent` and `MessageEvent` getters, which load all of undici
// (~15 ms at a cold start, for classes nothing here uses). The AWS SDK's HTTP handler imports
// `node:http` for plain-HTTP endpoints (local stand-ins, the benchmarks' wire stubs) and nodeFetch
// for plain-HTTP URLs: through this file they get it with `require`, which has no facade.
// biome-ignore lint/style/useNodejsImportProtocol: with the prefix, the alias would map this file to itself.
module.exports = require('http');
