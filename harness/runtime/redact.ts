/**
 * Redaction: no secret reaches a failure message, a report or an allure attachment.
 * Three layers: sensitive headers, sensitive JSON/form keys, and every registered
 * secret value (tokens, client secrets) replaced wherever it appears in text.
 */

export const REDACTED = '<redacted>';

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

/**
 * Which JSON and form keys hold secrets, by name. A key is compared with `_`, `-` and case removed
 * (`client_secret`, `clientSecret` and `Client-Secret` are one key). It is a secret when it is one of SECRET_KEYS or
 * ends with one of SECRET_SUFFIXES: `password`, `userPassword`, `new_password`; `secret`, `client_secret`; `token`,
 * `access_token`, `refreshToken`, `id_token`; `apiKey`, `x-api-key`; `privateKey`; `assertion`, `client_assertion`.
 * Harmless keys that merely contain such a word are kept: `code` (a country or error code: the run never sends an
 * OAuth authorization code, it uses client credentials), `tokenType`/`token_type`, `tokenUrl`, `expires_in`,
 * `changePassword` (the ServiceProviderConfig feature: an object, never masked), `passive`, `secretQuestion`.
 * Values registered with registerSecret are masked wherever they appear, whatever the key.
 */
const SECRET_KEYS = new Set(['authorization', 'proxyauthorization', 'cookie', 'setcookie', 'credential', 'credentials', 'pwd', 'passwd', 'passphrase']);
const SECRET_SUFFIXES = ['password', 'secret', 'token', 'apikey', 'privatekey', 'assertion'];

/** Whether a JSON or form key names a secret (see SECRET_KEYS and SECRET_SUFFIXES). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEYS.has(k) || SECRET_SUFFIXES.some((s) => k.endsWith(s));
}

const secrets = new Set<string>();

/** Register a secret value so it is masked wherever it appears. Values shorter than 6 characters are ignored. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 6) secrets.add(secret);
}

export function redactText(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const v = Array.isArray(raw) ? raw.join(', ') : String(raw);
    const lower = name.toLowerCase();
    if (SENSITIVE_HEADERS.has(lower)) {
      const scheme = /^(\w+)\s/.exec(v)?.[1];
      out[lower] = scheme ? `${scheme} ${REDACTED}` : REDACTED;
    } else {
      out[lower] = redactText(v);
    }
  }
  return out;
}

/** Deep copy of a JSON value with sensitive keys masked and registered secrets removed from strings. */
export function redactJson(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSecretKey(k) && v !== null && typeof v !== 'object' ? REDACTED : redactJson(v);
    }
    return out;
  }
  return value;
}

/** Redacts a request or response body given as text: JSON is parsed and masked key by key, form bodies likewise. */
export function redactBodyText(text: string, contentType = ''): string {
  if (!text) return text;
  if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(text)));
    } catch {
      /* not JSON after all */
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType)) {
    const params = new URLSearchParams(text);
    for (const key of [...params.keys()]) if (isSecretKey(key)) params.set(key, REDACTED);
    return redactText(params.toString());
  }
  return redactText(text);
}
