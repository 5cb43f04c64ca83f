/**
 * A local HTTP stand-in of Azure DevOps' Service Endpoints REST API (api-version 7.1) and of the
 * Microsoft Entra ID token endpoint, for contract tests, the local demo and benchmarks.
 *
 * It listens on 127.0.0.1 on a random port, keeps connections in memory (keyed by organization
 * and project, shared across projects like the real service) and answers the way the real
 * service does, as far as the rotator cares:
 *
 * - bodies shaped like the spec's `ServiceEndpoint` and its HTTP examples; confidential
 *   parameters (`password`, `sessionToken`) come back as `null` on a read by id and are left out
 *   of a list, exactly like Azure DevOps, so a client cannot read a secret back;
 * - a read of an id the project cannot see answers 200 with a `null` body (Azure DevOps does not 404);
 * - a wrong or missing PAT gets `203` with an HTML sign-in page; an unknown bearer token gets 401;
 * - errors carry the VSS body `{ "$id", "innerException", "message", "typeName", "typeKey", "errorCode", "eventId" }`;
 * - a PUT replaces the whole endpoint: a parameter left out is gone, a `null` parameter or a
 *   missing `serviceEndpointProjectReferences` is refused with 400;
 * - optional rate limiting (429 + Retry-After), Azure DevOps' usage limit per identity (usage.ts: delays,
 *   blocks and the X-RateLimit-* headers), latency, and fault injection;
 * - variable groups (library.ts: secret variables `null` on read, kept by an update that sends
 *   them back as `null`) and pipeline runs (pipelines.ts: the result depends on whether the key
 *   the run's holder holds works), with the same authentication, throttling and faults.
 *
 * The file is over 300 lines because it is one HTTP server's routing and state; the newer
 * resources live in their own modules.
 *
 * API:
 *
 *   const ado = await startAdoStandIn({ pat: 'my-pat', organizations: ['fabrikam', 'tfs/DefaultCollection'] });
 *   ado.url                                  // http://127.0.0.1:PORT
 *   ado.organizationUrl('fabrikam')          // http://127.0.0.1:PORT/fabrikam
 *   const id = ado.seedConnection(
 *     { organizationUrl: ado.organizationUrl('fabrikam'), project: 'Web', connectionName: 'aws-prod' },
 *     { accessKeyId: 'AKIA...', secretAccessKey: '...', projects: ['Web', 'Api'], assumeRoleArn: 'arn:...' },
 *   );                                       // => the connection id (a GUID)
 *   ado.connection(id)                       // the stored connection, incl. secretAccessKey, for assertions
 *   ado.deleteConnection(id)                 // simulate someone deleting it
 *   ado.setPat('new-pat')                    // simulate an expired/rotated PAT
 *   ado.failNext('PUT', { status: 500, times: 3 })        // fault injection (method '*' for any)
 *   ado.throttleNext(2, 1)                   // next 2 API requests: 429 with Retry-After: 1
 *   ado.requests / ado.requestCount({ method: 'PUT' }) / ado.resetRequests()
 *   await ado.close()
 *
 * Recorded requests never hold a credential: the Authorization header is reduced to its scheme
 * and confidential parameters in recorded PUT bodies are replaced by "[REDACTED]" (the stored
 * secret is available through `connection(id)` for assertions).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EntraFederation } from '../federation/entra-federation.js';
import { type SeedVariableGroupInput, StandInLibrary, type StoredVariableGroup } from './library.js';
import { type KeyCheck, type SeedPipelineInput, StandInPipelines, type StoredRun } from './pipelines.js';
import { type OidcCheck, type OidcClaims, StandInOrganizations } from './organization.js';
import { RATE_LIMIT_RESOURCE, StandInUsage, type UsageModel } from './usage.js';
import { vssError } from './vss.js';

export interface AdoStandInOptions {
  /** The PAT accepted with Basic auth (any user name, as Azure DevOps does). */
  pat: string;
  /**
   * Organization or collection paths served under `url`, e.g. 'fabrikam' or 'tfs/DefaultCollection'. Seeding registers
   * more.
   */
  organizations?: string[];
  /** At most `limit` API requests per `windowMs`; beyond that 429 with Retry-After (seconds). */
  rateLimit?: { limit: number; windowMs: number };
  /**
   * Azure DevOps' global consumption limit per identity (usage.ts): TSTUs in a sliding window, requests
   * delayed (held, with X-RateLimit-Delay and Retry-After) over the limit, blocked (429) far over it, the
   * X-RateLimit-* headers from half the limit on.
   */
  usage?: UsageModel;
  /** The most variable groups one list answer holds before it pages (default 1,000). */
  variableGroupPageSize?: number;
  /** A Microsoft Entra service principal accepted at `{url}/{tenantId}/oauth2/v2.0/token`. */
  servicePrincipal?: { tenantId: string; clientId: string; clientSecret: string; tokenLifetimeSeconds?: number };
  /** Delay before every answer (benchmarks). */
  latencyMs?: number;
  /**
   * Workload identity federation: Entra's client-assertion flow at the same token endpoint, and the
   * organization's service principal members by client id. A member with `'no-permission'` gets 403
   * (AccessCheckException) on the service endpoints API; a token of a non-member gets 401 (TF400813).
   */
  federation?: { entra: EntraFederation; members: Map<string, 'administrator' | 'no-permission'> };
  /**
   * Whether a key works (the IAM fake, the STS wire stub): decides the result of a pipeline run. Required to seed a
   * pipeline.
   */
  keyCheck?: KeyCheck;
  /**
   * Whether a role accepts the OIDC token of a connection set to `useOIDC` (the IAM wire stub): decides a run's result
   * for such a connection.
   */
  oidcCheck?: OidcCheck;
}

