/**
 * The stand-in's organization-level reads, used by discovery and `migrate-to-oidc`:
 *
 * - `GET {org}/_apis/connectionData` (Location area, a preview-only resource: a plain `7.1` is
 *   refused with `VssInvalidPreviewVersionException`, as the service does): the organization's id
 *   (`instanceId`, what the OIDC issuer URL ends with) and `deploymentType` (`hosted`, or
 *   `onPremises` for a collection under `/tfs/`, standing for Azure DevOps Server);
 * - `GET {org}/_apis/projects` (Core 7.1, `Projects_List`): the projects, `{ count, value }`.
 *
 * And the OIDC token a pipeline job gets for a connection set to `useOIDC`: the claims the AWS
 * Toolkit presents to `sts:AssumeRoleWithWebIdentity` (issuer, subject, audience; issue #614).
 */
import { randomUUID } from 'node:crypto';
import type { Reply } from './library.js';
import { vssError } from './vss.js';

export interface OidcClaims {
  issuer: string;
  subject: string;
  audience: string;
}

/** Decides whether a role accepts a token (the IAM wire stub's providers and trust policies). */
export type OidcCheck = (roleArn: string, claims: OidcClaims) => boolean | Promise<boolean>;

export class StandInOrganizations {
  private readonly ids = new Map<string, string>();

  constructor(private readonly projectsOf: (organization: string) => Array<{ id: string; name: string }>) {}

  organizationId(organization: string): string {
    let id = this.ids.get(organization);
    if (!id) {
      id = randomUUID();
      this.ids.set(organization, id);
    }
    return id;
  }

  /** The claims of a token Azure DevOps issues to a job for connection `connection` of `project`. */
  claims(organization: string, project: string, connection: string): OidcClaims {
    return {
      issuer: `https://vstoken.dev.azure.com/${this.organizationId(organization)}`,
      subject: `sc://${organization}/${project}/${connection}`,
      audience: 'api://AzureADTokenExchange',
    };
  }

  handle(organization: string, resource: 'connectionData' | 'projects', query: URLSearchParams): Reply {
    const apiVersion = query.get('api-version') ?? '';
    if (resource === 'projects') {
      // $top defaults to 100 on the service, as here; $skip pages.
      const top = Number(query.get('$top') ?? 100);
      const skip = Number(query.get('$skip') ?? 0);
      const all = this.projectsOf(organization).map((p) => ({
        id: p.id,
        name: p.name,
        state: 'wellFormed',
        visibility: 'private',
        revision: 1,
      }));
      const value = all.slice(skip, skip + top);
      return [200, { count: value.length, value }];
    }
    if (!apiVersion.includes('-preview')) {
      return [
        400,
        vssError(
          'VssInvalidPreviewVersionException',
          `The requested version "${apiVersion}" of the resource is under preview. The -preview flag must be ` +
            `supplied in the api-version for such requests.`,
        ),
      ];
    }
    const user = {
      id: '00000000-0000-0000-0000-00000000a11e',
      descriptor: 'msa.c3RhbmQtaW4',
      providerDisplayName: 'Rotation Stand-In',
      isActive: true,
      properties: {},
    };
    return [
      200,
      {
        authenticatedUser: user,
        authorizedUser: user,
        instanceId: this.organizationId(organization),
        deploymentId: this.organizationId(`${organization}#deployment`),
        deploymentType: organization.startsWith('tfs/') ? 'onPremises' : 'hosted',
        locationServiceData: {
          serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7',
          defaultAccessMappingMoniker: 'PublicAccessMapping',
          lastChangeId: 1,
          lastChangeId64: 1,
        },
      },
    ];
  }
}
