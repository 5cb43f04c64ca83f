/**
 * Secret canaries: a recognisable secret access key, Azure DevOps PAT and Slack webhook URL go
 * through every path, success and failure, through the runner and through the Lambda handlers,
 * with the real Azure DevOps adapter (over the stand-in), the real Secrets Manager adapter (over
 * its wire stand-in), the real Slack notifier, the real Powertools logger and metrics.
 *
 * Then everything that leaves the process or a step is scanned: every line written to stdout or
 * stderr (log lines, EMF metric lines), every console call, every step output, every thrown
 * error (message, stack, JSON, context and cause chain), the run summary, the runner's events,
 * the notify result, the Slack payloads, and the CLI's output. None may hold a canary, in any form.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../src/adapters/observability/logger.js';
import { runCli } from '../../src/cli/main.js';
import type { RotationMode } from '../../src/domain/model.js';
import type { TargetOutcome } from '../../src/domain/report.js';
import { DEFAULT_RETRY_POLICY, type RotationUseCases, RotationRunner, type RunEvent } from '../../src/domain/runner.js';
import {
  AccessKeyNotFoundError,
  AwsCallFailedError,
  AzureDevOpsRequestError,
  KeyVerificationFailedError,
} from '../../src/domain/errors.js';
import { type Canary, captureOutput, findLeaks, renderings } from './support/canary.js';
import { type CanaryWebhookOptions, startCanaryWebhook, unreachableWebhook } from './support/canary-webhook.js';
import { type Rig, startRig, TARGET } from './support/rig.js';

const CANARY_PAT = 'CANARYpat4k9x2m7q1w8e3r6t5y0u9i2o4p7a1s3d5f8g0h2j';
const CANARY_OLD_SECRET = 'CANARYold/SecretKey+q1w2e3r4t5y6u7i8o9p0z';
const CANARY_WEBHOOK_TOKEN = 'CANARYhook7Zp3Lq9Xw2Vb5Nm8Kj4Hg6';

/** The secret access keys the run handled: the seeded old one and every one IAM handed out. */
function canaries(rig: Rig, webhookUrl: string): Canary[] {
  return [
    { label: 'PAT', value: CANARY_PAT, window: 12 },
    { label: 'webhook URL', value: webhookUrl },
    { label: 'webhook token', value: CANARY_WEBHOOK_TOKEN, window: 12 },
    { label: 'old secret access key', value: CANARY_OLD_SECRET, window: 12 },
    ...rig.world.iam.issuedSecrets.map((value, i) => ({ label: `secret access key #${i}`, value })),
  ];
}

const failWith = {
  aws: () => new AwsCallFailedError('socket hang up (injected)'),
  ado: () => new AzureDevOpsRequestError('Azure DevOps answered 500 (injected)'),
  rejected: () => new KeyVerificationFailedError('the new key was rejected by STS (injected)'),
  gone: () => new AccessKeyNotFoundError('The Access Key cannot be found (injected)'),
};

interface Scenario {
  name: string;
  mode?: RotationMode;
  propagationMs?: number;
  slack?: CanaryWebhookOptions | 'unreachable';
  slackTimeoutMs?: number;
  arrange?: (rig: Rig) => void;
  outcomes: TargetOutcome[];
}