export type { KeyCheck, PipelineUses, SeedPipelineInput, StoredRun } from './pipelines.js';
export type { OidcCheck, OidcClaims } from './organization.js';
export type { SeedVariable, SeedVariableGroupInput, StoredVariableGroup } from './library.js';
export type { UsageModel } from './usage.js';

export interface ConnectionLocation {
  /** `{url}/{organization}`: must point at this stand-in. */
  organizationUrl: string;
  project: string;
  connectionName: string;
}

export interface SeedConnectionInput {
  id?: string;
  /** Default 'AWS'. */
  type?: string;
  /** Stored as the toolkit does: `authorization.parameters.useOIDC = "true"`. Default false. */
  usesOidc?: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** Projects sharing the connection; the ref's project is always one of them (first, unless listed). */
  projects?: string[];
  sessionToken?: string;
  assumeRoleArn?: string;
  roleSessionName?: string;
  externalId?: string;
  description?: string;
  /** Default 'UsernamePassword'. */
  scheme?: string;
  /** More `authorization.parameters`. */
  extraParameters?: Record<string, string>;
  data?: Record<string, string>;
  /** Parameters hidden on read. Default ['password', 'sessionToken'] (the toolkit's confidential inputs). */
  confidentialParameters?: string[];
}

export interface StoredConnection {
  id: string;
  organization: string;
  name: string;
  type: string;
  url: string;
  description: string;
  scheme: string;
  /** As stored, secrets included. */
  parameters: Record<string, string>;
  data: Record<string, string>;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  sessionToken: string | null;
  usesOidc: boolean;
  /** Project names sharing the connection, in order. */
  projects: string[];
  isShared: boolean;
  /** Number of successful PUTs. */
  updates: number;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received (prefix `url` for the full URL). */
  url: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names; `authorization` reduced to its scheme. */
  headers: Record<string, string>;
  /** Parsed JSON body (confidential parameters redacted) or raw text. */
  body: unknown;
  status: number;
}

