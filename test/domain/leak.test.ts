import { describe, expect, it } from 'vitest';
import { InvalidStepInputError } from '../../src/domain/errors.js';
import { LEAKED_KEY_NOT_HELD, leakedKeysHeld, parseLeak, summarizeLeak } from '../../src/domain/leak.js';
import { parseRotationState } from '../../src/domain/rotation-state.js';
import { buildUseCases } from '../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../local/fakes/world.js';

const ROTATION_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const LEAK = { accessKeyIds: ['AKIAEXAMPLEEXAMPLE01'], detectedAt: '2026-11-29T23:00:00Z', eventArn: null };

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStepInputError);
    return (error as Error).message;
  }
  throw new Error('expected InvalidStepInputError');
}

describe('Function: parseLeak', () => {
  it('takes null or absent as "not a leak run", a single id as a list, and drops duplicates', () => {
    expect(parseLeak(undefined)).toBeNull();
    expect(parseLeak(null)).toBeNull();
    expect(parseLeak({})).toBeNull();
    expect(parseLeak({ ...LEAK, accessKeyIds: 'AKIAEXAMPLEEXAMPLE01' })?.accessKeyIds).toEqual([
      'AKIAEXAMPLEEXAMPLE01',
    ]);
    expect(
      parseLeak({ ...LEAK, accessKeyIds: ['AKIAEXAMPLEEXAMPLE01', 'AKIAEXAMPLEEXAMPLE01'] })?.accessKeyIds,
    ).toEqual(['AKIAEXAMPLEEXAMPLE01']);
  });

  it.each([
    ['a list', [], 'leak.(root)'],
    ['no key ids', { ...LEAK, accessKeyIds: [] }, 'leak.accessKeyIds'],
    ['a malformed key id', { ...LEAK, accessKeyIds: ['akia-1'] }, 'leak.accessKeyIds'],
    [
      'a malformed key id after a good one',
      { ...LEAK, accessKeyIds: [...LEAK.accessKeyIds, 'x'] },
      'leak.accessKeyIds',
    ],
    ['no time', { ...LEAK, detectedAt: 'yesterday' }, 'leak.detectedAt'],
    ['an ARN that is not AWS Health', { ...LEAK, eventArn: 'arn:aws:iam::123456789012:user/x' }, 'leak.eventArn'],
  ])('refuses %s, naming the field', (_what, input, field) => {
    expect(messageOf(() => parseLeak(input))).toContain(`"${field}"`);
  });

  it('keeps the time and the event ARN as given; an absent ARN is null', () => {
    // Prepare
    const eventArn = 'arn:aws:health:global::event/IAM/AWS_RISK_CREDENTIALS_EXPOSED/ABC';

    // Act
    const withArn = parseLeak({ ...LEAK, eventArn });
    const withoutArn = parseLeak({ accessKeyIds: LEAK.accessKeyIds, detectedAt: LEAK.detectedAt });

    // Assess
    expect(withArn).toEqual({ ...LEAK, eventArn });
    expect(withoutArn).toEqual(LEAK);
  });

  it.each([
    [
      'a plain string',
      'AKIAEXAMPLEEXAMPLE01',
      'leak.(root)',
      'must be { accessKeyIds, detectedAt, eventArn }, {} or null',
    ],
    [
      'key ids that are not a list',
      { ...LEAK, accessKeyIds: 7 },
      'leak.accessKeyIds',
      "is 7; it must list the leaked access key ids (the Health event's affected entities)",
    ],
    [
      'a key id that is a number, even of a key id’s shape',
      { ...LEAK, accessKeyIds: [1234567890123456] },
      'leak.accessKeyIds',
      "is [1234567890123456]; it must list the leaked access key ids (the Health event's affected entities)",
    ],
    [
      'a time that is a number',
      { ...LEAK, detectedAt: 2026 },
      'leak.detectedAt',
      "is 2026; it must be the Health event's ISO-8601 time",
    ],
    [
      'an event ARN in a list',
      { ...LEAK, eventArn: ['arn:aws:health:global::event/X'] },
      'leak.eventArn',
      'is ["arn:aws:health:global::event/X"]; it must be an AWS Health event ARN or null',
    ],
  ])('refuses %s, saying what it must be', (_what, input, field, words) => {
    expect(messageOf(() => parseLeak(input))).toBe(`Step input field "${field}" ${words}`);
    expect(() => parseLeak(input)).toThrow(expect.objectContaining({ context: { field } }));
  });

  it('refuses a leak in a state that is not in emergency mode', () => {
    const state = { rotationId: ROTATION_ID, targetName: 't', mode: 'rotate', startedAt: LEAK.detectedAt, leak: LEAK };
    expect(messageOf(() => parseRotationState(state))).toContain('a run for a leaked key must be in emergency mode');
    expect(parseRotationState({ ...state, mode: 'emergency' }).leak).toEqual(LEAK);
  });
});

