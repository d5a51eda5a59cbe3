/**
 * PATCH paths (RFC 7644 §3.5.2 ABNF, §3.10 URN prefixes): parsing the text, and resolving it against the resource
 * schema to the attribute, filter and sub-attribute it targets.
 */
import { lc, open, PathSyntaxError, refuse, type ModelOptions } from './model.ts';
import { findDef, type AttrDef, type ExtDef, type ResourceSchema } from './schema.ts';
import { attrPathText } from '../filter.ts';
import { parseValueFilter, type Filter } from './value-filter.ts';


export interface ParsedPath {
  /** Schema URN prefix as written (undefined: none). */
  urn?: string;
  /** Attribute name (undefined: the path is only a schema URN). */
  attr?: string;
  filter?: Filter;
  filterText?: string;
  sub?: string;
}

const ATTRNAME = /^(\$ref|[A-Za-z][\w-]*)/;

/** Parses a PATCH path (RFC 7644 §3.5.2 ABNF + §3.10 URN prefixes). Throws PathSyntaxError. */
export function parsePath(path: string, knownUrns: readonly string[]): ParsedPath {
  const err = (m: string) => new PathSyntaxError(`path "${path}": ${m}`, false);
  let rest = path;
  const out: ParsedPath = {};
  if (/^urn:/i.test(rest)) {
    const urn = [...knownUrns].sort((a, b) => b.length - a.length).find((u) => lc(rest).startsWith(lc(u)) && (rest.length === u.length || rest[u.length] === ':'));
    if (!urn) {
      // An unknown schema URN: the attribute it names does not exist here.
      const m = /^(urn:[^[\]]*):([A-Za-z$][\w$-]*)$/i.exec(rest);
      if (!m) throw err('unknown schema URN');
      out.urn = m[1];
      rest = m[2];
    } else {
      out.urn = urn;
      rest = rest.slice(urn.length);
      if (rest === '') return out;
      rest = rest.slice(1);
    }
  }
  const m = ATTRNAME.exec(rest);
  if (!m) throw err(rest === '' ? 'missing attribute name' : `"${rest}" does not start with an attribute name`);
  out.attr = m[0];
  rest = rest.slice(m[0].length);
  if (rest.startsWith('[')) {
    // the matching "]" outside quoted strings
    let j = 1;
    let quote: string | undefined;
    for (; j < rest.length; j++) {
      const c = rest[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') throw err('nested "["');
      else if (c === ']') break;
    }
    if (j >= rest.length) {
      if (quote) throw new PathSyntaxError(`path "${path}": unterminated string in the filter`, true);
      throw err('missing "]"');
    }
    out.filterText = rest.slice(1, j);
    out.filter = parseValueFilter(out.filterText);
    rest = rest.slice(j + 1);
  }
  if (rest.startsWith('.')) {
    const s = ATTRNAME.exec(rest.slice(1));
    if (!s) throw err('missing sub-attribute name after "."');
    out.sub = s[0];
    rest = rest.slice(1 + s[0].length);
  }
  if (rest !== '') throw err(`unexpected "${rest}"`);
  return out;
}


export interface Target {
  /** Extension URN holding the attribute (undefined: core). */
  ext?: ExtDef;
  /** undefined: the whole extension object. */
  attr?: AttrDef;
  filter?: Filter;
  sub?: AttrDef;
  /** For messages. */
  text: string;
}

export function resolveTarget(schema: ResourceSchema, p: ParsedPath, opts: ModelOptions, text: string): Target {
  const knownUrns = [schema.coreUrn, ...schema.exts.map((e) => e.urn)];
  let ext: ExtDef | undefined;
  if (p.urn !== undefined) {
    if (!knownUrns.some((u) => lc(u) === lc(p.urn!))) refuse('invalidPath', `unknown schema ${p.urn}`);
    ext = schema.exts.find((e) => lc(e.urn) === lc(p.urn!));
    if (!ext && p.attr === undefined) open(`a path naming only the core schema (${text})`);
  }
  if (ext?.since2021 && opts.apiVersion !== '2021') open(`${ext.urn} is not documented for API version ${opts.apiVersion}`);
  if (p.attr === undefined) return { ext, text };
  const defs = ext ? ext.attrs : schema.core;
  if (!ext && lc(p.attr) === 'schemas') open('modifying "schemas" (RFC 7644 §3.5.2: clients MUST NOT; the server answer is not specified)');
  const attr = findDef(defs, p.attr) ?? refuse('invalidPath', `unknown attribute "${p.attr}" (${text})`, ['noTarget']);
  if (attr.name === 'roles' && opts.apiVersion !== '2021') open('roles are documented for API version 2021 only');
  if (p.filter && !attr.multi) refuse('invalidPath', `a value filter on the single-valued attribute ${attr.name}`, ['invalidFilter']);
  let sub: AttrDef | undefined;
  if (p.sub !== undefined) {
    if (attr.type !== 'complex') refuse('invalidPath', `${attr.name} has no sub-attributes`);
    sub = findDef(attr.sub, p.sub) ?? refuse('invalidPath', `unknown sub-attribute ${attr.name}.${p.sub}`, ['noTarget']);
  }
  if (p.filter) checkFilterAttrs(p.filter, attr);
  return { ext, attr, filter: p.filter, sub, text };
}

function checkFilterAttrs(f: Filter, attr: AttrDef): void {
  switch (f.kind) {
    case 'and':
    case 'or':
      checkFilterAttrs(f.left, attr);
      checkFilterAttrs(f.right, attr);
      return;
    case 'not':
      checkFilterAttrs(f.filter, attr);
      return;
    case 'valuePath':
      return open(`a value path inside the value filter of ${attr.name}`);
    default: {
      const def = f.path.urn === undefined && f.path.sub === undefined ? findDef(attr.sub, f.path.attr) : undefined;
      if (!def) open(`a filter on "${attrPathText(f.path)}", not a sub-attribute of ${attr.name}`);
      if (def.ignored) open(`a filter on ${attr.name}.${def.name}, which the model does not determine`);
    }
  }
}