const scenarios: Scenario[] = [
  { name: 'a rotation that succeeds', outcomes: ['rotated'] },
  { name: 'an emergency rotation that succeeds', mode: 'emergency', outcomes: ['rotated'] },
  { name: 'a dry run', mode: 'dry-run', outcomes: ['planned'] },
  // A failure at each mutating step, before its side effect and after it (the answer lost).
  ...(['before', 'after'] as const).flatMap((phase): Scenario[] => [
    {
      name: `create failing ${phase} IAM CreateAccessKey`,
      arrange: (r) => r.world.faults.fail('iam.createKey', failWith.aws, { phase }),
      outcomes: ['rolled-back'],
    },
    {
      name: `create failing ${phase} storing the pending secret`,
      arrange: (r) => r.world.faults.fail('secrets.putPending', failWith.aws, { phase }),
      outcomes: ['rolled-back'],
    },
    {
      name: `publish failing ${phase} the PUT`,
      arrange: (r) => r.world.faults.fail('ado.updateCredential', failWith.ado, { phase }),
      outcomes: ['rolled-back'],
    },
    {
      name: `promote failing ${phase} moving AWSCURRENT`,
      arrange: (r) => r.world.faults.fail('secrets.promote', failWith.aws, { phase }),
      outcomes: ['rolled-back'],
    },
    {
      name: `revoke failing ${phase} deactivating the old key`,
      arrange: (r) => r.world.faults.fail('iam.setKeyStatus', failWith.aws, { phase }),
      outcomes: ['rotated'],
    },
  ]),
  {
    name: 'verify-key with a key STS rejects',
    arrange: (r) => r.world.faults.fail('verifier.verify', failWith.rejected, { times: 10 }),
    outcomes: ['rolled-back'],
  },
  { name: 'verify-key with a key that never propagates', propagationMs: 60 * 60_000, outcomes: ['rolled-back'] },
  {
    name: 'verify-publish failing to read the connection back',
    arrange: (r) => r.world.faults.fail('ado.readConnection', failWith.ado),
    outcomes: ['rolled-back'],
  },
  {
    name: 'an emergency revoke failing to delete the old key',
    mode: 'emergency',
    arrange: (r) => r.world.faults.fail('iam.deleteKey', failWith.gone),
    outcomes: ['rotated'],
  },
  {
    name: 'the PUT answered 500 by Azure DevOps until the retries run out',
    arrange: (r) => r.ado.failNext('PUT', { status: 500, times: 50 }),
    outcomes: ['rolled-back'],
  },
  {
    // A hostile answer: it quotes back the request it got (the PAT and the new secret in the PUT's body).
    name: 'the PUT answered 400 with a body that echoes the request',
    arrange: (r) => {
      r.world.faults.afterEach = (call) => {
        if (call !== 'secrets.putPending') return;
        const sent = r.world.iam.issuedSecrets.at(-1);
        r.ado.failNext('PUT', {
          status: 400,
          body: { message: `you sent ${CANARY_PAT} and ${sent}`, typeKey: `Echo${sent}` },
        });
      };
    },
    outcomes: ['rolled-back'],
  },
  {
    name: 'the restoring PUT of a rollback answered 400 with a body that echoes the old key',
    arrange: (r) => {
      r.world.faults.fail('ado.updateCredential', failWith.ado, { phase: 'after' });
      let puts = 0;
      r.world.faults.afterEach = (call) => {
        if (call === 'ado.updateCredential' && ++puts === 1) {
          r.ado.failNext('PUT', {
            status: 400,
            times: 5,
            body: { message: `you sent ${CANARY_PAT} and ${CANARY_OLD_SECRET}` },
          });
        }
      };
    },
    outcomes: ['failed'],
  },
  {
    name: 'a rollback that fails too (publish answer lost, then the restore fails)',
    arrange: (r) => {
      r.world.faults.fail('ado.updateCredential', failWith.ado, { phase: 'after' });
      r.world.faults.fail('ado.updateCredential', failWith.ado, { phase: 'before', skip: 1, times: 10 });
    },
    outcomes: ['failed'],
  },
  // The PAT.
  {
    name: 'the PAT rejected from the start (203 sign-in page)',
    arrange: (r) => r.ado.setPat('the-pat-azure-devops-accepts-now-0000000000000'),
    outcomes: ['refused'],
  },
  {
    name: 'the PAT revoked in the middle of the run',
    arrange: (r) => {
      r.world.faults.afterEach = (call) => {
        if (call === 'secrets.putPending') r.ado.setPat('the-pat-azure-devops-accepts-now-0000000000000');
      };
    },
    outcomes: ['failed', 'rolled-back'],
  },
  {
    name: 'the PAT lacking scope (401)',
    arrange: (r) => r.ado.failNext('GET', { status: 401, body: { message: `denied for ${CANARY_PAT}` } }),
    outcomes: ['refused'],
  },
  // Slack.
  { name: 'Slack answering 404 no_service', slack: { status: 404, body: 'no_service' }, outcomes: ['rotated'] },
  {
    name: 'Slack answering 500 with a page that echoes the URL',
    slack: { status: 500, body: `<html>error at /services/T0CANARY0/B0CANARY0/${CANARY_WEBHOOK_TOKEN}</html>` },
    outcomes: ['rotated'],
  },
  {
    name: 'Slack answering 400 with text that echoes the token',
    slack: { status: 400, body: `invalid_token ${CANARY_WEBHOOK_TOKEN}` },
    outcomes: ['rotated'],
  },
  {
    name: 'Slack redirecting to a URL that carries the token',
    slack: { status: 302, headers: { location: `https://example.invalid/?hook=${CANARY_WEBHOOK_TOKEN}` } },
    outcomes: ['rotated'],
  },
  { name: 'Slack unreachable', slack: 'unreachable', outcomes: ['rotated'] },
  { name: 'Slack too slow to answer', slack: { delayMs: 2_000 }, slackTimeoutMs: 100, outcomes: ['rotated'] },
];

