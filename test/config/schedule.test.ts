/**
 * The schedule section on its own (src/config/schedule.ts): what parseSchedule returns beside its problems, so a
 * caller that collects problems before throwing never holds a half-checked schedule.
 */
import { describe, expect, it } from 'vitest';
import { Problems } from '../../src/config/problems.js';
import { parseSchedule } from '../../src/config/schedule.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/config.js';

describe('Function: parseSchedule', () => {
  it.each([
    ['cron(0 3 * * *)', 'five fields'],
    ['cron(0 3 * * SUN *)', 'no "?"'],
    ['cron(0 3 ? * ? *)', 'two "?"'],
  ])('falls back to the default expression for %s (%s), with its problem', (expression) => {
    // Prepare
    const problems = new Problems();

    // Act
    const schedule = parseSchedule({ expression, timeZone: 'Europe/Berlin' }, problems, true);

    // Assess
    expect(schedule).toEqual({ expression: DEFAULT_SCHEDULE.expression, timeZone: 'Europe/Berlin' });
    expect(problems.list.map((p) => p.path)).toEqual(['schedule.expression']);
  });

  it('gives the whole default schedule for a section that is not an object', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const schedule = parseSchedule('weekly', problems, true);

    // Assess
    expect(schedule).toEqual(DEFAULT_SCHEDULE);
    expect(problems.list).toHaveLength(1);
  });

  it('checks only the spelling of a time zone when told not to look it up (the Lambdas)', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const spelled = parseSchedule({ timeZone: 'Mars/Olympus' }, problems, false);
    const looked = parseSchedule({ timeZone: 'Mars/Olympus' }, problems, true);

    // Assess
    expect(spelled.timeZone).toBe('Mars/Olympus');
    expect(looked.timeZone).toBe(DEFAULT_SCHEDULE.timeZone);
    expect(problems.list.map((p) => p.path)).toEqual(['schedule.timeZone']);
  });
});
