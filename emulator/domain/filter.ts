/**
 * The list filter grammar Genesys documents: one `attr eq value` clause. Attribute names and the operator are
 * case-insensitive; values may be double-quoted (JSON escapes), single-quoted, or unquoted as the doc writes them
 * (`userName eq search@sample.org`, `displayname eq Sales`; an unquoted value runs to the end and may contain
 * spaces, e.g. `division eq Sales Division`, but a standalone `and`/`or` word is read as a logical operator).
 *
 * strictness 'strict' (default): exactly one clause, only the documented attribute names.
 * strictness 'lenient': also `and`-conjunctions of clauses and RFC-style aliases (`emails.value`, URN-qualified names).
 * Anything else → 400 invalidFilter whose detail lists the supported filters.
 */
import { clip, ScimHttpError } from '../http-types.ts';

export type FilterStrictness = 'strict' | 'lenient';

export interface FilterClause {
  /** Canonical filter attribute (a key of the spec's `attributes`). */
  attr: string;
  value: string;
  quoted: boolean;
}

export interface FilterSpec {
  /** lower-cased documented name → canonical name. */
  attributes: ReadonlyMap<string, string>;
  /** lower-cased alias → canonical name, accepted in lenient mode only. */
  aliases: ReadonlyMap<string, string>;
  /** Human-readable list for error details. */
  supported: string;
}

const OTHER_OPERATORS = new Set(['ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);

interface Token {
  text: string;
  quoted: boolean;
}

function invalid(spec: FilterSpec, why: string): ScimHttpError {
  return new ScimHttpError(400, `Invalid filter: ${why}. Supported filters: ${spec.supported}.`, 'invalidFilter');
}

/** Reads a double-quoted JSON-style string starting at `i` (on the quote); returns [value, next index]. */
export function readDoubleQuoted(text: string, i: number): [string, number] | undefined {
  let out = '';
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '"') return [out, j + 1];
    if (c === '\\' && j + 1 < text.length) {
      const n = text[j + 1];
      if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
        out += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16));
        j += 6;
        continue;
      }
      out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[n] ?? n;
      j += 2;
      continue;
    }
    out += c;
    j++;
  }
  return undefined;
}

function tokenize(text: string, spec: FilterSpec): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const r = readDoubleQuoted(text, i);
      if (!r) throw invalid(spec, 'unterminated quoted value');
      tokens.push({ text: r[0], quoted: true });
      i = r[1];
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw invalid(spec, 'unterminated quoted value');
      tokens.push({ text: text.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else {
      // A bare word; `[...]` (a complex attribute filter) is kept in one piece so it can be reported as such.
      let j = i;
      let depth = 0;
      while (j < text.length && (depth > 0 || !/\s/.test(text[j]))) {
        if (text[j] === '[') depth++;
        else if (text[j] === ']' && depth > 0) depth--;
        j++;
      }
      tokens.push({ text: text.slice(i, j), quoted: false });
      i = j;
    }
    // A quoted token must be followed by whitespace or the end.
    if (tokens[tokens.length - 1].quoted && i < text.length && !/\s/.test(text[i])) {
      throw invalid(spec, 'unexpected text after a quoted value');
    }
  }
  return tokens;
}

const isLogical = (t: Token) => !t.quoted && /^(and|or)$/i.test(t.text);

