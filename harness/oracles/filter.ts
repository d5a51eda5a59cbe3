/**
 * The harness's one SCIM filter parser, and a local filter evaluator, written from RFC 7644 §3.4.2.2 (Figure 1 ABNF,
 * Tables 3 and 4) and RFC 7643 §2 alone, independent of any server code. The rfc7644 suite asks the server to filter
 * resources the run created and compares the answer with what this evaluator says the same filter selects from those
 * resources; the PATCH model (oracles/patch/) parses the value filters of PATCH paths with the same parser.
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"      (and plain grouping "(" FILTER ")")
 *   valuePath = attrPath "[" valFilter "]"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   logExp    = FILTER SP ("and" / "or") SP FILTER                          ("and" binds tighter than "or")
 *   compValue = false / null / true / number / string                        (string: a JSON string)
 *   attrPath  = [URI ":"] ATTRNAME *1subAttr
 *
 * Semantics (RFC 7644 §3.4.2.2):
 * - attribute names and operators are case-insensitive;
 * - a string comparison follows the attribute's caseExact (RFC 7643 §2.2: default false → case-insensitive);
 * - gt/ge/lt/le compare strings lexicographically, dateTime values as instants, numbers as numbers; on boolean or
 *   binary attributes they are an invalidFilter (the evaluator throws FilterError);
 * - pr matches a non-empty value (not null, not "", not an empty array or object);
 * - a multi-valued attribute matches when any of its values matches ("emails.type eq "work"");
 *   a complex multi-valued attribute without a sub-attribute is compared through its "value" sub-attribute;
 * - ne is the negation of eq (an absent attribute is "not equal"; the suite never relies on that corner).
 */
import { ciGet } from './attributes.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
export type CompValue = string | number | boolean | null;

export interface AttrPath {
  /** Schema URN prefix, when the path is fully qualified. */
  urn?: string;
  attr: string;
  sub?: string;
}

export type FilterNode =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompValue }
  | { kind: 'pr'; path: AttrPath }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; filter: FilterNode }
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode };

export class FilterError extends Error {
  constructor(message: string, readonly scimType: 'invalidFilter' = 'invalidFilter') {
    super(message);
    this.name = 'FilterError';
  }
}

// ---------------------------------------------------------------- parsing

export interface ParseOptions {
  /**
   * Also accept single-quoted strings (`authority eq 'microsoftteams'`): not RFC 7644, but Entra sends them inside
   * PATCH value filters (reference §7), so the PATCH model reads them. Off for filters sent as a query.
   */
  singleQuotes?: boolean;
}

type Tok = { t: 'word'; v: string } | { t: 'str'; v: string } | { t: '(' | ')' | '[' | ']' };

const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A single-quoted string's value: JSON escapes, plus \' for the quote. */
function singleQuoted(raw: string): string {
  let out = '';
  for (let j = 0; j < raw.length; j++) {
    if (raw[j] !== '\\') {
      out += raw[j];
      continue;
    }
    const n = raw[j + 1];
    if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(j + 2, j + 6))) {
      out += String.fromCharCode(parseInt(raw.slice(j + 2, j + 6), 16));
      j += 5;
    } else if (n !== undefined && n in ESCAPES) {
      out += ESCAPES[n];
      j++;
    } else {
      throw new FilterError(`invalid escape \\${n ?? ''} in '${raw}'`);
    }
  }
  return out;
}

function tokenize(text: string, options: ParseOptions): Tok[] {
  const out: Tok[] = [];
  const quotes = options.singleQuotes ? `"'` : '"';
  const wordEnd = options.singleQuotes ? /[\s()[\]"']/ : /[\s()[\]"]/;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      out.push({ t: c });
      i++;
    } else if (quotes.includes(c)) {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new FilterError(`unterminated string at ${i}`);
      const raw = text.slice(i, j + 1);
      try {
        out.push({ t: 'str', v: c === '"' ? (JSON.parse(raw) as string) : singleQuoted(raw.slice(1, -1)) });
      } catch (e) {
        throw e instanceof FilterError ? e : new FilterError(`invalid string ${raw}`);
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !wordEnd.test(text[j])) j++;
      out.push({ t: 'word', v: text.slice(i, j) });
      i = j;
    }
  }
  return out;
}

