// The child of the cold-start measurement (bench/cold-start.ts): a fresh Node process that does
// what Lambda's Node.js runtime does at a cold start — import the handler module, then invoke it
// once — and reports its own clock. Plain JavaScript on purpose: no TypeScript loader or preload
// may run in this process, or it would be part of what is measured.
//
//   node bench/cold-start-child.mjs <handler file URL> <event JSON> <function name>
import { writeSync } from 'node:fs';

// performance.now() counts from the process's time origin (set as Node starts), so this is
// Node's own start-up: the part of a cold start the runtime, not the function, is responsible for.
const startedMs = performance.now();
const [handlerUrl, eventJson, functionName] = process.argv.slice(2);

const { handler } = await import(handlerUrl);
const importedMs = performance.now();

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: 'bench-cold-start',
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};
let output;
let error;
try {
  output = await handler(JSON.parse(eventJson), context);
} catch (caught) {
  error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
}
const respondedMs = performance.now();

// Synchronous write: the process exits right after, and an asynchronous write to a pipe could be lost.
// CPU time (user + system) this process used up to its answer: unlike the wall clock, it hardly
// grows when other processes compete for the machine's cores.
const cpu = process.cpuUsage();
const report = {
  startedMs,
  importedMs,
  respondedMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  planAction: output?.plan?.action ?? null,
  error,
};
writeSync(1, `\n@@bench-cold-start ${JSON.stringify(report)}\n`);
// The SDK's keep-alive sockets would hold the process open; Lambda would freeze it instead.
process.exit(0);
