/** Allure glue: labels of a behaviour test, and every exchange as a step with the redacted request and response. */
import * as allure from 'allure-js-commons';
import type { Behaviour } from '../../config/catalogue.ts';
import type { ResolvedTarget } from '../../config/target.ts';
import type { RecordedExchange } from '../http.ts';
import { formatExchange } from '../verify.ts';

export async function labelForAllure(b: Behaviour, prefix: string, target: ResolvedTarget): Promise<void> {
  try {
    await allure.label('behaviour', b.id);
    await allure.epic(b.resource);
    await allure.feature(b.area);
    await allure.story(b.id);
    await allure.severity(b.level === 'MUST' ? 'critical' : b.level === 'SHOULD' ? 'normal' : 'minor');
    await allure.parameter('prefix', prefix);
    await allure.tags(b.level, `prefix:${prefix}`, `profile:${target.profile ?? 'genesys'}`, `api:${target.apiVersion}`, `target:${target.targetName}`);
  } catch {
    /* allure runtime not installed in this project: labels are optional */
  }
}

/**
 * The most exchanges a passing check shows as allure steps: the first and the last half of them, with a step saying how
 * many were left out between (a property-based check sends hundreds; writing each as files made the allure results
 * the slowest part of an emulator run). A check that did not pass shows every exchange.
 */
export const ALLURE_STEPS_OF_A_PASS = 10;

/** The exchanges of the test as allure steps with the redacted request and response attached (at most `most`). */
export async function exchangesToAllure(exchanges: RecordedExchange[], most = Infinity): Promise<void> {
  const shown = exchanges.length <= most ? exchanges : [...exchanges.slice(0, Math.ceil(most / 2)), undefined, ...exchanges.slice(exchanges.length - Math.floor(most / 2))];
  for (const ex of shown) {
    if (!ex) {
      try {
        await allure.step(`… ${exchanges.length - most} more exchanges of this passing check not shown (a check that does not pass shows every one)`, () => undefined);
      } catch {
        return;
      }
      continue;
    }
    const path = ex.request.url.replace(/^https?:\/\/[^/]+/, '');
    const outcome = ex.response ? String(ex.response.status) : 'no response';
    try {
      const notes = [ex.attempt ? `retry ${ex.attempt}` : '', ex.reused ? 'reused: sent by another check' : '', ex.housekeeping ? 'clean-up' : ''].filter(Boolean);
      await allure.step(`${ex.request.method} ${path} → ${outcome}${notes.length ? ` (${notes.join(', ')})` : ''}`, async () => {
        await allure.attachment('request', requestText(ex), 'text/plain');
        await allure.attachment('response', responseText(ex), 'text/plain');
      });
    } catch {
      return;
    }
  }
}

function requestText(ex: RecordedExchange): string {
  const head = Object.entries(ex.request.headers).map(([k, v]) => `${k}: ${v}`);
  return [`${ex.request.method} ${ex.request.url}`, ...head, '', ex.request.body ?? ''].join('\n');
}

function responseText(ex: RecordedExchange): string {
  if (!ex.response) return `no response: ${ex.error ?? 'unknown error'}`;
  const head = Object.entries(ex.response.headers).map(([k, v]) => `${k}: ${v}`);
  return [`${ex.response.status} (${ex.durationMs} ms)`, ...head, '', ex.response.body].join('\n');
}

/** Attaches the exchange that proved a failure (optional: outside allure it does nothing). */
export async function attachFailingExchange(exchange: RecordedExchange): Promise<void> {
  try {
    await allure.attachment('failing exchange', formatExchange(exchange), 'text/plain');
  } catch {
    /* optional */
  }
}