const ATTRNAME = /^[A-Za-z$][\w$-]*$/;

export function parseAttrPath(raw: string): AttrPath {
  let urn: string | undefined;
  let rest = raw;
  const colon = raw.lastIndexOf(':');
  if (colon >= 0) {
    urn = raw.slice(0, colon);
    rest = raw.slice(colon + 1);
    if (!/^urn:/i.test(urn)) throw new FilterError(`attribute path ${raw}: a schema prefix is a URN`);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTRNAME.test(p))) throw new FilterError(`invalid attribute path ${JSON.stringify(raw)}`);
  return { ...(urn ? { urn } : {}), attr: parts[0], ...(parts[1] ? { sub: parts[1] } : {}) };
}

function literal(tok: Tok | undefined): CompValue {
  if (!tok) throw new FilterError('missing comparison value');
  if (tok.t === 'str') return tok.v;
  if (tok.t !== 'word') throw new FilterError('missing comparison value');
  const w = tok.v;
  if (w === 'true') return true;
  if (w === 'false') return false;
  if (w === 'null') return null;
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(w)) return Number(w);
  throw new FilterError(`invalid comparison value ${w} (strings are double-quoted)`);
}

/** Parses a filter; throws FilterError for anything outside the RFC grammar. */
export function parseFilter(text: string, options: ParseOptions = {}): FilterNode {
  const toks = tokenize(text, options);
  let i = 0;
  const peekWord = () => (toks[i]?.t === 'word' ? (toks[i] as { v: string }).v.toLowerCase() : undefined);

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (peekWord() === 'or') {
      i++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseUnary();
    while (peekWord() === 'and') {
      i++;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const expect = (t: '(' | ')' | ']') => {
    if (toks[i]?.t !== t) throw new FilterError(`expected "${t}"`);
    i++;
  };
  const parseUnary = (): FilterNode => {
    const tok = toks[i];
    if (!tok) throw new FilterError('unexpected end of filter');
    if (tok.t === 'word' && tok.v.toLowerCase() === 'not' && toks[i + 1]?.t === '(') {
      i += 2;
      const inner = parseOr();
      expect(')');
      return { kind: 'not', filter: inner };
    }
    if (tok.t === '(') {
      i++;
      const inner = parseOr();
      expect(')');
      return inner;
    }
    if (tok.t !== 'word') throw new FilterError('expected an attribute path');
    i++;
    const path = parseAttrPath(tok.v);
    if (toks[i]?.t === '[') {
      i++;
      const inner = parseOr();
      expect(']');
      return { kind: 'valuePath', path, filter: inner };
    }
    const op = peekWord();
    if (op === 'pr') {
      i++;
      return { kind: 'pr', path };
    }
    if (!op || !(COMPARE_OPS as readonly string[]).includes(op)) throw new FilterError(`expected an operator after ${tok.v}`);
    i++;
    const value = literal(toks[i]);
    i++;
    return { kind: 'compare', path, op: op as CompareOp, value };
  };

  const node = parseOr();
  if (i !== toks.length) throw new FilterError('unexpected text after the filter');
  return node;
}

// ---------------------------------------------------------------- serialising

/** An attribute path as text: `urn:…:attr.sub`. */
export function attrPathText(p: AttrPath): string {
  return `${p.urn ? `${p.urn}:` : ''}${p.attr}${p.sub ? `.${p.sub}` : ''}`;
}

const PRECEDENCE: Record<FilterNode['kind'], number> = { or: 1, and: 2, not: 3, compare: 3, pr: 3, valuePath: 3 };

/** The filter as text, parenthesised only where precedence needs it. */
export function formatFilter(node: FilterNode): string {
  const wrap = (child: FilterNode, min: number) => (PRECEDENCE[child.kind] < min ? `(${formatFilter(child)})` : formatFilter(child));
  switch (node.kind) {
    case 'compare':
      return `${attrPathText(node.path)} ${node.op} ${JSON.stringify(node.value)}`;
    case 'pr':
      return `${attrPathText(node.path)} pr`;
    case 'and':
      return `${wrap(node.left, 2)} and ${wrap(node.right, 3)}`;
    case 'or':
      return `${wrap(node.left, 1)} or ${wrap(node.right, 2)}`;
    case 'not':
      return `not (${formatFilter(node.filter)})`;
    case 'valuePath':
      return `${attrPathText(node.path)}[${formatFilter(node.filter)}]`;
  }
}

// ---------------------------------------------------------------- evaluating

export interface AttributeInfo {
  /** RFC 7643 §2.3 data type: string, boolean, decimal, integer, dateTime, binary, reference, complex. */
  type?: string;
  caseExact?: boolean;
}

/** Describes an attribute of the resource being filtered (from the server's /Schemas); undefined: infer. */
export type AttributeLookup = (path: AttrPath) => AttributeInfo | undefined;


function base(resource: unknown, urn: string | undefined): unknown {
  if (!urn) return resource;
  // An extension's attributes live under its URN key; the core schema's at the top level.
  const ext = ciGet(resource, urn);
  return ext !== undefined ? ext : resource;
}

/** The values an attribute path selects in a resource (empty when absent). */
export function valuesAt(resource: unknown, path: AttrPath): unknown[] {
  const top = ciGet(base(resource, path.urn), path.attr);
  const items = Array.isArray(top) ? top : top === undefined || top === null ? [] : [top];
  if (path.sub) return items.map((x) => ciGet(x, path.sub!)).flatMap((x) => (Array.isArray(x) ? x : [x])).filter((x) => x !== undefined && x !== null);
  // A complex multi-valued attribute is compared through its "value" sub-attribute.
  return items.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? ciGet(x, 'value') : x)).filter((x) => x !== undefined && x !== null);
}

