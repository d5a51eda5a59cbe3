/**
 * Users and groups routes: the domain's handlers bound to the operations of fixtures/operations.json.
 * One domain (one store) per emulator instance.
 */
import type { RouteDef, RouteProvider } from '../routing.ts';
import { createUsersGroupsDomain } from './index.ts';

export const usersGroupsRoutes: RouteProvider = (ctx) => {
  const { handlers: h } = createUsersGroupsDomain({
    apiVersion: ctx.apiVersion,
    listCountLimit: ctx.listCountLimit,
    now: () => new Date(ctx.now()),
    indexLagMs: ctx.indexLagMs,
    ...ctx.behaviour,
  });
  const routes: RouteDef[] = [
    { method: 'GET', path: '/users', operation: 'getScimUsers', handler: h.listUsers },
    { method: 'POST', path: '/users', operation: 'postScimUsers', handler: h.createUser },
    { method: 'GET', path: '/users/:id', operation: 'getScimUser', handler: h.getUser },
    { method: 'PUT', path: '/users/:id', operation: 'putScimUser', handler: h.replaceUser },
    { method: 'PATCH', path: '/users/:id', operation: 'patchScimUser', handler: h.patchUser },
    { method: 'DELETE', path: '/users/:id', operation: 'deleteScimUser', handler: h.deleteUser },
    { method: 'GET', path: '/groups', operation: 'getScimGroups', handler: h.listGroups },
    { method: 'GET', path: '/groups/:id', operation: 'getScimGroup', handler: h.getGroup },
    { method: 'PUT', path: '/groups/:id', operation: 'putScimGroup', handler: h.replaceGroup },
    { method: 'PATCH', path: '/groups/:id', operation: 'patchScimGroup', handler: h.patchGroup },
    // Group POST and DELETE exist only in the newer doc's API version; declared always, so that in 2019 the adapter
    // answers them like every operation absent from the version (404), not 405 as for an undeclared method.
    { method: 'POST', path: '/groups', operation: 'postScimGroups', handler: h.createGroup },
    { method: 'DELETE', path: '/groups/:id', operation: 'deleteScimGroup', handler: h.deleteGroup },
  ];
  return routes;
};