export interface Fault {
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** JSON body (object) or text; default a VSS error body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface AdoStandIn {
  readonly url: string;
  organizationUrl(organization: string): string;
  seedConnection(ref: ConnectionLocation, seed: SeedConnectionInput): string;
  /** The organization's (collection's) id, as connectionData's `instanceId` reports it (see organization.ts). */
  organizationId(organization: string): string;
  connection(id: string): StoredConnection | undefined;
  connections(): StoredConnection[];
  deleteConnection(id: string): boolean;
  /** A variable group in `ref.project` (see library.ts): its secret variables are `null` on every read. */
  seedVariableGroup(
    ref: { organizationUrl: string; project: string; groupName: string },
    seed: SeedVariableGroupInput,
  ): number;
  variableGroup(id: number): StoredVariableGroup | undefined;
  deleteVariableGroup(id: number): boolean;
  /** A pipeline whose runs succeed when the key its holder holds passes `keyCheck` (see pipelines.ts). */
  seedPipeline(ref: { organizationUrl: string; project: string }, seed: SeedPipelineInput): number;
  pipelineRuns(pipelineId: number): StoredRun[];
  /** Queueing a run answers 401, as for a credential without the "Build (Read & execute)" scope. */
  denyExecute(denied?: boolean): void;
  setPat(pat: string): void;
  failNext(method: 'GET' | 'PUT' | 'POST' | '*', fault: Fault): void;
  throttleNext(count: number, retryAfterSeconds: number): void;
  readonly requests: readonly RecordedRequest[];
  requestCount(filter?: { method?: string; pathIncludes?: string }): number;
  resetRequests(): void;
  close(): Promise<void>;
}

export { vssError } from './vss.js';

export const SIGN_IN_PAGE =
  '<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body><form id="signin" ' +
  'action="https://login.microsoftonline.com/">Sign in to your account</form></body></html>';

export const AZURE_DEVOPS_SCOPE = '499b84ac-1321-427f-aa17-267ca6975798/.default';

const DEFAULT_CONFIDENTIAL = ['password', 'sessionToken'];
const ENDPOINTS_PATH = /^(.*)\/_apis\/serviceendpoint\/endpoints(?:\/([^/]+))?$/;
const VARIABLE_GROUPS_PATH = /^(.*)\/_apis\/distributedtask\/variablegroups(?:\/([^/]+))?$/;
const PIPELINES_PATH = /^(.*)\/_apis\/pipelines\/([^/]+)(\/runs(?:\/([^/]+))?)?$/;
const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const ORGANIZATION_PATH = /^(.*)\/_apis\/(connectionData|projects)$/;
/** The key id a pipeline run records when its connection authenticates with OIDC (it has no key). */
export const OIDC_RUN_KEY = 'OIDC';

interface Connection
  extends Omit<
    StoredConnection,
    'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'usesOidc' | 'isShared' | 'projects'
  > {
  confidential: string[];
  references: { project: string; name: string }[];
}

export async function startAdoStandIn(options: AdoStandInOptions): Promise<AdoStandIn> {
  let pat = options.pat;
  const organizations = new Set((options.organizations ?? []).map(trimSlashes));
  const projectIds = new Map<string, string>();
  const connections = new Map<string, Connection>();
  const requests: RecordedRequest[] = [];
  const faults: { method: string; fault: Fault; remaining: number }[] = [];
  const recent: number[] = [];
  const tokens = new Map<string, number>();
  let throttle = { remaining: 0, retryAfterSeconds: 1 };
  const usage = options.usage ? new StandInUsage(options.usage) : undefined;
  const library = new StandInLibrary((organization, project) => projectId(organization, project));
  if (options.variableGroupPageSize) library.pageSize = options.variableGroupPageSize;
  const pipelines = new StandInPipelines(
    (uses) => {
      if ('connectionId' in uses) {
        const c = connections.get(uses.connectionId.toLowerCase());
        if (c?.parameters.useOIDC === 'true') {
          // No key: the job gets an OIDC token for the connection and assumes its role with it.
          const claims = orgs.claims(c.organization, c.references[0]?.project ?? '', c.references[0]?.name ?? c.name);
          return {
            accessKeyId: OIDC_RUN_KEY,
            secretAccessKey: JSON.stringify({ roleArn: c.parameters.assumeRoleArn ?? '', claims }),
          };
        }
        return c?.parameters.username && c.parameters.password
          ? { accessKeyId: c.parameters.username, secretAccessKey: c.parameters.password }
          : null;
      }
      const variables = library.group(uses.variableGroupId)?.variables ?? {};
      const id = variables[uses.accessKeyIdVariable]?.value;
      const secret = variables[uses.secretAccessKeyVariable]?.value;
      return id && secret ? { accessKeyId: id, secretAccessKey: secret } : null;
    },
    (accessKeyId, secretAccessKey) => {
      if (accessKeyId === OIDC_RUN_KEY) {
        if (!options.oidcCheck)
          throw new Error('the stand-in needs options.oidcCheck to run pipelines on an OIDC connection');
        const { roleArn, claims } = JSON.parse(secretAccessKey) as { roleArn: string; claims: OidcClaims };
        return options.oidcCheck(roleArn, claims);
      }
      if (!options.keyCheck) throw new Error('the stand-in needs options.keyCheck to run pipelines');
      return options.keyCheck(accessKeyId, secretAccessKey);
    },
    () => url,
  );

  const orgs = new StandInOrganizations((organization) =>
    [...projectIds.entries()]
      .filter(([key]) => key.startsWith(`${organization.toLowerCase()}|`))
      .map(([key, id]) => ({ id, name: projectNames.get(key) ?? key })),
  );
  const projectNames = new Map<string, string>();
  const projectKey = (organization: string, project: string) =>
    `${organization.toLowerCase()}|${project.toLowerCase()}`;
  const projectId = (organization: string, project: string): string => {
    const key = projectKey(organization, project);
    let id = projectIds.get(key);
    if (!id) {
      id = randomUUID();
      projectIds.set(key, id);
      projectNames.set(key, project);
    }
    return id;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      send(res, 500, vssError('InternalServerException', error instanceof Error ? error.message : 'internal error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const target = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    const record: RecordedRequest = {
      method,
      url: req.url ?? '/',
      path: decodeURIComponent(target.pathname),
      query: Object.fromEntries(target.searchParams),
      headers: recordedHeaders(req),
      body: recordedBody(raw),
      status: 0,
    };
    requests.push(record);
    // What the usage model adds to an answer: its rate-limit headers, and how long it is held back.
    let usageHeaders: Record<string, string> = {};
    let heldMs = 0;
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const respond = () => send(res, status, body, { ...usageHeaders, ...headers });
      const wait = (options.latencyMs ?? 0) + heldMs;
      if (wait > 0) setTimeout(respond, wait);
      else respond();
    };

    const token = TOKEN_PATH.exec(target.pathname);
    if (token && method === 'POST') {
      const form = new URLSearchParams(raw);
      if (options.federation && EntraFederation.handles(form))
        return reply(...options.federation.entra.exchange(decodeURIComponent(token[1] ?? ''), form));
      return reply(...issueToken(decodeURIComponent(token[1] ?? ''), raw));
    }

    const match = ENDPOINTS_PATH.exec(target.pathname) ?? VARIABLE_GROUPS_PATH.exec(target.pathname);
    const pipelineMatch = match ? null : PIPELINES_PATH.exec(target.pathname);
    const organizationLevel = match || pipelineMatch ? null : ORGANIZATION_PATH.exec(target.pathname);
    if (!match && !pipelineMatch && !organizationLevel)
      return reply(404, vssError('ResourceNotFoundException', `No resource at ${target.pathname}`));

    const principal = federatedPrincipal(req.headers.authorization);
    if (principal) {
      const membership = options.federation?.members.get(principal.clientId);
      if (membership === undefined) {
        return reply(
          401,
          vssError(
            'UnauthorizedRequestException',
            `TF400813: The user '${principal.tenantId}\\${principal.clientId}' is not authorized to access ` +
              `this resource.`,
          ),
        );
      }
      if (membership === 'no-permission') {
        return reply(
          403,
          vssError(
            'AccessCheckException',
            `Access denied. ${principal.clientId} needs View permissions for the service endpoints of the ` +
              `project to perform the action.`,
          ),
        );
      }
    } else if (!authenticated(req.headers.authorization)) {
      // What Azure DevOps does with a credential it does not accept: a 203 with its sign-in page.
      if ((req.headers.authorization ?? '').startsWith('Bearer ')) {
        return reply(
          401,
          vssError('UnauthorizedRequestException', "TF400813: The user '' is not authorized to access this resource."),
        );
      }
      return reply(203, SIGN_IN_PAGE, { 'content-type': 'text/html; charset=utf-8' });
    }
    if (usage) {
      const verdict = usage.charge(req.headers.authorization ?? '', Date.now());
      usageHeaders = verdict.headers;
      if (verdict.kind === 'blocked') {
        return reply(
          429,
          vssError(
            'RequestBlockedException',
            `TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource ` +
              `'${RATE_LIMIT_RESOURCE}' in namespace 'User'.`,
          ),
        );
      }
      if (verdict.kind === 'delayed') heldMs = verdict.delayMs;
    }
    const limited = rateLimited();
    if (limited !== undefined) {
      return reply(
        429,
        vssError(
          'RequestBlockedException',
          'TF400733: The request has been blocked because of exceeding usage of resource.',
        ),
        { 'retry-after': String(limited), 'x-ratelimit-resource': 'ATCPU' },
      );
    }
    const fault = takeFault(method);
    if (fault) {
      return reply(
        fault.status,
        fault.body ?? vssError('InjectedFaultException', `Injected fault: HTTP ${fault.status}`),
        fault.headers ?? {},
      );
    }
    if (!target.searchParams.get('api-version')) {
      return reply(
        400,
        vssError(
          'VssVersionNotSpecifiedException',
          'No api-version was supplied for the "GET" request. The version must be supplied either as part of ' +
            'the Accept header or as a query parameter.',
        ),
      );
    }

    const segments = decodeURIComponent((match ?? pipelineMatch ?? organizationLevel)?.[1] ?? '')
      .split('/')
      .filter(Boolean);
    const located = locate(segments);
    if (!located)
      return reply(404, vssError('AccountNotFoundException', `The organization ${segments.join('/')} was not found.`));
    const { organization, project } = located;
    if (organizationLevel) {
      if (method !== 'GET' || project !== undefined)
        return reply(404, vssError('ResourceNotFoundException', `No resource at ${target.pathname}`));
      return reply(
        ...orgs.handle(organization, organizationLevel[2] as 'connectionData' | 'projects', target.searchParams),
      );
    }
    if (project !== undefined && !projectIds.has(projectKey(organization, project))) {
      return reply(
        404,
        vssError(
          'ProjectDoesNotExistWithNameException',
          `TF200016: The following project does not exist: ${project}. Verify that the name of the project is ` +
            `correct and that the project exists on the specified Azure DevOps Server.`,
        ),
      );
    }
    if (pipelineMatch) {
      if (project === undefined)
        return reply(404, vssError('ResourceNotFoundException', `No resource at ${target.pathname}`));
      const [, , pipelineId, runs, runId] = pipelineMatch;
      return reply(
        ...(await pipelines.handle(
          method,
          organization,
          project,
          decodeURIComponent(pipelineId ?? ''),
          runs !== undefined,
          runId,
          raw,
        )),
      );
    }
    if (!match) return reply(404, vssError('ResourceNotFoundException', `No resource at ${target.pathname}`));
    const endpointId = match[2] ? decodeURIComponent(match[2]) : undefined;
    if (VARIABLE_GROUPS_PATH.test(target.pathname) && !ENDPOINTS_PATH.test(target.pathname)) {
      if (method === 'GET' && project !== undefined)
        return reply(...library.read(organization, project, endpointId, target.searchParams));
      if (method === 'PUT' && project === undefined && endpointId)
        return reply(...library.update(organization, endpointId, raw));
      return reply(405, vssError('HttpMethodNotAllowedException', `${method} is not supported on ${target.pathname}`));
    }

    if (method === 'GET' && project !== undefined) {
      if (!projectIds.has(projectKey(organization, project))) {
        return reply(
          404,
          vssError(
            'ProjectDoesNotExistWithNameException',
            `TF200016: The following project does not exist: ${project}. Verify that the name of the project ` +
              `is correct and that the project exists on the specified Azure DevOps Server.`,
          ),
        );
      }
      if (endpointId) {
        const connection = connections.get(endpointId.toLowerCase());
        const visible =
          connection && connection.organization === organization && referencesProject(connection, project);
        // Azure DevOps answers an id it cannot find with 200 and `null`, not 404.
        return reply(200, visible ? representation(connection, 'details') : null);
      }
      const names = (target.searchParams.get('endpointNames') ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean);
      const value = [...connections.values()]
        .filter((c) => c.organization === organization && referencesProject(c, project))
        .filter((c) => names.length === 0 || names.includes(nameIn(c, project).toLowerCase()))
        // `type` filters case-insensitively, as the service does (Terraform writes "aws").
        .filter(
          (c) =>
            !target.searchParams.get('type') || c.type.toLowerCase() === target.searchParams.get('type')?.toLowerCase(),
        )
        .map((c) => representation(c, 'list'));
      return reply(200, { count: value.length, value });
    }
    if (method === 'PUT' && project === undefined && endpointId) {
      return reply(...update(organization, endpointId, raw));
    }
    return reply(405, vssError('HttpMethodNotAllowedException', `${method} is not supported on ${target.pathname}`));
  }

  function authenticated(header: string | undefined): boolean {
    if (!header) return false;
    if (header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      return decoded.slice(decoded.indexOf(':') + 1) === pat;
    }
    if (header.startsWith('Bearer ')) {
      const expiry = tokens.get(header.slice(7));
      return expiry !== undefined && Date.now() < expiry;
    }
    return false;
  }

  function federatedPrincipal(header: string | undefined) {
    if (!options.federation || !header?.startsWith('Bearer ')) return undefined;
    return options.federation.entra.principalOf(header.slice(7));
  }

  function rateLimited(): number | undefined {
    if (throttle.remaining > 0) {
      throttle.remaining -= 1;
      return throttle.retryAfterSeconds;
    }
    if (!options.rateLimit) return undefined;
    const now = Date.now();
    const { limit, windowMs } = options.rateLimit;
    while (recent.length > 0 && (recent[0] ?? 0) <= now - windowMs) recent.shift();
    if (recent.length >= limit) return Math.max(1, Math.ceil(((recent[0] ?? now) + windowMs - now) / 1000));
    recent.push(now);
    return undefined;
  }

  function takeFault(method: string): Fault | undefined {
    const index = faults.findIndex((f) => f.method === '*' || f.method === method);
    if (index < 0) return undefined;
    const entry = faults[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(index, 1);
    return entry.fault;
  }

  function locate(segments: string[]): { organization: string; project: string | undefined } | undefined {
    const path = segments.join('/');
    const candidates = [...organizations]
      .filter((o) => path === o || path.startsWith(`${o}/`))
      .sort((a, b) => b.length - a.length);
    const organization = candidates[0];
    if (organization === undefined) return undefined;
    const rest = path.slice(organization.length).split('/').filter(Boolean);
    if (rest.length > 1) return undefined;
    return { organization, project: rest[0] };
  }

  function issueToken(tenantId: string, raw: string): [number, unknown, Record<string, string>?] {
    const form = new URLSearchParams(raw);
    const sp = options.servicePrincipal;
    if (!sp || sp.tenantId !== tenantId) {
      return [
        400,
        {
          error: 'invalid_request',
          error_description: `AADSTS90002: Tenant '${tenantId}' not found.`,
          error_codes: [90002],
        },
      ];
    }
    if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== AZURE_DEVOPS_SCOPE) {
      return [
        400,
        {
          error: 'invalid_scope',
          error_description: 'AADSTS70011: The provided request must include a valid scope.',
          error_codes: [70011],
        },
      ];
    }
    if (form.get('client_id') !== sp.clientId || form.get('client_secret') !== sp.clientSecret) {
      return [
        401,
        {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
          error_codes: [7000215],
        },
      ];
    }
    const lifetime = sp.tokenLifetimeSeconds ?? 3599;
    const accessToken = randomBytes(24).toString('base64url');
    tokens.set(accessToken, Date.now() + lifetime * 1000);
    return [200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }];
  }

