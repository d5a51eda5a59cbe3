/**
 * Value filters inside a PATCH path (`emails[type eq "work"]`, RFC 7644 §3.5.2 valuePath): parsing, and matching a
 * record of a multi-valued attribute.
 */
import { ciGet } from '../attributes.ts';
import { isUnassigned, lc, PathSyntaxError, type Obj } from './model.ts';
import { findDef, type AttrDef } from './schema.ts';

export type Filter =
  | { kind: 'cmp'; attr: string; op: 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'; value: string | number | boolean | null }
  | { kind: 'pr'; attr: string }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; inner: Filter };


type Token = { t: 'name' | 'str' | 'num' | 'lit' | '(' | ')'; v: string };

function tokenizeFilter(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const err = (m: string) => new PathSyntaxError(`filter "${text}": ${m}`, true);
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c, v: c });
      i++;
    } else if (c === '"' || c === "'") {
      // JSON string (RFC 7644 §3.4.2.2); single quotes accepted as Entra sends them (reference §7).
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') {
          const n = text[j + 1];
          if (n === undefined) throw err('unterminated escape');
          const map: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (n === 'u') {
            const hex = text.slice(j + 2, j + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw err('bad \\u escape');
            s += String.fromCharCode(parseInt(hex, 16));
            j += 6;
            continue;
          }
          if (!(n in map)) throw err(`bad escape \\${n}`);
          s += map[n];
          j += 2;
        } else {
          s += text[j];
          j++;
        }
      }
      if (j >= text.length) throw err('unterminated string');
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
      if (!m) throw err(`unexpected "${c}"`);
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z$]/.test(c)) {
      const m = /^[A-Za-z$][\w$.:-]*/.exec(text.slice(i))!;
      out.push({ t: 'name', v: m[0] });
      i += m[0].length;
    } else {
      throw err(`unexpected "${c}"`);
    }
  }
  return out;
}

const CMP_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;

/** Parses a valFilter (RFC 7644 §3.4.2.2 grammar, as used inside a valuePath). */
export function parseFilter(text: string): Filter {
  const toks = tokenizeFilter(text);
  let p = 0;
  const err = (m: string) => new PathSyntaxError(`filter "${text}": ${m}`, true);
  const peek = () => toks[p];
  const isWord = (tok: Token | undefined, w: string) => tok?.t === 'name' && lc(tok.v) === w;

  const primary = (): Filter => {
    const tok = peek();
    if (!tok) throw err('unexpected end');
    if (isWord(tok, 'not')) {
      p++;
      if (peek()?.t !== '(') throw err('"not" needs "("');
      p++;
      const inner = or();
      if (peek()?.t !== ')') throw err('missing ")"');
      p++;
      return { kind: 'not', inner };
    }
    if (tok.t === '(') {
      p++;
      const inner = or();
      if (peek()?.t !== ')') throw err('missing ")"');
      p++;
      return inner;
    }
    if (tok.t !== 'name' || !/^[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?$/.test(tok.v)) throw err(`expected an attribute, got "${tok.v}"`);
    p++;
    const opTok = peek();
    if (!opTok || opTok.t !== 'name') throw err(`expected an operator after ${tok.v}`);
    const op = lc(opTok.v);
    p++;
    if (op === 'pr') return { kind: 'pr', attr: tok.v };
    if (!(CMP_OPS as readonly string[]).includes(op)) throw err(`unknown operator "${opTok.v}"`);
    const vt = peek();
    if (!vt) throw err('missing comparison value');
    p++;
    let value: string | number | boolean | null;
    if (vt.t === 'str') value = vt.v;
    else if (vt.t === 'num') value = Number(vt.v);
    else if (vt.t === 'name' && ['true', 'false', 'null'].includes(lc(vt.v))) value = lc(vt.v) === 'null' ? null : lc(vt.v) === 'true';
    else throw err(`comparison value must be quoted, a number, true, false or null (got ${vt.v})`);
    return { kind: 'cmp', attr: tok.v, op: op as (typeof CMP_OPS)[number], value };
  };
  const and = (): Filter => {
    let left = primary();
    while (isWord(peek(), 'and')) {
      p++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Filter => {
    let left = and();
    while (isWord(peek(), 'or')) {
      p++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  if (toks.length === 0) throw err('empty filter');
  const f = or();
  if (p !== toks.length) throw err(`unexpected "${toks[p].v}"`);
  return f;
}

export function matchFilter(f: Filter, rec: Obj, attr: AttrDef): boolean {
  switch (f.kind) {
    case 'and':
      return matchFilter(f.left, rec, attr) && matchFilter(f.right, rec, attr);
    case 'or':
      return matchFilter(f.left, rec, attr) || matchFilter(f.right, rec, attr);
    case 'not':
      return !matchFilter(f.inner, rec, attr);
    case 'pr':
      return !isUnassigned(ciGet(rec, f.attr));
    case 'cmp': {
      const def = findDef(attr.sub, f.attr)!;
      let a = ciGet(rec, f.attr) as unknown;
      let b = f.value as unknown;
      if (typeof a === 'string' && typeof b === 'string' && def.ci) {
        a = lc(a);
        b = lc(b);
      }
      if (a === undefined || a === null) return f.op === 'ne' ? b !== null : f.op === 'eq' && b === null;
      switch (f.op) {
        case 'eq':
          return a === b;
        case 'ne':
          return a !== b;
        case 'co':
          return typeof a === 'string' && typeof b === 'string' && a.includes(b);
        case 'sw':
          return typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
        case 'ew':
          return typeof a === 'string' && typeof b === 'string' && a.endsWith(b);
        case 'gt':
          return typeof a === typeof b && (a as any) > (b as any);
        case 'ge':
          return typeof a === typeof b && (a as any) >= (b as any);
        case 'lt':
          return typeof a === typeof b && (a as any) < (b as any);
        case 'le':
          return typeof a === typeof b && (a as any) <= (b as any);
      }
    }
  }
}
