// Over 300 lines: the demo's one program (options, the local world, the run, what it prints); its parts with
// logic of their own are in demo-support.ts, demo-holders.ts, demo-federation.ts and demo-env.ts.
/**
 * `npm run demo`: a complete weekly rotation on this machine, no cloud account needed.
 *
 * - the CDK-synthesized state machine, executed by aws-local-stepfunctions;
 * - its tasks run by the real Lambda handlers (Middy, validation, the composition root);
 * - AWS (IAM, STS, Secrets Manager, SSM) as the in-memory fakes, with a new key's propagation delay;
 * - Azure DevOps as the local HTTP stand-in, spoken to by the real Azure DevOps adapter;
 * - Slack as a local webhook sink, posted to by the real Slack notifier.
 *
 * Options: --fail-at <step>, --targets N, --holders, --json, --verbose, --federated (no Azure DevOps secret:
 *          scripts/demo-federation.ts), --ado-url URL --project P --connection NAME [--yes] (PAT in
 *          AZURE_DEVOPS_EXT_PAT).
 */
import './demo-env.js';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { synthesizeLocally } from '../local/local-run.js';
import { runStateMachineLocally } from '../local/local-run.js';
import { deployedObjects } from '../infra/run-data.js';
import { AZURE_DEVOPS_CLIENT_OPTIONS } from '../src/adapters/azure-devops/service-connection.adapter.js';
import { ROTATION_CONFIG } from '../src/adapters/config/config-targets.adapter.js';
import { createContainer } from '../src/composition-root.js';
import type { RotationConfig } from '../src/domain/config.js';
import type { AzureDevOpsPort } from '../src/ports/azure-devops.port.js';
import type { PipelineRunsPort } from '../src/ports/pipeline-runs.port.js';
import type { VariableGroupsPort } from '../src/ports/variable-groups.port.js';
import { TOKENS } from '../src/ports/tokens.js';
import { ALL_WIRING } from '../src/wiring/index.js';
import { type AdoStandIn, startAdoStandIn } from '../local/ado-stand-in/index.js';
import { withFaults } from '../local/fakes/faults.js';
import { FakeWorld } from '../local/fakes/world.js';
import { localTaskHandlers, worldOverrides } from '../local/local-handlers.js';
import { renderSlackMessageAsText, startSlackSink } from '../local/slack-sink.js';
import { type DemoFederation, startDemoFederation } from './demo-federation.js';
import { addDemoHolders, demoHolderLines, seedDemoHolders } from './demo-holders.js';
import { reportsOf } from '../local/local-state-machine.js';
import {
  DEMO_FAILURES,
  type DemoFailure,
  demoTargetNames,
  printTimeline,
  type TargetFinalState,
} from './demo-support.js';

const USAGE = `usage: npm run demo -- [--fail-at <step>] [--targets N] [--holders] [--json] [--verbose] [--federated]
       npm run demo -- --ado-url URL --project P --connection NAME [--yes]   (PAT in AZURE_DEVOPS_EXT_PAT)
steps for --fail-at: ${Object.keys(DEMO_FAILURES).join(', ')}`;

