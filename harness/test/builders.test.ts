import { describe, expect, test } from 'vitest';
import { createBuilders, fillTemplate } from '../runtime/builders.ts';

const names = { userName: (l: string) => `scimct-1-${l}@example.com`, displayName: (l: string) => `scimct-1-${l}`, externalId: (l: string) => `x-${l}` };

describe('builders', () => {
  test('fill placeholders and leave out what has no value', () => {
    expect(fillTemplate({ a: '{{x}}', b: '{{y}}', list: [{ name: '{{y}}' }], keep: [1], nested: { z: 'pre-{{x}}' } }, { x: '1' })).toEqual({
      a: '1',
      keep: [1],
      nested: { z: 'pre-1' },
    });
  });

  test('a full user with every org fixture carries roles, division, skills and languages', () => {
    const b = createBuilders(names, { role: 'employee', division: 'Home', routingSkill: 'Sales', routingLanguage: 'English' });
    const u = b.user('full-one', 'full');
    expect(u.userName).toBe('scimct-1-full-one@example.com');
    expect(u.roles).toEqual([{ value: 'employee' }]);
    expect(u['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].division).toBe('Home');
    expect(u['urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User'].routingSkills).toEqual([{ name: 'Sales', proficiency: 3 }]);
  });

  test('without org fixtures the full user leaves those parts out', () => {
    const u = createBuilders(names, {}).user('bare', 'full');
    expect(u.roles).toBeUndefined();
    expect(u['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].division).toBeUndefined();
    expect(u['urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User']).toBeUndefined();
    expect(u.emails).toEqual([{ value: 'scimct-1-bare@example.com', type: 'work', primary: true }]);
  });

  test('overrides replace or remove top-level keys', () => {
    const u = createBuilders(names, {}).user('o', 'minimal', { active: false, displayName: undefined });
    expect(u.active).toBe(false);
    expect('displayName' in u).toBe(false);
  });
});
