/**
 * Skip rules: why a behaviour does not apply to this target (API version, writes, the limited identity, what the
 * ServiceProviderConfig says, org fixtures), decided from its catalogue entry before the test runs, with its kind
 * (runtime/results.ts).
 */
import type { Behaviour } from '../../config/catalogue.ts';
import type { ResolvedTarget } from '../../config/target.ts';
import type { Skip } from '../results.ts';

const ORG_REQUIREMENTS: Record<string, { key: keyof ResolvedTarget['org']; env: string }> = {
  'org:group-not-created-by-scim': { key: 'nonScimGroupId', env: 'SCIM_ORG_NON_SCIM_GROUP_ID' },
  'org:division': { key: 'division', env: 'SCIM_ORG_DIVISION' },
  'org:role': { key: 'role', env: 'SCIM_ORG_ROLE' },
  'org:routing-skill': { key: 'routingSkill', env: 'SCIM_ORG_ROUTING_SKILL' },
  'org:routing-language': { key: 'routingLanguage', env: 'SCIM_ORG_ROUTING_LANGUAGE' },
};

const configuration = (reason: string): Skip => ({ kind: 'configuration', reason });

/** Why a behaviour does not apply to this target (its kind and reason), or undefined when it does. */
export function requirementSkip(b: Behaviour, target: ResolvedTarget): Skip | undefined {
  if (!b.versions.includes(target.apiVersion)) {
    return { kind: 'version', reason: `not documented for API version ${target.apiVersion} (documented for ${b.versions.join(', ')})` };
  }
  for (const req of b.requires ?? []) {
    if (req === 'writes' && !target.allowWrites) {
      return configuration('creates or changes data: set SCIM_ALLOW_WRITES=true to run write checks against this target');
    }
    if (req === 'limited-identity' && !target.identities.limited) {
      return configuration('needs a second, limited identity: set SCIM_LIMITED_TOKEN or SCIM_LIMITED_CLIENT_ID/SCIM_LIMITED_CLIENT_SECRET');
    }
    if (req.startsWith('spc:')) {
      const feature = req.slice(4) as keyof ResolvedTarget['capabilities'];
      if (target.capabilities[feature] === false) {
        return { kind: 'capability', reason: `the server's ServiceProviderConfig says ${feature}.supported is false` };
      }
    }
    if (req === 'org:group') {
      // Where the API creates groups the run makes its own; elsewhere it needs a configured scratch group.
      const canCreate = target.apiVersion === '2021' && target.allowWrites;
      if (!canCreate && !target.org.groupId) return configuration(SCRATCH_GROUP_MISSING);
      continue;
    }
    const org = ORG_REQUIREMENTS[req];
    if (org && !target.org[org.key]) return configuration(`needs an org fixture: set ${org.env}`);
  }
  return undefined;
}

/** The reason a check that needs the scratch group skips where groups cannot be created and none is configured. */
export const SCRATCH_GROUP_MISSING = 'needs a group the run may use: set SCIM_ORG_GROUP_ID (this API version cannot create groups)';