const PAT_PARAMETER = '/ado-key-rotator/azure-devops/pat';
const SLACK_PARAMETER = '/ado-key-rotator/slack/webhook-url';
const LOCAL_PAT = 'local-demo-pat-not-a-real-one-0000000000000000';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'fail-at': { type: 'string' },
      targets: { type: 'string', default: '2' },
      holders: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'ado-url': { type: 'string' },
      project: { type: 'string' },
      connection: { type: 'string' },
      yes: { type: 'boolean', default: false },
      federated: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const failAt = values['fail-at'] as DemoFailure | undefined;
  if (failAt && !(failAt in DEMO_FAILURES)) {
    console.error(`unknown step for --fail-at: ${failAt}\n${USAGE}`);
    return 2;
  }
  const count = Number(values.targets);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    console.error(`--targets takes a whole number from 1 to 1000, not ${values.targets}\n${USAGE}`);
    return 2;
  }
  const realAdo = values['ado-url']
    ? { url: values['ado-url'], project: values.project, connection: values.connection }
    : undefined;
  if (realAdo && values.federated) {
    console.error(
      `--federated runs against the local stand-ins only (a real one needs the AWS account and Entra set-up of ` +
        `the README)\n${USAGE}`,
    );
    return 2;
  }
  if (realAdo && (!realAdo.project || !realAdo.connection || !process.env.AZURE_DEVOPS_EXT_PAT)) {
    console.error(`--ado-url needs --project, --connection and the PAT in AZURE_DEVOPS_EXT_PAT\n${USAGE}`);
    return 2;
  }
  const result = await runDemo({
    ...(failAt ? { failAt } : {}),
    targets: count,
    ...(realAdo
      ? {
          realAdo: {
            url: realAdo.url,
            project: realAdo.project as string,
            connection: realAdo.connection as string,
            pat: process.env.AZURE_DEVOPS_EXT_PAT as string,
          },
        }
      : {}),
    publishToRealAdo: values.yes === true,
    federated: values.federated === true,
    holders: values.holders === true,
    out: values.json ? () => undefined : (text: string) => process.stdout.write(text),
  });
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify(
        { status: result.status, expectedOutcome: result.expected, ok: result.ok, targets: result.targets },
        null,
        2,
      )}\n`,
    );
  }
  return result.ok ? 0 : 1;
}

export interface DemoOptions {
  failAt?: DemoFailure;
  targets: number;
  /** Run one target's Azure DevOps half against a real organization (AWS stays in memory). */
  realAdo?: { url: string; project: string; connection: string; pat: string };
  /** With realAdo: actually publish (otherwise a dry run). */
  publishToRealAdo?: boolean;
  /** The federated Azure DevOps credential: no secret in the configuration or in SSM. */
  federated?: boolean;
  /** The first target's key is also held by a second connection and a variable group (issue 13). */
  holders?: boolean;
  out: (text: string) => void;
}

export interface DemoResult {
  status: 'SUCCEEDED' | 'FAILED';
  expected: string;
  ok: boolean;
  targets: Array<TargetFinalState & { outcome: string | null }>;
  slackMessages: unknown[];
  /** The in-memory world, for tests that look deeper. */
  world: FakeWorld;
}

/** Runs the demo and returns what happened; printing goes through `out`. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { failAt, out } = options;
  const count = options.targets;
  const realAdo = options.realAdo;

  // The world: AWS in memory, Azure DevOps over HTTP, Slack as a sink.
  // The fake clock starts at the real time: the state machine stamps executions with it.
  const world = new FakeWorld({ targets: 0, propagationMs: 4_000, start: new Date() });
  const slack = await startSlackSink();
  const federation: DemoFederation | undefined = options.federated && !realAdo ? startDemoFederation() : undefined;
  const ado: AdoStandIn | undefined = realAdo
    ? undefined
    : await startAdoStandIn({
        pat: LOCAL_PAT,
        organizations: ['contoso'],
        ...(federation ? { federation: federation.federation } : {}),
        // The canary's runs (--holders) succeed only with a key IAM accepts now.
        keyCheck: (id, secret) => typeof world.iam.authenticates(id, secret) === 'object',
      });
  // Federated: no Azure DevOps secret at all, not even the fakes' default PAT parameter.
  for (const name of world.parameters.names()) world.parameters.delete(name);
  if (!federation) world.parameters.set(PAT_PARAMETER, realAdo ? realAdo.pat : LOCAL_PAT);
  world.parameters.set(SLACK_PARAMETER, slack.url);

  try {
    const names = realAdo ? ['real-connection'] : demoTargetNames(count);
    const config: RotationConfig = {
      targets: names.map((name) => ({
        name,
        iamUserName: `ado-${name}`,
        secretId: `ado-key-rotator/${name}`,
        connection: {
          organizationUrl: realAdo ? realAdo.url.replace(/\/+$/, '') : (ado as AdoStandIn).organizationUrl('contoso'),
          project: realAdo?.project ?? 'payments',
          connectionName: realAdo?.connection ?? `aws-${name}`,
          ...(federation
            ? { federatedCredential: federation.federatedCredential }
            : { credentialParameter: PAT_PARAMETER }),
        },
      })),
      settings: world.targets.settings,
      schedule: { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' },
      slackWebhookParameter: SLACK_PARAMETER,
      maxConcurrency: 5,
      // The stand-in and the Slack sink listen on http://127.0.0.1: a local run, opted in.
      allowLoopbackHttp: true,
    };

    if (options.holders && !realAdo) addDemoHolders(config.targets[0]);

    // The real Azure DevOps adapters, wrapped so --fail-at can inject a failure into them.
    const clientOptions: Array<[symbol, unknown]> =
      federation && ado ? [[AZURE_DEVOPS_CLIENT_OPTIONS, { entraAuthorityUrl: ado.url }]] : [];
    const realContainer = createContainer(
      ALL_WIRING,
      worldOverrides(
        world,
        [[ROTATION_CONFIG, config], ...clientOptions],
        [TOKENS.AzureDevOps, TOKENS.VariableGroups, TOKENS.PipelineRuns],
      ),
    );
    const realAdapter = realContainer.get<AzureDevOpsPort>(TOKENS.AzureDevOps);
    const azureDevOps = withFaults(realAdapter, 'ado', world.faults);
    const variableGroups = withFaults(
      realContainer.get<VariableGroupsPort>(TOKENS.VariableGroups),
      'groups',
      world.faults,
    );
    // The canary (--holders): the real pipeline-runs adapter over the stand-in.
    const pipelineRuns = realContainer.get<PipelineRunsPort>(TOKENS.PipelineRuns);

    // Seed each target: an IAM user with one week-old active key, the secret holding it, the connection holding it.
    const connectionIds = new Map<string, string>();
    for (const target of config.targets) {
      world.targets.add(target);
      if (realAdo) {
        const found = await realAdapter.findConnection(target.connection);
        if (!found.heldAccessKeyId) throw new Error(`connection "${found.name}" holds no access key id to start from`);
        const key = world.iam.seedKey(target.iamUserName, {
          accessKeyId: found.heldAccessKeyId,
          createdAt: new Date(world.clock.now().getTime() - 8 * 86_400_000),
        });
        world.secrets.seed(target.secretId, { ...key, iamUserName: target.iamUserName });
        connectionIds.set(target.name, found.id);
        continue;
      }
      const key = world.iam.seedKey(target.iamUserName, {
        createdAt: new Date(world.clock.now().getTime() - 8 * 86_400_000),
      });
      world.secrets.seed(target.secretId, { ...key, iamUserName: target.iamUserName });
      const id = (ado as AdoStandIn).seedConnection(
        {
          organizationUrl: target.connection.organizationUrl,
          project: target.connection.project,
          connectionName: target.connection.connectionName,
        },
        {
          accessKeyId: key.accessKeyId,
          secretAccessKey: key.secretAccessKey,
          projects: ['payments', 'shared-services'],
        },
      );
      connectionIds.set(target.name, id);
      if (ado) seedDemoHolders(ado, target, key, id);
    }
    if (failAt) DEMO_FAILURES[failAt].inject(world, config.targets);

    const mode = realAdo && !options.publishToRealAdo ? 'dry-run' : 'rotate';
    out(`\nado-key-rotator demo: ${mode} of ${names.length} target(s)${failAt ? `, failing at ${failAt}` : ''}\n`);
    out(
      `  AWS: in-memory fakes (new keys take 4 s to propagate) · Azure DevOps: ` +
        `${realAdo ? realAdo.url : `local stand-in at ${ado?.url}`} · Slack: local sink\n`,
    );
    if (federation) {
      out(
        `  Azure DevOps credential: federated (Entra app ${federation.federatedCredential.clientId}, tenant ` +
          `${federation.federatedCredential.tenantId}):\n`,
      );
      out(
        '    a token from STS GetWebIdentityToken (STS wire stub, real SDK), exchanged at the stand-in Entra ' +
          'endpoint; no PAT, no client secret\n',
      );
    }
    if (realAdo && !options.publishToRealAdo)
      out(
        '  (a real organization: dry run only; add --yes to publish a sandbox key into that connection — use a ' +
          'throwaway connection)\n',
      );
    out('\nsynthesizing the state machine (CDK) ...\n');
    const { definition } = synthesizeLocally(config);
    const handlers = localTaskHandlers(world, {
      secondsBetweenTasks: 2,
      overrides: [
        [ROTATION_CONFIG, config],
        [TOKENS.AzureDevOps, azureDevOps],
        [TOKENS.VariableGroups, variableGroups],
        [TOKENS.PipelineRuns, pipelineRuns],
      ],
      keepReal: [TOKENS.Notifier],
    });

    out(
      '\ntimeline (state machine events as they happen, wall clock; the AWS fakes run on a simulated clock ' +
        'that moves\n',
    );
    out(
      "2 s per task or retry, in place of Step Functions' waits: durations the rotator reports are on that clock):\n",
    );
    const timeline = printTimeline(out);
    const run = await runStateMachineLocally({
      definition,
      handlers,
      input: { mode },
      onEvent: timeline,
      // The run-data bucket: the target list the deployment writes, the results the Distributed Map writes.
      s3: world.runData,
      deployedObjects: deployedObjects(config),
    });

    // Final state, as the systems hold it.
    const finalStates: TargetFinalState[] = [];
    for (const target of config.targets) {
      const id = connectionIds.get(target.name) as string;
      const connection = realAdo ? await realAdapter.readConnection(target.connection, id) : undefined;
      finalStates.push({
        target: target.name,
        connectionId: id,
        connectionHolds: realAdo
          ? (connection?.heldAccessKeyId ?? null)
          : ((ado as AdoStandIn).connection(id)?.accessKeyId ?? null),
        secretCurrentKeyId: world.secrets.keyIdAt(target.secretId, 'AWSCURRENT'),
        iamKeys: world.iam.keys(target.iamUserName).map((k) => ({ accessKeyId: k.accessKeyId, status: k.status })),
      });
    }
    const reports = (await reportsOf(world, run)).map((r) => ({
      target: r.targetName,
      outcome: r.outcome,
      summary: r.summary,
    }));
    const expected = failAt ? DEMO_FAILURES[failAt].expected : mode === 'dry-run' ? 'planned' : 'rotated';
    const ok =
      run.status === 'SUCCEEDED' && reports.length === names.length && reports.every((r) => r.outcome === expected);

    const byTarget = new Map(reports.map((r) => [r.target, r]));
    const targets = finalStates.map((state) => ({ ...state, outcome: byTarget.get(state.target)?.outcome ?? null }));
    const result: DemoResult = { status: run.status, expected, ok, targets, slackMessages: [...slack.messages], world };

    out(`\nexecution ${run.status}${run.error ? ` (${run.error}: ${run.cause})` : ''}\n`);
    // The virtual clock (local/virtual-clock.ts): what the same run would take on AWS, waits and retries included.
    out(
      `on AWS this run would take about ${(run.virtualMs.expected / 1000).toFixed(1)} s (modelled task times, ` +
        `retry intervals and waits); locally it took ${(run.localMs / 1000).toFixed(1)} s\n\nfinal state:\n`,
    );
    for (const s of finalStates) {
      const outcome = reports.find((r) => r.target === s.target);
      out(`  ${s.target}: ${outcome?.outcome ?? 'no report'} — ${outcome?.summary ?? ''}\n`);
      out(
        `    connection ${s.connectionId} holds ${s.connectionHolds}; secret AWSCURRENT holds ` +
          `${s.secretCurrentKeyId}\n`,
      );
      out(`    IAM keys: ${s.iamKeys.map((k) => `${k.accessKeyId} (${k.status})`).join(', ')}\n`);
      const target = config.targets.find((t) => t.name === s.target);
      if (ado && target) for (const line of demoHolderLines(ado, target)) out(`    ${line}\n`);
    }
    if (federation) {
      out('\nno Azure DevOps secret anywhere:\n');
      out(`  the configuration's connection: ${JSON.stringify(config.targets[0]?.connection)}\n`);
      out(`  SSM parameters that exist: ${world.parameters.names().join(', ')} (the Slack webhook only)\n`);
      for (const line of federation.summary()) out(`  ${line}\n`);
    }
    const message = slack.messages[0];
    out(
      `\nSlack message (${slack.messages.length} posted to the local webhook; its durations are on the ` +
        `simulated clock):\n`,
    );
    out(message ? `${renderSlackMessageAsText(message).replace(/^/gm, '  │ ')}\n` : '  (none)\n');
    out(
      ok
        ? `\n✔ demo finished: every target ${expected}\n`
        : `\n✖ demo did not end as expected (every target ${expected})\n`,
    );
    return result;
  } finally {
    await slack.close();
    await ado?.close();
    federation?.close();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain)
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`✖ ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      process.exitCode = 1;
    },
  );
