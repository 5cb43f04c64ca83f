/** Time, injectable so tests and the demo control it. */
export interface ClockPort {
  now(): Date;
  /** Waits `ms` (the runner's backoff between key verification tries). */
  sleep(ms: number): Promise<void>;
}
