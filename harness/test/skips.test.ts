/** Skip rules give every skip its kind as data (harness/runtime/results.ts), from the catalogue requirement that is not met. */
import { expect, test } from 'vitest';
import type { Behaviour } from '../config/catalogue.ts';
import type { ResolvedTarget } from '../config/target.ts';
import { requirementSkip } from '../runtime/behaviour/skips.ts';
import { SKIP_KINDS } from '../runtime/results.ts';

const behaviour = (over: Partial<Behaviour>): Behaviour =>
  ({ id: 'X-Y', resource: 'users', area: 'a', title: 't', level: 'MUST', sources: ['s'], versions: ['2021', '2019'], status: 'active', ...over }) as Behaviour;

const target = (over: Partial<ResolvedTarget> = {}): ResolvedTarget =>
  ({
    apiVersion: '2021',
    allowWrites: true,
    identities: { primary: { auth: { kind: 'token', token: 'x' }, permissions: [] } },
    capabilities: {},
    org: {},
    ...over,
  }) as ResolvedTarget;

test.for<{ name: string; b: Partial<Behaviour>; t?: Partial<ResolvedTarget>; kind: keyof typeof SKIP_KINDS | undefined }>([
  { name: 'another API version', b: { versions: ['2019'] }, kind: 'version' },
  { name: 'writes not allowed', b: { requires: ['writes'] }, t: { allowWrites: false }, kind: 'configuration' },
  { name: 'no limited identity', b: { requires: ['limited-identity'] }, kind: 'configuration' },
  { name: 'ServiceProviderConfig says no', b: { requires: ['spc:etag'] }, t: { capabilities: { etag: false } }, kind: 'capability' },
  { name: 'ServiceProviderConfig silent', b: { requires: ['spc:etag'] }, kind: undefined },
  { name: 'no org fixture', b: { requires: ['org:role'] }, kind: 'configuration' },
  { name: 'no scratch group where groups cannot be created', b: { requires: ['org:group'] }, t: { apiVersion: '2019' }, kind: 'configuration' },
  { name: 'groups can be created', b: { requires: ['org:group'] }, kind: undefined },
])('$name → $kind', ({ b, t, kind }) => {
  const skip = requirementSkip(behaviour(b), target(t));
  expect(skip?.kind).toBe(kind);
  if (skip) expect(skip.reason).not.toBe('');
});
