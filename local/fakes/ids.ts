/** Deterministic, AWS-shaped ids for the fakes (tests compare them). */
let counter = 0;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function nextAccessKeyId(): string {
  counter++;
  let n = counter;
  let suffix = '';
  for (let i = 0; i < 16; i++) {
    suffix = ALPHABET[n % 32] + suffix;
    n = Math.floor(n / 32);
  }
  return `AKIA${suffix}`;
}

export function nextSecretAccessKey(): string {
  counter++;
  return `fake/secret+${counter.toString(36).padStart(8, '0')}${'x'.repeat(28)}`.slice(0, 40);
}

export function nextId(prefix: string): string {
  counter++;
  const hex = counter.toString(16).padStart(12, '0');
  return `${prefix}${'0'.repeat(Math.max(0, 8 - prefix.length))}-0000-4000-8000-${hex}`.slice(0, 36);
}
