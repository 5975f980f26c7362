import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { authenticate, authorize } from '../../shared/auth/authenticate.js';
import type { Config } from '../../shared/config.js';
import type { Services } from '../../shared/services/index.js';
import type { HttpFunction } from './binding.js';
import { errorResponse } from './routeContract.js';

/**
 * Every HTTP route runs behind this, in both hosts: the caller is verified
 * (authenticate.ts: fail closed, 401) and must hold the route's role (403
 * naming it) before the handler runs, unless the route is declared public
 * (publicHttpFunction, rare); a refused request is recorded in the
 * audit log with who (when known), what and from where.
 */
export function guardRoute(
  declaration: HttpFunction,
  config: Readonly<Config>,
): (services: Services, request: HttpRequest, requestId: string) => Promise<HttpResponseInit> {
  // A public route (publicHttpFunction: the health check) is the one exception, and says nothing secret.
  if (declaration.role === 'public') {
    const open = declaration;
    return async (services, request) => open.handler(services, request);
  }
  const signedIn = declaration;
  return async (services, request, requestId) => {
    const sourceAddress = clientAddress(request);
    const verified = authenticate(config.auth, request.headers.get('x-ms-client-principal'));
    const refusal = verified.ok ? authorize(verified.value, signedIn.role) : verified.errors;
    if (!refusal && verified.ok) return signedIn.handler(services, request, { principal: verified.value, requestId, sourceAddress });
    const { status, code, message } = refusal ?? { status: 401, code: 'Unauthenticated', message: 'not verified' };
    await services.recordAudit({
      action: 'api.request',
      outcome: 'refused',
      target: `${request.method} /api/${declaration.route}`,
      detail: `${status} ${code}: ${message}`,
      requestId,
      ...(verified.ok ? { principal: verified.value } : {}),
      ...(sourceAddress ? { sourceAddress } : {}),
    });
    return errorResponse(status, code, message, status === 401 ? { headers: { 'WWW-Authenticate': 'Bearer' } } : {});
  };
}

/** The client's address as App Service reports it (the first X-Forwarded-For entry), when it does. */
function clientAddress(request: HttpRequest): string | undefined {
  const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded ? forwarded.slice(0, 200) : undefined;
}
