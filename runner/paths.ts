import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allureResultsDir, DEFAULT_REPORTS_DIR, reportDir, type OrgFixtures } from '../harness/config/env.ts';

export { allureResultsDir, reportDir };

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const REPORTS_DIR = DEFAULT_REPORTS_DIR;
export const LEDGER_ROOT = `${REPORTS_DIR}/.ledger`;
const SEED_ORG = `${ROOT}fixtures/emulator/seed-org.json`;

/** Empties the allure results directory, so it describes one run only; returns its path. */
export function resetAllureResults(): string {
  const dir = allureResultsDir();
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** Org fixtures for the embedded emulator, read from its seed org (the suite never imports emulator code). */
export function embeddedOrgFixtures(): OrgFixtures {
  if (!existsSync(SEED_ORG)) return {};
  const seed = JSON.parse(readFileSync(SEED_ORG, 'utf8')) as any;
  // Prefer entries that are not the org's defaults, so a check using them can tell them apart from a default.
  // Never an admin role: a check should not need to grant administration to prove roles work.
  const pick = (list: unknown, avoid?: string): string | undefined => {
    if (!Array.isArray(list) || list.length === 0) return undefined;
    const names = list.map((x: any) => String(x?.name ?? x));
    return names.find((n) => n !== avoid && !/admin/i.test(n)) ?? names[0];
  };
  const groups: any[] = Array.isArray(seed.groups) ? seed.groups : [];
  const isScim = (g: any) => typeof g.externalId === 'string' && g.externalId.startsWith('scim-');
  const nonScim = groups.find((g) => !isScim(g));
  const scratch = groups.find(isScim);
  return {
    groupId: scratch?.id,
    nonScimGroupId: nonScim?.id,
    division: pick(seed.divisions, seed.defaultDivision),
    role: pick(seed.roles, seed.defaultRole),
    routingSkill: pick(seed.routingSkills),
    routingLanguage: pick(seed.routingLanguages),
  };
}
