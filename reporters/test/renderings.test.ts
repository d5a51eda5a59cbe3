/**
 * The text summary, the Markdown and HTML reports and junit.xml are layouts of one view: they show the same mark in
 * every cell, the same mark an independent reading of the report's verdicts gives, for a report with every kind of
 * cell, strict and not.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import { renderHtml } from '../html.ts';
import { renderJunit } from '../junit.ts';
import { renderMarkdown, renderText } from '../render.ts';
import { buildReport, type ConformanceReport } from '../report-model.ts';
import { verdictText, viewOf, type Mark } from '../view-model.ts';
import { fixtureReport, outcomes, PREFIXES, target } from './fixture.ts';

type Marks = Map<string, string[]>;

/** What a cell must show, read from the report alone: MUST fails always; SHOULD only when strict; MAY never. */
function expectedMarks(report: ConformanceReport): Marks {
  const strict = report.targets.some((t) => t.strict);
  const marks: Marks = new Map();
  for (const r of report.results) {
    const key = `${r.apiVersion} ${r.behaviour}`;
    const row = marks.get(key) ?? PREFIXES.map(() => '-');
    const counted = r.level === 'MUST' || (strict && r.level === 'SHOULD');
    row[PREFIXES.indexOf(r.prefix)] = { passed: 'pass', failed: counted ? 'FAIL' : 'warn', skipped: 'skip', 'known-failure': 'known', blocked: 'blocked', 'not-run': '-' }[r.verdict];
    marks.set(key, row);
  }
  return marks;
}

function textMarks(text: string): Marks {
  const lines = text.split('\n');
  const marks: Marks = new Map();
  for (const line of lines.slice(1, lines.indexOf(''))) {
    const [id, version, , ...rest] = line.split(/\s+/);
    marks.set(`${version} ${id}`, rest.slice(0, PREFIXES.length));
  }
  return marks;
}

function markdownMarks(md: string): Marks {
  const marks: Marks = new Map();
  const rows = md.split('\n').filter((l) => /^\| (\[)?[A-Z]+-/.test(l));
  for (const line of rows) {
    const cols = line.slice(2, -2).split(/(?<!\\) \| /);
    const id = cols[0].replace(/^\[([^\]]+)\].*$/, '$1');
    marks.set(`${cols[2]} ${id}`, cols.slice(4, 4 + PREFIXES.length));
  }
  return marks;
}

