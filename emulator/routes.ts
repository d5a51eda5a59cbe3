/**
 * The emulator's route set. To add a resource module, write a `RouteProvider`
 * (`(ctx: RouteContext) => RouteDef[]`) and append it to ROUTE_PROVIDERS, e.g.
 *
 *   import { directoryRoutes } from './domain/routes.ts';
 *   export const ROUTE_PROVIDERS: readonly RouteProvider[] = [discoveryRoutes, directoryRoutes];
 *
 * Each RouteDef names an operation key of fixtures/operations.json; the adapter in server.ts
 * registers it under both prefixes and does auth, permissions, query/body decoding and errors.
 */
import { discoveryRoutes } from './discovery.ts';
import type { RouteContext, RouteDef, RouteProvider } from './routing.ts';

export type { RouteContext, RouteDef, RouteProvider } from './routing.ts';

export const ROUTE_PROVIDERS: readonly RouteProvider[] = [
  discoveryRoutes,
  // users/groups providers go here
];

/** Built once at startup: the built-in providers followed by any extra ones (EmulatorOptions.routeProviders). */
export function buildRoutes(ctx: RouteContext, extra: readonly RouteProvider[] = []): RouteDef[] {
  return [...ROUTE_PROVIDERS, ...extra].flatMap((provider) => provider(ctx));
}
