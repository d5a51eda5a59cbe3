/**
 * The rules of the connector contract mode: what a provisioning connector's requests are checked against.
 * Each rule has a stable id (used in reports and tests), a severity (error: the request breaks the documented
 * contract; warning: it works here but is fragile or discouraged) and the doc it comes from.
 */

export type Severity = 'error' | 'warning';

export interface RuleDef {
  id: string;
  severity: Severity;
  title: string;
  /** Where the requirement comes from (seed doc operation/parameter, reference notes section, RFC). */
  source: string;
}

const S000 = 'seed 000 (JS SDK 103 doc, 2021)';
const S002 = 'seed 002 (Ruby SDK doc, 2019)';
const REF = 'reference notes (genesys-scim-behaviour.md)';

export const RULES = [
  { id: 'auth.bearer-missing', severity: 'error', title: 'request without an OAuth bearer token (Authorization: Bearer …)', source: `${S000} auth "PureCloud OAuth" on every operation; ${REF} §3` },
  { id: 'auth.token-invalid', severity: 'error', title: 'the bearer token is unknown or expired (401)', source: `${REF} §3` },
  { id: 'auth.permission', severity: 'error', title: 'the token holds none of the permissions the operation requires (answered 403)', source: `${S000}/${S002} "Requires ANY permissions" per operation (fixtures/operations.json)` },
  { id: 'response.forbidden', severity: 'error', title: 'the request was answered 403', source: `${REF} §9` },
  { id: 'operation.unknown', severity: 'error', title: 'no documented operation at this method and path (404/405)', source: `${S000}/${S002} operation list` },
  { id: 'operation.not-in-version', severity: 'error', title: 'the operation does not exist in the selected API version (e.g. group POST/DELETE or schemas in 2019)', source: `${S002} operation list; ${REF} §1.2` },
  { id: 'path.casing', severity: 'warning', title: 'resource path not in the documented lower case (e.g. /Users instead of /users)', source: `${S000} paths; ${REF} §2 (RFC casing is unverified on Genesys)` },
  { id: 'header.content-type', severity: 'error', title: 'request body without Content-Type application/scim+json or application/json', source: `${S002} "Content-Type: application/json, application/scim+json"; ${S000} SDK consumes; ${REF} §11` },
  { id: 'header.accept', severity: 'warning', title: 'Accept header that excludes application/json and application/scim+json', source: `${S002} "Accept: application/json, application/scim+json"; ${REF} §11` },
  { id: 'body.missing', severity: 'error', title: 'POST/PUT/PATCH without a JSON body', source: `${S000} "body" parameter (required) of post/put/patch` },
  { id: 'body.invalid-json', severity: 'error', title: 'the request body is not valid JSON', source: 'RFC 7644 §3.1' },
  { id: 'body.schemas', severity: 'error', title: '"schemas" missing or without the resource/message URN (core User, core Group, PatchOp)', source: 'RFC 7643 §3 / RFC 7644 §3.3, §3.5.2; schemas/ScimV2CreateUser, ScimV2User, ScimV2Group, ScimV2PatchRequest' },
  { id: 'body.required', severity: 'error', title: 'a required attribute is missing (userName, displayName, active on PUT, Operations, op, path of remove, value of add/replace)', source: `${S000} models ScimV2CreateUser/ScimV2User/ScimV2Group/ScimV2PatchRequest; schemas/` },
  { id: 'body.invalid-value', severity: 'error', title: 'an attribute has the wrong type or a value outside the documented set (e.g. op "Replace", phone type "cell")', source: `${S000} models; schemas/ (JSON Schemas of the doc models)` },
  { id: 'body.unknown-attribute', severity: 'warning', title: 'an attribute the model does not have (ignored by the server, e.g. name.givenName)', source: `${S000} models; ${REF} §4.1 (unknown attributes are ignored)` },
  { id: 'precondition.if-match-missing', severity: 'warning', title: 'PUT/PATCH/DELETE without If-Match (a connector should send the ETag it read)', source: `${S000} ifMatch on put/patch/delete; ${REF} §6` },
  { id: 'precondition.if-match-format', severity: 'warning', title: 'If-Match is not an ETag in double quotes (e.g. 42 instead of "42")', source: `${S000} ifMatch: "The ETag of a resource in double quotes … Example: \\"42\\""` },
  { id: 'query.unknown-parameter', severity: 'error', title: 'a query parameter the operation does not document in this API version (e.g. sortBy; attributes in 2019)', source: `${S000}/${S002} parameter tables (fixtures/contract/request-contract.json)` },
  { id: 'query.parameter-case', severity: 'warning', title: 'a documented query parameter spelled in another case (e.g. startindex)', source: `${S000}/${S002} parameter names` },
  { id: 'query.empty-value', severity: 'warning', title: 'a query parameter with an empty value (e.g. count= : the server uses the default)', source: `${S000} parameter defaults (startIndex 1, count 25)` },
  { id: 'query.paging-invalid', severity: 'error', title: 'startIndex or count that is not an integer, startIndex < 1 or count < 0', source: `${S000}/${S002} startIndex "The 1-based index", count "items per page"` },
  { id: 'query.filter-required', severity: 'error', title: 'a list call without the filter the API version requires (2019 users lists)', source: `${S002} get_scim_users(filter, opts): filter required` },
  { id: 'query.filter-sdk-required', severity: 'warning', title: 'GET /scim/v2/groups without a filter (the SDK signature requires it; the doc text returns all groups)', source: `${S000} getScimV2Groups(filter, opts); ${REF} §1.3 item 5` },
  { id: 'query.filter-syntax', severity: 'error', title: 'filter outside the documented grammar: one "attribute eq value" clause (no other operators, and/or, grouping)', source: `${S000} filter "Examples of valid values"; ${REF} §5` },
  { id: 'query.filter-attribute', severity: 'error', title: 'filter on an attribute the doc does not list as filterable', source: `${S000} getScimV2Users filter examples (id, userName, manager, email, division, externalId, active, employeeNumber) and getScimV2Groups (id, displayName)` },
  { id: 'query.filter-not-allowed', severity: 'error', title: 'filter on the schemas list ("Filtered results are invalid and return 403")', source: `${S000} getScimV2Schemas filter` },
  { id: 'query.attribute-unknown', severity: 'error', title: 'an attributes/excludedAttributes value not in the documented Values', source: `${S000} attributes/excludedAttributes "Values" of getScimV2User(s)/getScimV2Group(s)` },
  { id: 'query.count-secondary', severity: 'error', title: 'count > 25 while secondary lookups (externalId, roles, routingSkills, routingLanguages) are returned: the documented 429 risk', source: `${S000} count: "A page size over 25 may … return a 429 error … use excludedAttributes or attributes"` },
  { id: 'rate.limited', severity: 'warning', title: 'the request was rate limited (429 with Retry-After): more than the per-token budget per minute', source: `${REF} §10 (300 requests/min per client-credentials token)` },
] as const satisfies readonly RuleDef[];

export type RuleId = (typeof RULES)[number]['id'];

export const RULES_BY_ID: ReadonlyMap<string, RuleDef> = new Map(RULES.map((r) => [r.id, r]));

export interface Violation {
  rule: RuleId;
  severity: Severity;
  message: string;
  source: string;
  /** How many violations this one stands for, when the report folded repeats of a rule in one request (default 1). */
  count?: number;
}

export function violation(rule: RuleId, message: string): Violation {
  const def = RULES_BY_ID.get(rule)!;
  return { rule, severity: def.severity, message, source: def.source };
}
