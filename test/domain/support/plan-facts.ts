/** The facts a plan decides from, built around one held key; tests change only what their rule is about. */
import {
  type AccessKeyInfo,
  type ConnectionState,
  DEFAULT_SETTINGS,
  type SecretState,
} from '../../../src/domain/model.js';
import type { PlanFacts } from '../../../src/domain/plan.js';

export const NOW = new Date('2026-11-29T03:00:00.000Z');
export const DAY = 86_400_000;
export const ago = (ms: number) => new Date(NOW.getTime() - ms);
export const daysAgo = (d: number) => ago(d * DAY);
export const HELD = 'AKIAHELD000000000001';
export const OTHER = 'AKIAOTHER00000000002';
export const THIRD = 'AKIATHIRD00000000003';
export const ROTATION_ID = '11111111-1111-4111-8111-111111111111';

export const key = (accessKeyId: string, ageDays: number, extra: Partial<AccessKeyInfo> = {}): AccessKeyInfo => ({
  accessKeyId,
  status: 'Active',
  createdAt: daysAgo(ageDays),
  lastUsedAt: daysAgo(0),
  ...extra,
});
export const connection = (extra: Partial<ConnectionState> = {}): ConnectionState => ({
  id: 'conn-1',
  name: 'aws-prod',
  type: 'AWS',
  usesOidc: false,
  heldAccessKeyId: HELD,
  assumesRole: false,
  projectReferenceCount: 1,
  ...extra,
});
export const secret = (extra: Partial<SecretState> = {}): SecretState => ({
  exists: true,
  current: { versionId: 'v-current', accessKeyId: HELD, createdAt: daysAgo(8) },
  pending: null,
  previous: null,
  ...extra,
});
export const facts = (extra: Partial<PlanFacts> = {}): PlanFacts => ({
  rotationId: ROTATION_ID,
  mode: 'rotate',
  now: NOW,
  settings: DEFAULT_SETTINGS,
  keys: [key(HELD, 8)],
  connection: connection(),
  secret: secret(),
  ...extra,
});
