import type { ClockPort } from '../../src/ports/clock.port.js';

/** Virtual time: `sleep` advances the clock instead of waiting, so retries and backoff cost nothing in tests. */
export class FakeClock implements ClockPort {
  private current: number;
  /** Every sleep requested, in ms (tests assert the backoff). */
  readonly sleeps: number[] = [];

  constructor(start: Date = new Date('2026-11-29T03:00:00.000Z')) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.current += ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  advanceDays(days: number): void {
    this.current += days * 86_400_000;
  }
}