  function update(organization: string, endpointId: string, raw: string): [number, unknown] {
    const connection = connections.get(endpointId.toLowerCase());
    if (!connection || connection.organization !== organization) {
      return [404, vssError('ServiceEndpointNotFoundException', `Service connection with id ${endpointId} not found.`)];
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return [400, vssError('InvalidRequestBodyException', 'The request body is not valid JSON.')];
    }
    if (typeof body !== 'object' || body === null)
      return [400, vssError('ArgumentNullException', 'Value cannot be null.\r\nParameter name: endpoint')];
    if (typeof body.id !== 'string' || body.id.toLowerCase() !== endpointId.toLowerCase()) {
      return [400, vssError('ArgumentException', 'The endpoint id in the body does not match the id in the URL.')];
    }
    const authorization = body.authorization as { scheme?: unknown; parameters?: Record<string, unknown> } | undefined;
    if (!authorization || typeof authorization !== 'object') {
      return [400, vssError('ServiceEndpointException', 'Service Connection Authorization cannot be null.')];
    }
    const parameters: Record<string, string> = {};
    for (const [name, value] of Object.entries(authorization.parameters ?? {})) {
      if (typeof value !== 'string')
        return [400, vssError('ArgumentNullException', `Value cannot be null.\r\nParameter name: ${name}`)];
      parameters[name] = value;
    }
    const references = body.serviceEndpointProjectReferences;
    if (!Array.isArray(references) || references.length === 0) {
      return [
        400,
        vssError('ArgumentNullException', 'Value cannot be null.\r\nParameter name: endpointProjectReferences'),
      ];
    }
    const newReferences: { project: string; name: string }[] = [];
    for (const reference of references as { name?: unknown; projectReference?: { id?: unknown; name?: unknown } }[]) {
      const project = reference.projectReference?.name;
      if (typeof project !== 'string' || typeof reference.name !== 'string') {
        return [400, vssError('ArgumentException', 'Each project reference needs a projectReference and a name.')];
      }
      newReferences.push({ project, name: reference.name });
    }
    connection.name = typeof body.name === 'string' ? body.name : connection.name;
    connection.type = typeof body.type === 'string' ? body.type : connection.type;
    connection.url = typeof body.url === 'string' ? body.url : connection.url;
    connection.description = typeof body.description === 'string' ? body.description : '';
    connection.data = isStringRecord(body.data) ? { ...body.data } : {};
    connection.scheme = typeof authorization.scheme === 'string' ? authorization.scheme : connection.scheme;
    // A PUT replaces the authorization: what is not sent is gone.
    connection.parameters = parameters;
    connection.references = newReferences;
    connection.updates += 1;
    return [200, representation(connection, 'details')];
  }