/** Records every error a use case throws, then rethrows it. */
function recordingErrors(steps: RotationUseCases, errors: unknown[]): RotationUseCases {
  const wrap = <T extends { execute(input: never): Promise<unknown> }>(step: T): T =>
    ({
      execute: async (input: never) => {
        try {
          return await step.execute(input);
        } catch (error) {
          errors.push(error);
          throw error;
        }
      },
    }) as T;
  return Object.fromEntries(
    Object.entries(steps).map(([name, step]) => [name, wrap(step)]),
  ) as unknown as RotationUseCases;
}

describe('Secret canaries', () => {
  let capture: ReturnType<typeof captureOutput>;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(() => {
    logger.setLogLevel('DEBUG');
    capture = captureOutput();
  });
  afterEach(async () => {
    capture.restore();
    logger.setLogLevel('INFO');
    for (const close of closers.splice(0)) await close();
  });

  async function arrange(scenario: Scenario) {
    const sink =
      scenario.slack === 'unreachable'
        ? undefined
        : await startCanaryWebhook(CANARY_WEBHOOK_TOKEN, scenario.slack ?? {});
    if (sink) closers.push(sink.close);
    const webhookUrl = sink?.url ?? (await unreachableWebhook(CANARY_WEBHOOK_TOKEN));
    const rig = await startRig({
      pat: CANARY_PAT,
      oldSecretAccessKey: CANARY_OLD_SECRET,
      secrets: 'wire',
      adoFaults: true,
      realMetrics: true,
      slackWebhookUrl: webhookUrl,
      ...(scenario.slackTimeoutMs === undefined ? {} : { slackTimeoutMs: scenario.slackTimeoutMs }),
      ...(scenario.propagationMs === undefined ? {} : { propagationMs: scenario.propagationMs }),
    });
    closers.push(rig.close);
    scenario.arrange?.(rig);
    return { rig, sink, webhookUrl };
  }

  describe.each([
    ['the runner', 'runner'],
    ['the Lambda handlers', 'handlers'],
  ] as const)('through %s', (_label, via) => {
    for (const scenario of scenarios) {
      it(`leaks no secret access key, PAT or webhook URL with ${scenario.name}`, async () => {
        // Arrange
        const { rig, sink, webhookUrl } = await arrange(scenario);
        const outputs: unknown[] = [];
        const errors: unknown[] = [];
        const events: RunEvent[] = [];
        const steps = recordingErrors(via === 'runner' ? rig.useCases() : rig.handlerUseCases(outputs), errors);
        const runner = new RotationRunner(steps, rig.world.clock, DEFAULT_RETRY_POLICY);

        // Act
        const result = await runner.run({
          mode: scenario.mode ?? 'rotate',
          targetNames: [TARGET.name],
          newRotationId: () => rig.world.newRotationId(),
          onEvent: (event) => events.push(event),
        });
        capture.restore();

        // Assert: the run went where the scenario says, and the canaries really were used.
        const report = result.summary.targets[0];
        expect(scenario.outcomes).toContain(report?.outcome);
        expect(rig.ado.requests.length).toBeGreaterThan(0);
        if (report?.outcome === 'rotated') {
          const held = rig.ado.connection(rig.connectionId)?.secretAccessKey;
          expect(rig.world.iam.issuedSecrets).toContain(held);
          expect(held).not.toBe(CANARY_OLD_SECRET);
        }
        if (sink) expect(sink.bodies).toHaveLength(1);
        // The capture works: the EMF metric lines are there (and, from the handlers, their log lines).
        expect(capture.lines.some((line) => line.includes('"_aws"'))).toBe(true);
        if (via === 'handlers') expect(capture.lines.some((line) => line.includes('"level":"INFO"'))).toBe(true);

        // Assert: no canary anywhere.
        const surfaces = [
          ...capture.lines.map((text, i) => ({ name: `output line ${i}`, text })),
          ...outputs.flatMap((output, i) => renderings(output).map((text) => ({ name: `step output ${i}`, text }))),
          ...errors.flatMap((error, i) => renderings(error).map((text) => ({ name: `thrown error ${i}`, text }))),
          ...events.map((event, i) => ({ name: `runner event ${i}`, text: JSON.stringify(event) })),
          { name: 'run summary', text: JSON.stringify(result.summary) },
          { name: 'notify result', text: JSON.stringify(result.notification) },
          ...(sink?.bodies ?? []).map((text, i) => ({ name: `Slack payload ${i}`, text })),
        ];
        expect(findLeaks(surfaces, canaries(rig, webhookUrl))).toEqual([]);
      });
    }
  });

  describe('through the CLI', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rotator-canary-'));
    // The CLI reads target names from the file; the rig's configuration (the stand-in's URL) is bound over it.
    const configFile = path.join(dir, 'rotation.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        targets: [
          {
            name: TARGET.name,
            iamUserName: TARGET.iamUserName,
            secretId: TARGET.secretId,
            connection: {
              organizationUrl: 'https://dev.azure.com/contoso',
              project: 'payments',
              connectionName: TARGET.connectionName,
              credentialParameter: '/rotator/azure-devops/pat',
            },
          },
        ],
        resourcePrefixes: { secrets: 'rotator/', parameters: '/rotator/' },
      }),
    );

    it.each([
      { name: 'a rotation that succeeds', argv: ['rotate'], scenario: { name: 'ok', outcomes: ['rotated'] } },
      { name: 'a JSON rotation report', argv: ['--json', 'rotate'], scenario: { name: 'ok', outcomes: ['rotated'] } },
      {
        name: 'the PAT rejected',
        argv: ['rotate'],
        scenario: scenarios.find((s) => s.name.startsWith('the PAT rejected')),
      },
      {
        name: 'a publish failure',
        argv: ['rotate'],
        scenario: scenarios.find((s) => s.name === 'publish failing after the PUT'),
      },
      { name: 'a status of a rotated target', argv: ['status'], scenario: { name: 'ok', outcomes: ['rotated'] } },
    ] as Array<{ name: string; argv: string[]; scenario: Scenario }>)(
      'prints no secret with $name',
      async ({ argv, scenario }) => {
        // Arrange
        const { rig, webhookUrl } = await arrange(scenario);
        const printed: string[] = [];

        // Act
        const code = await runCli(['--config', configFile, ...argv], {
          stdout: (t) => printed.push(t),
          stderr: (t) => printed.push(t),
          overrides: rig.overrides,
        });
        capture.restore();

        // Assert
        expect(code).toBeLessThan(3);
        expect(printed.join('')).toContain(TARGET.name);
        const surfaces = [...printed, ...capture.lines].map((text, i) => ({ name: `CLI output ${i}`, text }));
        expect(findLeaks(surfaces, canaries(rig, webhookUrl))).toEqual([]);
      },
    );
  });

  describe('the scan itself', () => {
    it('finds a canary in every form it can take on the way out', () => {
      const canary: Canary = { label: 'PAT', value: CANARY_PAT, window: 12 };
      const leaking = [
        CANARY_PAT,
        `Basic ${Buffer.from(`:${CANARY_PAT}`).toString('base64')}`,
        encodeURIComponent(`x/${CANARY_OLD_SECRET}`),
        `truncated: ${CANARY_PAT.slice(20, 34)}…`,
      ];

      const found = leaking.map(
        (text) =>
          findLeaks([{ name: 'line', text }], [canary, { label: 'old', value: CANARY_OLD_SECRET, window: 12 }]).length,
      );

      expect(found.every((n) => n > 0)).toBe(true);
      expect(findLeaks([{ name: 'line', text: 'nothing secret here, AKIAEXAMPLE0000001' }], [canary])).toEqual([]);
    });

    it('catches a canary written to a log line, an error cause or a step output', async () => {
      capture.restore();
      const local = captureOutput();
      logger.info('oops', { leaked: CANARY_PAT });
      const error = new Error('outer', { cause: new Error(`inner ${CANARY_OLD_SECRET}`) });
      local.restore();

      const surfaces = [
        ...local.lines.map((text) => ({ name: 'log', text })),
        ...renderings(error).map((text) => ({ name: 'error', text })),
        ...renderings({ state: { note: CANARY_WEBHOOK_TOKEN } }).map((text) => ({ name: 'output', text })),
      ];
      const leaks = findLeaks(surfaces, [
        { label: 'PAT', value: CANARY_PAT },
        { label: 'old', value: CANARY_OLD_SECRET },
        { label: 'hook', value: CANARY_WEBHOOK_TOKEN },
      ]);

      expect(new Set(leaks.map((l) => l.surface))).toEqual(new Set(['log', 'error', 'output']));
    });
  });
});
