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
import { usersGroupsRoutes } from './domain/routes.ts';
import type { RouteContext, RouteDef, RouteProvider } from './routing.ts';

export type { RouteContext, RouteDef, RouteProvider } from './routing.ts';

export const ROUTE_PROVIDERS: readonly RouteProvider[] = [
  discoveryRoutes,
  usersGroupsRoutes,
];

/** Built once at startup: the built-in providers followed by any extra ones (EmulatorOptions.routeProviders). */
export function buildRoutes(ctx: RouteContext, extra: readonly RouteProvider[] = [], domain = true): RouteDef[] {
  const builtIn = domain ? ROUTE_PROVIDERS : ROUTE_PROVIDERS.filter((p) => p !== usersGroupsRoutes);
  return [...builtIn, ...extra].flatMap((provider) => provider(ctx));
}
