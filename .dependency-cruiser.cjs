/**
 * The architecture's rules, enforced (npm run deps):
 * the hexagon's inside (src/domain, src/ports) imports nothing from outside it, and only
 * src/adapters talks to SDKs or does I/O.
 */
const SDKS_AND_IO = [
  '^@aws-sdk/',
  '^@smithy/',
  '^@aws-lambda-powertools/(parameters|metrics)',
  '^(node:)?(fs|fs/promises|http|https|http2|net|tls|dgram|child_process|dns)$',
];

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain may import only src/domain and the port interfaces: no libraries, no Node built-ins, no ' +
        'adapters.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/(domain|ports)/' },
    },
    {
      name: 'ports-are-interfaces',
      comment: 'src/ports declares interfaces over domain types; it imports nothing else.',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { pathNot: '^src/(domain|ports)/' },
    },
    {
      name: 'only-adapters-do-io',
      comment: 'Only src/adapters imports an AWS SDK, Powertools Parameters/Metrics or a Node I/O module.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/adapters/' },
      to: { path: SDKS_AND_IO, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'config-checks-are-pure',
      comment: 'src/config validates the raw configuration at the edge: it imports only the domain (the types it ' +
        'returns) and itself.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { pathNot: '^src/(domain|config)/' },
    },
    {
      name: 'domain-does-not-know-adapters',
      comment: 'Nothing in the domain or ports reaches into adapters or handlers.',
      severity: 'error',
      from: { path: '^src/(domain|ports)/' },
      to: { path: '^src/(adapters|handlers)/' },
    },
    {
      name: 'redaction-is-a-leaf',
      comment: 'The one redaction module (src/adapters/redaction) serves every adapter and depends on none, nor on ' +
        'any library.',
      severity: 'error',
      from: { path: '^src/adapters/redaction/' },
      to: { pathNot: '^src/(adapters/redaction|domain)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles (a cycle of type-only imports is erased at compile time and allowed).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'local-tools-stay-local',
      comment:
        'local/ (fakes, stand-ins, the local state machine run) is for test/, scripts/ and bench/: nothing in src/ ' +
          'or infra/ (deployed) imports it.',
      severity: 'error',
      from: { path: '^(src|infra)/' },
      to: { path: '^local/' },
    },
    {
      name: 'tests-are-leaves',
      comment: 'Nothing imports test/ but test/ itself: what scripts/, bench/ or local/ need from it belongs in ' +
        'local/.',
      severity: 'error',
      from: { path: '^(src|infra|local|scripts|bench|bin)/' },
      to: { path: '^test/' },
    },
    {
      name: 'infra-does-not-run-scripts',
      comment: 'infra/ is deployed code: scripts/ and bench/ import it (bundling options live in ' +
        'infra/bundling.ts), never the reverse.',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(scripts|bench)/' },
    },
    {
      name: 'src-knows-no-infra',
      comment: 'The runtime code (src/) is what infra/ deploys: it never imports infra/, scripts/ or bench/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(infra|scripts|bench)/' },
    },
    {
      name: 'no-test-code-in-src',
      comment: 'Fakes and stand-ins live in test/ and are never bundled into a Lambda.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      mainFields: ['module', 'main', 'types'],
    },
    exclude: { path: '(^|/)node_modules/' },
  },
};
