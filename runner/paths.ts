import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OrgFixtures } from '../harness/config.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const REPORTS_DIR = `${ROOT}reports`;
export const LEDGER_ROOT = `${REPORTS_DIR}/.ledger`;
const SEED_ORG = `${ROOT}fixtures/emulator/seed-org.json`;

/** Org fixtures for the embedded emulator, read from its seed org (the suite never imports emulator code). */
export function embeddedOrgFixtures(): OrgFixtures {
  if (!existsSync(SEED_ORG)) return {};
  const seed = JSON.parse(readFileSync(SEED_ORG, 'utf8')) as any;
  const first = (list: unknown, key = 'name') => (Array.isArray(list) && list.length ? String(list[0][key] ?? list[0]) : undefined);
  const groups: any[] = Array.isArray(seed.groups) ? seed.groups : [];
  const isScim = (g: any) => typeof g.externalId === 'string' && g.externalId.startsWith('scim-');
  const nonScim = groups.find((g) => !isScim(g));
  const scratch = groups.find(isScim);
  return {
    groupId: scratch?.id,
    nonScimGroupId: nonScim?.id,
    division: first(seed.divisions),
    role: first(seed.roles),
    routingSkill: first(seed.routingSkills ?? seed.skills),
    routingLanguage: first(seed.routingLanguages ?? seed.languages),
  };
}