function present(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(present);
  if (typeof v === 'object') return Object.values(v as object).some(present);
  return true;
}

function compareOne(actual: unknown, op: CompareOp, expected: CompValue, info: AttributeInfo): boolean {
  const type = info.type;
  if ((op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') && (type === 'boolean' || type === 'binary' || typeof actual === 'boolean' || typeof expected === 'boolean')) {
    throw new FilterError(`${op} is not defined for boolean or binary attributes`);
  }
  if (expected === null) {
    // "eq null" / "ne null": only the absence of a value equals null.
    return op === 'ne';
  }
  let a: string | number | boolean;
  let e: string | number | boolean;
  if (type === 'dateTime' && typeof actual === 'string' && typeof expected === 'string') {
    const ta = Date.parse(actual);
    const te = Date.parse(expected);
    if (Number.isNaN(ta) || Number.isNaN(te)) return op === 'ne';
    if (op === 'co' || op === 'sw' || op === 'ew') {
      a = actual;
      e = expected;
    } else {
      a = ta;
      e = te;
    }
  } else if (typeof actual === 'string' && typeof expected === 'string') {
    const exact = info.caseExact === true;
    a = exact ? actual : actual.toLowerCase();
    e = exact ? expected : expected.toLowerCase();
  } else if (typeof actual === typeof expected && (typeof actual === 'number' || typeof actual === 'boolean')) {
    a = actual as number | boolean;
    e = expected as number | boolean;
  } else {
    // Different types never compare equal (e.g. a string attribute against a number literal).
    return op === 'ne';
  }
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return String(a).includes(String(e));
    case 'sw':
      return String(a).startsWith(String(e));
    case 'ew':
      return String(a).endsWith(String(e));
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
  }
}

