import type { HttpResponseInit } from '@azure/functions';
import { guardRoute } from '../../functions/lib/guard.js';
import type { HttpFunction } from '../../functions/lib/binding.js';
import { HttpRequest } from '../../local/functionsRuntime.js';
import { encodeClientPrincipal } from '../../shared/auth/principal.js';
import type { Role } from '../../shared/auth/roles.js';
import { loadConfig } from '../../shared/config.js';
import type { Services } from '../../shared/services/index.js';
import { analyst } from './principals.js';

export interface RouteCall {
  /** The caller's roles; undefined: no principal at all. */
  roles?: readonly Role[];
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

/** Calls a route in process, through guard.ts, as App Service would hand it a request (authentication on). */
export function callRoute(services: Services, route: HttpFunction, call: RouteCall = {}): Promise<HttpResponseInit> {
  const params = call.params ?? {};
  const path = route.route.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
  const url = new URL(`http://localhost/api/${path}`);
  for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
  const request = new HttpRequest({
    method: route.methods[0] ?? 'GET',
    url: url.toString(),
    headers: {
      'content-type': 'application/json',
      ...(call.roles ? { 'x-ms-client-principal': encodeClientPrincipal(analyst('analyst@contoso.com', call.roles)) } : {}),
    },
    params,
    query: Object.fromEntries(url.searchParams),
    ...(call.body === undefined ? {} : { body: { string: JSON.stringify(call.body) } }),
  });
  const config = loadConfig({
    STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    BUS_KIND: 'storage-queues',
    WEBSITE_AUTH_ENABLED: 'True',
  });
  return guardRoute(route, config)(services, request, 'req-contract');
}