/** Parses a filter; an empty result never happens (blank filters are the caller's "no filter"). */
export function parseFilter(text: string, spec: FilterSpec, strictness: FilterStrictness): FilterClause[] {
  const tokens = tokenize(text, spec);
  if (tokens.length === 0) throw invalid(spec, 'empty filter');
  const clauses: FilterClause[] = [];
  let i = 0;
  for (;;) {
    const attrTok = tokens[i];
    if (!attrTok) throw invalid(spec, 'missing clause after logical operator');
    if (attrTok.quoted) throw invalid(spec, 'expected an attribute name');
    const rawAttr = attrTok.text;
    if (/^not\b|[()[\]]/i.test(rawAttr)) throw invalid(spec, `"${clip(rawAttr)}": grouping, "not" and complex attribute filters are not supported`);
    const lower = rawAttr.toLowerCase();
    const attr = spec.attributes.get(lower) ?? (strictness === 'lenient' ? spec.aliases.get(lower) : undefined);
    const opTok = tokens[i + 1];
    if (!opTok || opTok.quoted) throw invalid(spec, `missing operator after "${clip(rawAttr)}"`);
    const op = opTok.text.toLowerCase();
    if (op !== 'eq') {
      if (OTHER_OPERATORS.has(op)) throw invalid(spec, `operator "${clip(opTok.text)}" is not supported (only eq)`);
      throw invalid(spec, `unknown operator "${clip(opTok.text)}"`);
    }
    if (attr === undefined) throw invalid(spec, `attribute "${clip(rawAttr)}" is not filterable`);
    i += 2;
    const valueToks: Token[] = [];
    while (i < tokens.length && !isLogical(tokens[i])) valueToks.push(tokens[i++]);
    if (valueToks.length === 0) throw invalid(spec, `missing value for "${clip(rawAttr)} eq"`);
    if (valueToks.length > 1 && valueToks.some((t) => t.quoted)) throw invalid(spec, 'unexpected text around a quoted value');
    clauses.push({
      attr,
      value: valueToks.map((t) => t.text).join(' '),
      quoted: valueToks[0].quoted,
    });
    if (i >= tokens.length) return clauses;
    const logical = tokens[i].text.toLowerCase();
    if (strictness === 'strict') throw invalid(spec, `logical operator "${clip(tokens[i].text)}" is not supported (one clause only; quote values containing "and"/"or")`);
    if (logical === 'or') throw invalid(spec, 'logical operator "or" is not supported');
    i++;
  }
}

/** `true`/`false` (any case, quoted or not) for boolean filter attributes. */
export function booleanFilterValue(clause: FilterClause, spec: FilterSpec): boolean {
  const v = clause.value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(spec, `${clause.attr} must be compared with true or false, got "${clip(clause.value)}"`);
}

export const USER_FILTER_SPEC: FilterSpec = (() => {
  const names = ['id', 'userName', 'manager', 'email', 'division', 'externalId', 'active', 'employeeNumber'];
  const ent = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:';
  const core = 'urn:ietf:params:scim:schemas:core:2.0:user:';
  const aliases: [string, string][] = [
    ['emails', 'email'], ['emails.value', 'email'], ['manager.value', 'manager'],
    [ent + 'manager', 'manager'], [ent + 'manager.value', 'manager'], [ent + 'division', 'division'],
    [ent + 'employeenumber', 'employeeNumber'], [core + 'emails', 'email'], [core + 'emails.value', 'email'],
    ...['id', 'userName', 'externalId', 'active'].map((n): [string, string] => [core + n.toLowerCase(), n]),
  ];
  return {
    attributes: new Map(names.map((n) => [n.toLowerCase(), n])),
    aliases: new Map(aliases),
    supported:
      '"id eq <userId>", "userName eq <userName>", "manager eq <managerUserId>", "email eq <email>", ' +
      '"division eq <divisionName>", "externalId eq <externalId>", "active eq false" (or true), ' +
      '"employeeNumber eq <employeeNumber>"; one clause, operator eq, value quoted or unquoted',
  };
})();

export const GROUP_FILTER_SPEC: FilterSpec = (() => {
  const core = 'urn:ietf:params:scim:schemas:core:2.0:group:';
  return {
    attributes: new Map([['id', 'id'], ['displayname', 'displayName']]),
    aliases: new Map([[core + 'id', 'id'], [core + 'displayname', 'displayName'], ['externalid', 'externalId'], [core + 'externalid', 'externalId']]),
    supported: '"id eq <groupId>", "displayName eq <groupName>"; one clause, operator eq, value quoted or unquoted',
  };
})();
