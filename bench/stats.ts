/**
 * The one statistics helper every measurement uses, so "median" and "p90" mean the same thing in
 * every row of the table: percentiles by linear interpolation between closest ranks (the method
 * of numpy's default and of most spreadsheets), on the samples as measured (no outlier removal:
 * a slow cold start is a real cold start).
 */
export interface Summary {
  n: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (rank - low);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: round(percentile(sorted, 50)),
    p10: round(percentile(sorted, 10)),
    p90: round(percentile(sorted, 90)),
    min: round(sorted[0] as number),
    max: round(sorted[sorted.length - 1] as number),
    mean: round(sorted.reduce((sum, x) => sum + x, 0) / sorted.length),
  };
}

/** Two decimals: the timers are not more precise than that, and results.json stays readable. */
export function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const ms = (value: number): string => `${value.toFixed(1)} ms`;
/** Dollars; fractions of a cent with three significant digits in plain notation ($0.000000374, not 3.74e-7). */
export const usd = (value: number): string => {
  if (value === 0 || value >= 0.01) return `$${value.toFixed(2)}`;
  return `$${value.toFixed(Math.min(20, 2 - Math.floor(Math.log10(value))))}`;
};
/** "median (p10–p90, min–max)", the spread in one cell. */
export const spread = (s: Summary, unit = 'ms'): string =>
  `${s.median.toFixed(1)} ${unit} (p10 ${s.p10.toFixed(1)}, p90 ${s.p90.toFixed(1)}, min ${s.min.toFixed(1)}, ` +
  `max ${s.max.toFixed(1)}; n=${s.n})`;