function htmlMarks(html: string): Marks {
  const marks: Marks = new Map();
  for (const tr of html.matchAll(/<tr data-key="([^"]+)" data-marks="[^"]*">(.*?)<\/tr>/g)) {
    const cells = [...tr[2].matchAll(/<td class="c [^"]+" data-prefix="([^"]+)" title="[^"]*">([^<]+)<\/td>/g)];
    expect(cells.map((c) => c[1])).toEqual(PREFIXES);
    marks.set(tr[1], cells.map((c) => c[2]));
  }
  return marks;
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** The mark of every cell that has tests, combined from its JUnit testcases the way a behaviour's verdict is. */
function junitMarks(xml: string): Marks {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  const rank: Record<string, number> = { skip: 0, pass: 1, known: 2, warn: 3, FAIL: 3 };
  const marks: Marks = new Map();
  for (const suite of asArray<any>(doc.testsuites.testsuite)) {
    const props = Object.fromEntries(asArray<any>(suite.properties.property).map((p) => [p.name, p.value]));
    for (const tc of asArray<any>(suite.testcase)) {
      const id = /^\[([A-Z0-9-]+)\]/.exec(tc.name)![1];
      expect(tc.name.endsWith(` on ${props.prefix}`)).toBe(true);
      const mark = tc.failure ? (/warning/.test(tc.failure.type) ? 'warn' : 'FAIL') : tc.skipped !== undefined ? (/^known failure/.test(tc.skipped.message) ? 'known' : 'skip') : 'pass';
      const key = `${props.apiVersion} ${id}`;
      const row = marks.get(key) ?? PREFIXES.map(() => '-');
      const at = PREFIXES.indexOf(props.prefix);
      if (row[at] === '-' || rank[mark] > rank[row[at]]) row[at] = mark;
      marks.set(key, row);
    }
  }
  return marks;
}

describe.for([
  { strict: false, name: 'a non-strict run' },
  { strict: true, name: 'a strict run (SCIM_STRICT)' },
])('text, Markdown, HTML and JUnit agree on every cell: $name', ({ strict }) => {
  const report = fixtureReport(strict);
  const expected = expectedMarks(report);

  test('the fixture holds every kind of cell', () => {
    const all = new Set([...expected.values()].flat());
    for (const m of ['pass', 'FAIL', 'warn', 'skip', 'known', '-'] satisfies Mark[]) expect(all, m).toContain(m);
    const kinds = new Set(report.results.map((r) => r.skipKind).filter(Boolean));
    expect([...kinds].sort()).toEqual(['capability', 'configuration', 'version']);
    expect(report.results.flatMap((r) => r.cases ?? []).some((c) => c.skipKind === 'row')).toBe(true);
    expect(expected.get('2021 AUTH-ERROR-BODY')).toEqual(strict ? ['FAIL', 'FAIL'] : ['warn', 'warn']);
    expect(expected.get('2021 USR-META-LOCATION-PREFIX')).toEqual(['warn', 'pass']);
  });

  test('the view shows what the report says', () => {
    const view = new Map(viewOf(report).rows.map((r) => [`${r.apiVersion} ${r.behaviour}`, r.cells.map((c) => c.mark)]));
    expect(view).toEqual(expected);
  });

  test('the text summary shows every row that ran, with those marks', () => {
    const ran = new Map([...expected].filter(([, m]) => m.some((x) => x !== '-')));
    expect(textMarks(renderText(report))).toEqual(ran);
  });

  test('Markdown and HTML show every row, with those marks', () => {
    expect(markdownMarks(renderMarkdown(report))).toEqual(expected);
    expect(htmlMarks(renderHtml(report))).toEqual(expected);
  });

  test('JUnit testcases add up to those marks, cell by cell', () => {
    const tested = new Map(
      [...expected].filter(([key]) => report.results.some((r) => `${r.apiVersion} ${r.behaviour}` === key && r.cases?.length)).map(([k, m]) => [k, m]),
    );
    const fromJunit = junitMarks(renderJunit(report));
    for (const [key, marks] of tested) {
      const cells = fromJunit.get(key);
      expect(cells, key).toBeDefined();
      expect(cells, key).toEqual(marks.map((m, i) => (report.results.some((r) => `${r.apiVersion} ${r.behaviour}` === key && r.prefix === PREFIXES[i] && r.cases?.length) ? m : '-')));
    }
    expect([...fromJunit.keys()].sort()).toEqual([...tested.keys()].sort());
  });
});

describe('junit.xml', () => {
  const report = fixtureReport(false);
  const xml = renderJunit(report);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  const suites = asArray<any>(doc.testsuites.testsuite);
  const cases = suites.flatMap((s) => asArray<any>(s.testcase));

  test('is well-formed XML, even with markup and control characters in a response body', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const nasty = fixtureReport(false);
    const f = nasty.results.find((r) => r.failures?.length)!.failures![0];
    f.exchange!.response!.body = 'a\u0000b\u001bc </testcase> ]]> & "q"';
    f.actual = '<not-xml attr="1">';
    expect(XMLValidator.validate(renderJunit(nasty))).toBe(true);
  });

  test('has one testcase per test, and its counts add up', () => {
    const all = report.results.flatMap((r) => r.cases ?? []);
    expect(cases).toHaveLength(all.length);
    const n = (f: (s: any) => boolean) => cases.filter(f).length;
    expect(Number(doc.testsuites.tests)).toBe(all.length);
    expect(Number(doc.testsuites.failures)).toBe(all.filter((c) => c.verdict === 'failed').length);
    expect(Number(doc.testsuites.failures)).toBe(n((c) => c.failure !== undefined));
    expect(Number(doc.testsuites.skipped)).toBe(all.filter((c) => c.verdict === 'skipped' || c.verdict === 'known-failure').length);
    expect(Number(doc.testsuites.skipped)).toBe(n((c) => c.skipped !== undefined));
    for (const s of suites) {
      const own = asArray<any>(s.testcase);
      expect(Number(s.tests)).toBe(own.length);
      expect(Number(s.failures)).toBe(own.filter((c) => c.failure !== undefined).length);
      expect(Number(s.skipped)).toBe(own.filter((c) => c.skipped !== undefined).length);
    }
    // one suite per API version and prefix that ran something
    expect(suites.map((s) => s.name).sort()).toEqual([
      'API 2019 /api/v2/scim (fixture-2019)',
      'API 2019 /api/v2/scim/v2 (fixture-2019)',
      'API 2021 /api/v2/scim (fixture-2021)',
      'API 2021 /api/v2/scim/v2 (fixture-2021)',
    ]);
  });

  test('skips carry their kind and reason; known failures are skipped with theirs; failures carry expected, actual, request and curl', () => {
    const byName = (re: RegExp) => cases.filter((c) => re.test(c.name));
    expect(byName(/^\[SPC-NO-PERMISSION\]/)[0].skipped.message).toBe('skipped (configuration): needs a second, limited identity: set SCIM_LIMITED_TOKEN');
    expect(byName(/^\[SPC-IF-NONE-MATCH-304\]/)[0].skipped.message).toMatch(/^skipped \(capability\): the server's ServiceProviderConfig/);
    expect(byName(/^\[SCH-LIST\]/)[0].skipped.message).toMatch(/^skipped \(version\): not documented for API version 2019/);
    expect(byName(/› Schema on/)[0].skipped.message).toBe('skipped (row): the row does not apply');
    expect(byName(/^\[SPC-META\].* on \/api\/v2\/scim\/v2$/)[0].skipped.message).toBe('known failure: meta.location is relative (TICKET-9)');
    const usr = byName(/^\[USR-GET\].* on \/api\/v2\/scim\/v2$/)[0];
    expect(usr.classname).toBe('users.read');
    expect(usr.failure.type).toBe('MUST');
    expect(usr.failure.message).toBe('Expected: 200 | Actual: 500');
    expect(usr.failure['#text']).toMatch(/Request:\nGET http:\/\/127\.0\.0\.1:9\/api\/v2\/scim\/v2\/users\/u-1/);
    expect(usr.failure['#text']).toMatch(/Reproduce:\ncurl /);
    expect(byName(/^\[AUTH-ERROR-BODY\]/)[0].failure.type).toBe('SHOULD warning (not counted in the verdict)');
    expect(byName(/^\[RT-GET\].*› Group on/)[0].failure.message).toBe('Expected: 200 | Actual: 404');
  });
});

describe('what a release manager reads', () => {
  const report = fixtureReport(false);

  test('titles stand beside ids in the text summary, Markdown and HTML', () => {
    const title = report.results.find((r) => r.behaviour === 'USR-GET')!.title;
    expect(title).not.toMatch(/^\[USR-GET\]/);
    expect(renderText(report)).toMatch(new RegExp(`^USR-GET .*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    expect(renderMarkdown(report)).toContain(`| [USR-GET](#f-2021-USR-GET) | ${title} |`);
    expect(renderHtml(report)).toContain(`<td class="id"><a href="#f-2021-USR-GET">USR-GET</a></td><td class="t">${title}</td>`);
  });

  test('failures are grouped by behaviour: the requirement once, then every failing prefix/row with its evidence', () => {
    const view = viewOf(report);
    expect(view.failures.map((g) => g.behaviour)).toEqual(['RT-GET', 'USR-GET']);
    expect(view.warnings.map((g) => g.behaviour)).toEqual(['AUTH-ERROR-BODY', 'USR-META-LOCATION-PREFIX']);
    expect(view.warnings[0].items.map((i) => i.prefix)).toEqual(['/api/v2/scim', '/api/v2/scim/v2']);
    expect(view.warnings[0].items[1].actual).toBe('line one\nline two');
    const md = renderMarkdown(report);
    expect(md.match(/^### AUTH-ERROR-BODY — /gm)).toHaveLength(1);
    expect(md.match(/^#### \/api\/v2\/scim\S* \(API 2021\)/gm)).toHaveLength(5);
    expect(md).toMatch(/#### \/api\/v2\/scim \(API 2021\) › Group\n\n- Check: the status\n- Expected: `200`\n- Actual: `404`/);
    expect(md).toMatch(/Response \(excerpt\):\n\n```http\n500 \(3 ms\)\ncontent-type: application\/scim\+json/);
    expect(md).toMatch(/Reproduce:\n\n```sh\ncurl -sS -i -X GET/);
    expect(md.indexOf('## Failures')).toBeLessThan(md.indexOf('## Warnings'));
    const html = renderHtml(report);
    expect(html.match(/<section class="failure" id="f-2021-AUTH-ERROR-BODY">/g)).toHaveLength(1);
    expect(html).toContain('<tr><th>Expected</th><td><pre>200</pre></td></tr><tr><th>Actual</th><td><pre>404</pre></td></tr>');
    expect(html).toContain('&lt;b&gt;|`x`'); // the body excerpt, escaped
    expect(html).not.toContain('<b>|');
  });

  test('a run narrowed by --id is partial everywhere, and never reads conformant', () => {
    // a MUST failure found by a partial run still makes the target not conformant
    expect(fixtureReport(false, { selection: { ids: ['USR-GET'] } }).verdict).toBe('not conformant');
    const clean = buildReport(outcomes().filter((o) => o.behaviour === 'SPC-GET' && o.apiVersion === '2021'), [['suites-2021', target('2021')]], {
      includeNotRun: true,
      selection: { ids: ['SPC-GET'] },
    });
    expect(clean.verdict).toBe('partial');
    expect(clean.selection).toEqual({ partial: true, ids: ['SPC-GET'] });
    expect(clean.results.find((r) => r.verdict === 'not-run')?.note).toBe('not selected in this run');
    const line = 'partial: 2 of 2 selected behaviour×prefix results passed';
    expect(verdictText(clean)).toBe(line);
    expect(renderText(clean)).toContain(`→ ${line} — partial run (--id SPC-GET): not a conformance verdict`);
    expect(renderMarkdown(clean)).toContain(`**Verdict: ${line}**`);
    expect(renderHtml(clean)).toContain(`<span id="verdict" class="verdict v-partial">${line}</span>`);
    expect(renderJunit(clean)).toContain(`<testsuites name="SCIM conformance: ${line}"`);
    for (const text of [renderText(clean), renderMarkdown(clean), renderJunit(clean)]) expect(text).not.toMatch(/\bconformant\b/);
  });
});

describe('a SCIM root at the host root (prefix "")', () => {
  test('every rendering shows its column as "/", and the JSON report keeps the prefix ""', () => {
    const root = { ...target('2021'), prefixes: [''], profile: 'rfc7644' as const };
    const report = buildReport(
      [{ behaviour: 'RFC-SPC-GET', prefix: '', project: 'conformance', apiVersion: '2021', test: '[RFC-SPC-GET] serves it', level: 'MUST', resource: 'service-provider-config', verdict: 'failed', message: 'boom' }],
      [['conformance', root]],
      { includeNotRun: false },
    );
    expect(report.results.map((r) => [r.behaviour, r.prefix, r.verdict])).toEqual([['RFC-SPC-GET', '', 'failed']]);
    const view = viewOf(report);
    expect(view.prefixes).toEqual(['/']);
    expect(view.rows[0].cells.map((c) => [c.prefix, c.mark])).toEqual([['/', 'FAIL']]);
    expect(renderText(report)).toMatch(/RFC-SPC-GET\s+2021\s+MUST\s+FAIL/);
    expect(renderMarkdown(report)).toContain('| behaviour | title | version | level | / | note |');
    expect(renderHtml(report)).toContain('<th>/</th>');
    expect(renderJunit(report)).toContain('name="API 2021 /');
    expect(view.facts.find(([k]) => k === 'target')?.[1]).toContain('prefixes /,');
  });
});
