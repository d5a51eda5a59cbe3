/**
 * Test data builders: resource templates from fixtures/templates/resources.json, filled with
 * run-scoped names (so the ledger and the cleanup recognise them) and the target's org fixtures.
 */
import { readFileSync } from 'node:fs';
import type { OrgFixtures } from '../config/env.ts';

const TEMPLATES = JSON.parse(readFileSync(new URL('../../fixtures/templates/resources.json', import.meta.url), 'utf8')) as {
  users: Record<string, Record<string, unknown>>;
  groups: Record<string, Record<string, unknown>>;
};

export type UserTemplate = keyof typeof TEMPLATES.users & string;
export type GroupTemplate = keyof typeof TEMPLATES.groups & string;

const UNRESOLVED = Symbol('unresolved');
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/**
 * Fills {{placeholders}}. A property whose placeholder has no value is left out; an array element
 * (an entity such as a role or a skill) with any unresolved placeholder is left out whole, and an
 * array or object left empty that way is left out too.
 */
export function fillTemplate(template: unknown, vars: Record<string, string | undefined>): unknown {
  const walk = (v: unknown, strict: boolean): unknown => {
    if (typeof v === 'string') {
      let missing = false;
      const out = v.replace(PLACEHOLDER, (_, name: string) => {
        const value = vars[name];
        if (value === undefined) missing = true;
        return value ?? '';
      });
      return missing ? UNRESOLVED : out;
    }
    if (Array.isArray(v)) {
      const items = v.map((x) => walk(x, true)).filter((x) => x !== UNRESOLVED);
      return items.length === 0 && v.length > 0 ? UNRESOLVED : items;
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const w = walk(x, strict);
        if (w === UNRESOLVED) {
          if (strict) return UNRESOLVED;
          continue;
        }
        out[k] = w;
      }
      return Object.keys(out).length === 0 && Object.keys(v).length > 0 ? UNRESOLVED : out;
    }
    return v;
  };
  const result = walk(template, false);
  return result === UNRESOLVED ? {} : result;
}

export interface NameSource {
  userName(label: string): string;
  displayName(label: string): string;
  externalId(label: string): string;
}

export function createBuilders(names: NameSource, org: OrgFixtures, userPassword?: string) {
  const orgVars = {
    division: org.division,
    role: org.role,
    routingSkill: org.routingSkill,
    routingLanguage: org.routingLanguage,
  };
  return {
    /** A user body from a template; `overrides` replace top-level keys (undefined removes one). */
    user(label: string, template: UserTemplate = 'minimal', overrides: Record<string, unknown> = {}): Record<string, any> {
      const userName = names.userName(label);
      const body = fillTemplate(TEMPLATES.users[template], {
        ...orgVars,
        userName,
        displayName: names.displayName(label),
        externalId: names.externalId(label),
        employeeNumber: String(Math.floor(Math.random() * 1e9)),
        password: userPassword,
      }) as Record<string, any>;
      return applyOverrides(body, overrides);
    },
    group(label: string, template: GroupTemplate = 'minimal', overrides: Record<string, unknown> = {}): Record<string, any> {
      const body = fillTemplate(TEMPLATES.groups[template], { displayName: names.displayName(label) }) as Record<string, any>;
      return applyOverrides(body, overrides);
    },
  };
}

function applyOverrides(body: Record<string, any>, overrides: Record<string, unknown>): Record<string, any> {
  const out = { ...body };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

export type Builders = ReturnType<typeof createBuilders>;