  function representation(connection: Connection, view: 'details' | 'list'): Record<string, unknown> {
    const parameters: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(connection.parameters)) {
      if (!connection.confidential.includes(name)) parameters[name] = value;
      else if (view === 'details') parameters[name] = null;
    }
    return {
      data: { ...connection.data },
      id: connection.id,
      name: connection.name,
      type: connection.type,
      url: connection.url,
      createdBy: {
        displayName: 'Rotation Stand-In',
        url: `${url}/_apis/Identities/00000000-0000-0000-0000-00000000a11e`,
        id: '00000000-0000-0000-0000-00000000a11e',
        uniqueName: 'stand-in@example.com',
        descriptor: 'msa.c3RhbmQtaW4',
      },
      description: connection.description,
      authorization: { parameters, scheme: connection.scheme },
      isShared: connection.references.length > 1,
      isReady: true,
      owner: 'Library',
      serviceEndpointProjectReferences: connection.references.map((reference) => ({
        projectReference: { id: projectId(connection.organization, reference.project), name: reference.project },
        name: reference.name,
        description: '',
      })),
    };
  }

  function recordedBody(raw: string): unknown {
    if (raw === '') return undefined;
    try {
      const body = JSON.parse(raw) as {
        authorization?: { parameters?: Record<string, unknown> };
        variables?: Record<string, { value?: unknown; isSecret?: unknown } | null>;
      };
      for (const variable of Object.values(body?.variables ?? {})) {
        if (variable?.isSecret === true && typeof variable.value === 'string' && variable.value !== '')
          variable.value = '[REDACTED]';
      }
      const parameters = body?.authorization?.parameters;
      if (parameters) {
        for (const name of DEFAULT_CONFIDENTIAL) {
          if (typeof parameters[name] === 'string' && parameters[name] !== '') parameters[name] = '[REDACTED]';
        }
      }
      return body;
    } catch {
      // A token request's form carries the client secret: keep the field names only.
      return raw.includes('client_secret=') ? '[form redacted]' : raw;
    }
  }

  return {
    url,
    organizationUrl: (organization) => `${url}/${trimSlashes(organization)}`,
    seedConnection(ref, seed) {
      const organization = organizationOf(ref.organizationUrl, url);
      organizations.add(organization);
      const projects = seed.projects ? [...seed.projects] : [ref.project];
      if (!projects.some((p) => p.toLowerCase() === ref.project.toLowerCase())) projects.unshift(ref.project);
      for (const project of projects) projectId(organization, project);
      const id = (seed.id ?? randomUUID()).toLowerCase();
      const parameters: Record<string, string> = {
        username: seed.accessKeyId,
        password: seed.secretAccessKey,
        ...(seed.sessionToken === undefined ? {} : { sessionToken: seed.sessionToken }),
        assumeRoleArn: seed.assumeRoleArn ?? '',
        roleSessionName: seed.roleSessionName ?? '',
        externalId: seed.externalId ?? '',
        useOIDC: seed.usesOidc ? 'true' : 'false',
        ...seed.extraParameters,
      };
      connections.set(id, {
        id,
        organization,
        name: ref.connectionName,
        type: seed.type ?? 'AWS',
        url: 'https://aws.amazon.com/',
        description: seed.description ?? '',
        scheme: seed.scheme ?? 'UsernamePassword',
        parameters,
        data: { ...seed.data },
        confidential: seed.confidentialParameters ?? DEFAULT_CONFIDENTIAL,
        references: projects.map((project) => ({ project, name: ref.connectionName })),
        updates: 0,
      });
      return id;
    },
    organizationId: (organization) => orgs.organizationId(trimSlashes(organization)),
    connection: (id) => {
      const connection = connections.get(id.toLowerCase());
      return connection ? stored(connection) : undefined;
    },
    connections: () => [...connections.values()].map(stored),
    deleteConnection: (id) => connections.delete(id.toLowerCase()),
    seedVariableGroup(ref, seed) {
      const organization = organizationOf(ref.organizationUrl, url);
      organizations.add(organization);
      for (const project of [ref.project, ...(seed.projects ?? [])]) projectId(organization, project);
      return library.seed(organization, ref.project, ref.groupName, seed);
    },
    variableGroup: (id) => library.group(id),
    deleteVariableGroup: (id) => library.delete(id),
    seedPipeline(ref, seed) {
      if (!options.keyCheck)
        throw new Error('seedPipeline needs the stand-in started with options.keyCheck (whether a key works)');
      const organization = organizationOf(ref.organizationUrl, url);
      organizations.add(organization);
      projectId(organization, ref.project);
      return pipelines.seed(organization, ref.project, seed);
    },
    pipelineRuns: (pipelineId) => pipelines.runsOf(pipelineId),
    denyExecute: (denied = true) => pipelines.denyExecute(denied),
    setPat(next) {
      pat = next;
    },
    failNext(method, fault) {
      faults.push({ method, fault, remaining: fault.times ?? 1 });
    },
    throttleNext(count, retryAfterSeconds) {
      throttle = { remaining: count, retryAfterSeconds };
    },
    get requests() {
      return requests;
    },
    requestCount: (filter = {}) =>
      requests.filter(
        (r) =>
          (!filter.method || r.method === filter.method) &&
          (!filter.pathIncludes || r.path.includes(filter.pathIncludes)),
      ).length,
    resetRequests() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function stored(connection: Connection): StoredConnection {
  const { confidential: _confidential, references, ...rest } = connection;
  return {
    ...structuredClone(rest),
    accessKeyId: connection.parameters.username ?? null,
    secretAccessKey: connection.parameters.password ?? null,
    sessionToken: connection.parameters.sessionToken ?? null,
    usesOidc: connection.parameters.useOIDC === 'true',
    projects: references.map((r) => r.project),
    isShared: references.length > 1,
  };
}

function referencesProject(connection: Connection, project: string): boolean {
  return connection.references.some((r) => r.project.toLowerCase() === project.toLowerCase());
}

function nameIn(connection: Connection, project: string): string {
  return connection.references.find((r) => r.project.toLowerCase() === project.toLowerCase())?.name ?? connection.name;
}

function organizationOf(organizationUrl: string, url: string): string {
  if (!organizationUrl.startsWith(`${url}/`))
    throw new Error(`organizationUrl ${organizationUrl} does not point at the stand-in (${url})`);
  const organization = trimSlashes(organizationUrl.slice(url.length));
  if (organization === '') throw new Error('organizationUrl names no organization');
  return organization;
}

function trimSlashes(value: string): string {
  return value.replace(/^\/+|\/+$/g, '');
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}

function recordedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    headers[name] = name === 'authorization' ? `${text.split(' ')[0]} [REDACTED]` : text;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const isText = typeof body === 'string';
  const payload = isText ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8; api-version=7.1',
    ...headers,
  });
  res.end(payload);
}
