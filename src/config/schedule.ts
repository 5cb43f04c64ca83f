import { DEFAULT_SCHEDULE, type ScheduleConfig } from '../domain/config.js';
import { isObject, type Problems, show, typeOf, unknownFields } from './problems.js';

/** The schedule's rules: EventBridge Scheduler's cron and rate syntax, and IANA time zone names. */

const CRON = /^cron\((.+)\)$/;
const RATE = /^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/;
const IANA_ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
const SCHEDULE_FIELDS = ['expression', 'timeZone'];
const EXAMPLE = '"cron(0 3 ? * SUN *)"';

/** The fields of an EventBridge Scheduler cron: minutes hours day-of-month month day-of-week year. */
function checkCron(body: string, path: string, problems: Problems): boolean {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    problems.add(
      path,
      `is "cron(${body})" with ${fields.length} fields: EventBridge Scheduler takes 6 (minutes hours ` +
        `day-of-month month day-of-week year), e.g. ${EXAMPLE}`,
    );
    return false;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    problems.add(path, `is "cron(${body})": exactly one of day-of-month and day-of-week must be "?", e.g. ${EXAMPLE}`);
    return false;
  }
  return true;
}

function isTimeZone(zone: string, lookUp: boolean): boolean {
  if (!IANA_ZONE.test(zone)) return false;
  if (!lookUp) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  return true;
}

function parseExpression(raw: unknown, problems: Problems): string | undefined {
  if (typeof raw !== 'string') {
    problems.add('schedule.expression', `is ${typeOf(raw)}, not a string: e.g. ${EXAMPLE}`);
    return undefined;
  }
  const cron = CRON.exec(raw.trim());
  if (cron) return checkCron(cron[1] as string, 'schedule.expression', problems) ? raw.trim() : undefined;
  if (RATE.test(raw.trim())) return raw.trim();
  problems.add(
    'schedule.expression',
    `is ${show(raw)}: use an EventBridge Scheduler cron(...) or rate(...) expression, e.g. ${EXAMPLE} or ` +
      `"rate(7 days)"`,
  );
  return undefined;
}

/**
 * The `schedule` section, defaults applied. `lookUpTimeZone: false` checks the zone's spelling
 * only (the Lambdas: loading ICU's time-zone data costs about 25 ms of a cold start).
 */
export function parseSchedule(value: unknown, problems: Problems, lookUpTimeZone: boolean): ScheduleConfig {
  if (value === undefined) return { ...DEFAULT_SCHEDULE };
  if (!isObject(value)) {
    const fallback = `${DEFAULT_SCHEDULE.expression} ${DEFAULT_SCHEDULE.timeZone}`;
    problems.add(
      'schedule',
      `is ${typeOf(value)}, not an object: give { expression, timeZone } or leave it out for ${fallback}`,
    );
    return { ...DEFAULT_SCHEDULE };
  }
  unknownFields(value, SCHEDULE_FIELDS, 'schedule', problems);
  const expression = value.expression === undefined ? undefined : parseExpression(value.expression, problems);
  let timeZone = DEFAULT_SCHEDULE.timeZone;
  if (value.timeZone !== undefined) {
    if (typeof value.timeZone === 'string' && isTimeZone(value.timeZone, lookUpTimeZone)) timeZone = value.timeZone;
    else
      problems.add(
        'schedule.timeZone',
        `is ${show(value.timeZone)}, not an IANA time zone name: e.g. "Etc/UTC" or "Europe/Berlin"`,
      );
  }
  return { expression: expression ?? DEFAULT_SCHEDULE.expression, timeZone };
}