describe('Function: leakedKeysHeld / summarizeLeak', () => {
  const key = (accessKeyId: string) => ({
    accessKeyId,
    status: 'Inactive' as const,
    createdAt: new Date(0),
    lastUsedAt: null,
  });
  const leak = {
    accessKeyIds: ['AKIAIAMUSERKEY000001', 'AKIACONNECTION000001', 'AKIASECRETPREV000001', 'AKIANOBODY0000000001'],
    detectedAt: LEAK.detectedAt,
    eventArn: null,
  };

  it("finds a leaked key among the user's keys, the connection's and the secret's versions", () => {
    const connection = {
      id: 'c',
      name: 'n',
      type: 'AWS',
      usesOidc: false,
      heldAccessKeyId: 'AKIACONNECTION000001',
      assumesRole: false,
      projectReferenceCount: 1,
    };
    const secret = {
      exists: true,
      current: null,
      pending: null,
      previous: { versionId: 'v', accessKeyId: 'AKIASECRETPREV000001', createdAt: new Date(0) },
    };
    expect(leakedKeysHeld(leak, [key('AKIAIAMUSERKEY000001')], connection, secret)).toEqual([
      'AKIAIAMUSERKEY000001',
      'AKIACONNECTION000001',
      'AKIASECRETPREV000001',
    ]);
    expect(leakedKeysHeld(leak, [], null, null)).toEqual([]);
    expect(leakedKeysHeld(leak, [], { ...connection, heldAccessKeyId: null }, null)).toEqual([]);
  });

  it("finds a leaked key in the secret's current and pending versions too", () => {
    // Prepare
    const version = (accessKeyId: string) => ({ versionId: accessKeyId, accessKeyId, createdAt: new Date(0) });
    const secret = {
      exists: true,
      current: version('AKIACONNECTION000001'),
      pending: version('AKIAIAMUSERKEY000001'),
      previous: null,
    };

    // Act
    const held = leakedKeysHeld(leak, [], null, secret);

    // Assess: in the notice's order.
    expect(held).toEqual(['AKIAIAMUSERKEY000001', 'AKIACONNECTION000001']);
  });

  it('lists the leaked keys no report says it held', () => {
    const summary = summarizeLeak(leak, [
      { leak: { held: ['AKIAIAMUSERKEY000001', 'AKIACONNECTION000001'], eventToLiveMs: 1 } },
      { leak: { held: ['AKIASECRETPREV000001'], eventToLiveMs: null } },
      {},
    ]);
    expect(summary).toEqual({ ...leak, unheld: ['AKIANOBODY0000000001'] });
  });
});

describe('Use case: PlanRotation in a leak run', () => {
  const stateFor = (world: FakeWorld, name: string, accessKeyIds: string[]) => ({
    rotationId: ROTATION_ID,
    targetName: name,
    mode: 'emergency' as const,
    startedAt: world.clock.now().toISOString(),
    completed: [],
    warnings: [],
    leak: { accessKeyIds, detectedAt: world.clock.now().toISOString(), eventArn: null },
  });

  it(
    `skips a target holding none of the leaked keys with ${LEAKED_KEY_NOT_HELD}, and rotates the one ` + `holding it`,
    async () => {
      // Prepare
      const world = new FakeWorld({ targets: 2, keyAgeDays: 1 });
      const leaked = world.snapshot('target-2').connectionKeyId as string;
      const { plan } = buildUseCases(world.ports);
      // Act
      const other = await plan.execute(stateFor(world, 'target-1', [leaked]));
      const holder = await plan.execute(stateFor(world, 'target-2', [leaked]));
      // Assess
      expect(other.plan).toMatchObject({ action: 'skip', code: LEAKED_KEY_NOT_HELD, cleanup: [] });
      expect(other.plan?.reason).toContain(`holds none of the leaked keys (${leaked})`);
      // A one-day-old key is rotated anyway: a leak is an emergency.
      expect(holder.plan).toMatchObject({ action: 'rotate', leakedKeyIds: [leaked] });
    },
  );
});
