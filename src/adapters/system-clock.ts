import { injectable } from 'inversify';
import type { ClockPort } from '../ports/clock.port.js';

/** The real clock. */
@injectable()
export class SystemClock implements ClockPort {
  now(): Date {
    return new Date();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
