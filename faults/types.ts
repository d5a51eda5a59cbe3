/** The data model of fault injection: what a fault sees (requests, responses) and what it may do. */

/** Where a request goes: prefix (/api/v2/scim or /api/v2/scim/v2), resource (lower-cased) and id. */
export interface Route {
  prefix: string;
  /** 'users', 'groups', 'serviceproviderconfig', 'resourcetypes', 'schemas', 'oauth', or ''. */
  resource: string;
  id?: string;
  /** Path segments after the prefix, as sent. */
  segments: string[];
}

/** A buffered request. Transforms may change any field; `body` (parsed JSON) wins over `rawBody` when defined. */
export interface ProxyRequest {
  method: string;
  /** Path without the query string, as sent. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON (any: transforms poke at SCIM documents), or undefined. */
  body: any;
  rawBody: string;
  route: Route;
  /** Scratch space a fault's request transform may leave for its response transform. */
  notes: Record<string, unknown>;
}

/** A buffered response. `body` (parsed JSON) wins over `rawBody` when defined; set both to clear the body. */
export interface ProxyResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON (any: transforms poke at SCIM documents), or undefined. */
  body: any;
  rawBody: string;
}

export interface FaultContext {
  /** Sends a request to the real target (no transform applied). */
  forward(req: ProxyRequest): Promise<ProxyResponse>;
  /** GET `path` on the target with the authorization of `from` (and extra headers). */
  get(path: string, from: ProxyRequest, headers?: Record<string, string>): Promise<ProxyResponse>;
  /** The demo client ('admin', 'none', …) whose token this Authorization header carries, when the proxy saw it issued. */
  clientOf(authorization: string | undefined): string | undefined;
  /** A bearer token of that demo client (fetched once through the target's /oauth/token). */
  tokenFor(clientName: string): Promise<string>;
  /** Per-proxy state for stateful faults. */
  state: Map<string, unknown>;
}

export type FaultArea =
  | 'etag'
  | 'paging'
  | 'filter'
  | 'attributes'
  | 'inactive-users'
  | 'schema-filter'
  | 'patch'
  | 'put'
  | 'delete'
  | 'errors'
  | 'discovery'
  | 'auth'
  | 'content-type'
  | 'groups';

export interface Fault {
  /** kebab-case, unique. */
  id: string;
  area: FaultArea;
  /** What the buggy server does, in one sentence. */
  description: string;
  /**
   * Behaviour ids (catalogue/behaviours.json) expected to catch the fault; an entry ending in `*` is an
   * id prefix (`USR-PATCH-*`). The fault is killed when one of them fails.
   */
  affects: string[];
  /** API version profile of the target (default 2021). */
  apiVersion?: '2021' | '2019';
  /** Change the request in place, or answer it without forwarding (return a response). */
  request?: (req: ProxyRequest, ctx: FaultContext) => ProxyResponse | void | Promise<ProxyResponse | void>;
  /** Change the target's response in place, or return a replacement. Not called on responses the fault answered itself. */
  response?: (req: ProxyRequest, res: ProxyResponse, ctx: FaultContext) => ProxyResponse | void | Promise<ProxyResponse | void>;
}
