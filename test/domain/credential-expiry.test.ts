import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_ALARM_DAYS,
  CREDENTIAL_WARNING_DAYS,
  credentialExpiry,
} from '../../src/domain/credential-expiry.js';
import { ReportTarget } from '../../src/domain/use-cases/report-target.js';
import { FakeWorld, PAT_PARAMETER } from '../../local/fakes/world.js';

const NOW = new Date('2027-03-01T03:00:00Z');
const withExpiry = (credentialExpiresOn?: string) => ({
  credentialParameter: '/ado-key-rotator/azure-devops/pat',
  ...(credentialExpiresOn ? { credentialExpiresOn } : {}),
});

describe('Function: credentialExpiry', () => {
  it('warns from 14 days before, the alarm at 7', () => {
    // Prepare, Act, Assess: the thresholds the README and the alarm name.
    expect([CREDENTIAL_WARNING_DAYS, CREDENTIAL_ALARM_DAYS]).toEqual([14, 7]);
  });

  const cases: Array<[string, number, RegExp | null]> = [
    ['2027-03-16', 15, null],
    ['2027-03-15', 14, /expires in 14 days \(2027-03-15\): renew it .* update credentialExpiresOn/],
    ['2027-03-02', 1, /expires tomorrow/],
    ['2027-03-01', 0, /expires today 2027-03-01: rotations of the connections it reaches are refused/],
    ['2027-02-26', -3, /expired on 2027-02-26: rotations of the connections it reaches are refused/],
  ];
  for (const [expiresOn, daysLeft, warning] of cases) {
    it(`counts ${daysLeft} days left to ${expiresOn}${warning ? ' and says what to do' : ' and stays quiet'}`, () => {
      // Act
      const expiry = credentialExpiry(withExpiry(expiresOn), NOW);

      // Assess
      expect(expiry?.daysLeft).toBe(daysLeft);
      if (warning) expect(expiry?.warning).toMatch(warning);
      else expect(expiry?.warning).toBeNull();
      if (warning) expect(expiry?.warning).toContain('/ado-key-rotator/azure-devops/pat');
    });
  }

  it('says in full what happens and what to do, before and after the day', () => {
    // Prepare
    const renew =
      'renew it (a new PAT or client secret), put it in /ado-key-rotator/azure-devops/pat and update ' +
      'credentialExpiresOn (or move to federatedCredential: no secret to renew)';

    // Act
    const warnings = ['2027-03-03', '2027-02-28'].map((day) => credentialExpiry(withExpiry(day), NOW)?.warning);

    // Assess
    expect(warnings).toEqual([
      `the Azure DevOps credential in /ado-key-rotator/azure-devops/pat expires in 2 days (2027-03-03): ${renew}`,
      'the Azure DevOps credential in /ado-key-rotator/azure-devops/pat expired on 2027-02-28: rotations of the ' +
        `connections it reaches are refused until you ${renew}`,
    ]);
  });

  it('counts from the start of the day, whatever the hour', () => {
    // Act
    const lateInTheDay = credentialExpiry(withExpiry('2027-03-02'), new Date('2027-03-01T23:59:59Z'));

    // Assess
    expect(lateInTheDay).toEqual({
      parameter: '/ado-key-rotator/azure-devops/pat',
      expiresOn: '2027-03-02',
      daysLeft: 1,
      warning: expect.stringContaining('expires tomorrow (2027-03-02)'),
    });
  });

  it.each([
    ['not a date', 'next week'],
    ['a day past the end of its month', '2027-02-29'],
    ['a 13th month', '2027-13-01'],
    ['day 0', '2027-03-00'],
    ['a two-digit year read as 19xx', '0099-03-01'],
  ])('knows nothing of an expiry that is %s (the configuration check refuses it)', (_label, expiresOn) => {
    // Act
    const expiry = credentialExpiry(withExpiry(expiresOn), NOW);

    // Assess
    expect(expiry).toBeNull();
  });

  it('knows nothing when no expiry is recorded, or for a federated credential (no secret, no expiry)', () => {
    // Act, Assess
    expect(credentialExpiry(withExpiry(), NOW)).toBeNull();
    expect(credentialExpiry({ credentialExpiresOn: '2027-03-02' }, NOW)).toBeNull();
  });
});

describe('Class: ReportTarget, with a recorded credential expiry', () => {
  it('puts the expiry on the report (for Slack and the CredentialExpiryDays metric)', async () => {
    // Prepare: the fake clock reads 2026-11-29.
    const world = new FakeWorld();
    world.targets.targets[0]!.connection.credentialExpiresOn = '2026-12-04';
    const state = {
      rotationId: '7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6',
      targetName: 'target-1',
      mode: 'rotate' as const,
      startedAt: world.clock.now().toISOString(),
      completed: [],
      warnings: [],
    };

    // Act
    const report = await new ReportTarget(world.targets, world.metrics, world.clock).execute(state);

    // Assess
    expect(report.credentialExpiry).toMatchObject({ parameter: PAT_PARAMETER, expiresOn: '2026-12-04', daysLeft: 5 });
    expect(report.credentialExpiry?.warning).toMatch(/expires in 5 days/);
  });

  it('puts none on the report when the configuration records no expiry', async () => {
    // Prepare
    const world = new FakeWorld();
    const state = {
      rotationId: '7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6',
      targetName: 'target-1',
      mode: 'rotate' as const,
      startedAt: world.clock.now().toISOString(),
      completed: [],
      warnings: [],
    };

    // Act
    const report = await new ReportTarget(world.targets, world.metrics, world.clock).execute(state);

    // Assess
    expect(report).not.toHaveProperty('credentialExpiry');
  });
});