function infer(values: unknown[]): AttributeInfo {
  const v = values[0];
  return { type: typeof v === 'boolean' ? 'boolean' : typeof v === 'number' ? 'decimal' : 'string', caseExact: false };
}

/** The nodes a filter's logic (and, or, not) combines. */
export type FilterLeaf = Extract<FilterNode, { kind: 'compare' | 'pr' | 'valuePath' }>;

/** Evaluates the logic of a filter (and, or, not); `leaf` judges each comparison, presence test and value path. */
export function evaluateLogic(node: FilterNode, leaf: (n: FilterLeaf) => boolean): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateLogic(node.left, leaf) && evaluateLogic(node.right, leaf);
    case 'or':
      return evaluateLogic(node.left, leaf) || evaluateLogic(node.right, leaf);
    case 'not':
      return !evaluateLogic(node.filter, leaf);
    default:
      return leaf(node);
  }
}

/** Whether `resource` matches `filter`. `lookup` describes attributes (type, caseExact) as the server declares them. */
export function matches(filter: FilterNode | string, resource: unknown, lookup: AttributeLookup = () => undefined): boolean {
  const node = typeof filter === 'string' ? parseFilter(filter) : filter;
  const evalNode = (root: FilterNode, target: unknown, parent?: AttrPath): boolean => {
    // Inside a value path, attribute names are sub-attributes of the parent attribute.
    const describe = (p: AttrPath): AttributeInfo | undefined => lookup(parent ? { urn: parent.urn, attr: parent.attr, sub: p.attr } : p);
    return evaluateLogic(root, (n) => {
      switch (n.kind) {
        case 'pr':
          return valuesAt(target, n.path).some(present);
        case 'compare': {
          const values = valuesAt(target, n.path);
          const info = describe(n.path) ?? infer(values);
          if (n.value === null) return n.op === 'eq' ? values.length === 0 : n.op === 'ne' ? values.length > 0 : false;
          if (n.op === 'ne') return !values.some((v) => compareOne(v, 'eq', n.value, info));
          return values.some((v) => compareOne(v, n.op, n.value, info));
        }
        case 'valuePath': {
          if (parent) throw new FilterError('value paths do not nest');
          const top = ciGet(base(target, n.path.urn), n.path.attr);
          const items = Array.isArray(top) ? top : top === undefined || top === null ? [] : [top];
          return items.some((item) => evalNode(n.filter, item, n.path));
        }
      }
    });
  };
  return evalNode(node, resource);
}

/** The resources of `resources` that match `filter`, in their order. */
export function select<T>(filter: FilterNode | string, resources: readonly T[], lookup?: AttributeLookup): T[] {
  const node = typeof filter === 'string' ? parseFilter(filter) : filter;
  return resources.filter((r) => matches(node, r, lookup));
}

/**
 * Compares two attribute values for sorting (RFC 7644 §3.4.2.3): by the attribute's type; strings
 * case-insensitively unless caseExact. Absent values sort last in ascending order.
 */
export function compareForSort(a: unknown, b: unknown, info: AttributeInfo = {}): number {
  const missingA = a === undefined || a === null;
  const missingB = b === undefined || b === null;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (info.type === 'dateTime' && typeof a === 'string' && typeof b === 'string') return Date.parse(a) - Date.parse(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = info.caseExact ? String(a) : String(a).toLowerCase();
  const sb = info.caseExact ? String(b) : String(b).toLowerCase();
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The value a resource is sorted by: a multi-valued attribute's primary value, or else its first (RFC 7644 §3.4.2.3). */
export function sortValue(resource: unknown, path: AttrPath): unknown {
  const top = ciGet(base(resource, path.urn), path.attr);
  if (Array.isArray(top)) {
    const primary = top.find((x) => ciGet(x, 'primary') === true) ?? top[0];
    return path.sub ? ciGet(primary, path.sub) : primary && typeof primary === 'object' ? ciGet(primary, 'value') : primary;
  }
  return path.sub ? ciGet(top, path.sub) : top;
}
