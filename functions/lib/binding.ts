import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { DeliveryInfo, QueueName } from '../../shared/bus/port.js';
import type { Config } from '../../shared/config.js';
import type { Services } from '../../shared/services/index.js';
import type { Role } from '../../shared/auth/roles.js';
import type { Caller } from '../../shared/services/audit/record.js';
import type { RouteContract } from './routeContract.js';

/**
 * What a trigger file declares: its binding (a queue, an HTTP route, a
 * schedule) and its handler. Declarations do not register themselves; both
 * hosts loop over the one list in functions/registry.ts — the Function App
 * (functions/main.ts) and the local host (local/host.ts) — so a function is
 * served everywhere or nowhere. A handler gets the services and its parsed
 * trigger input and returns an outcome the host logs.
 */
export type FunctionDeclaration = QueueFunction | HttpFunction | TimerFunction;

export interface QueueFunction {
  kind: 'queue';
  name: string;
  /** A queue of shared/bus/queues.ts; the bus name comes from its `QUEUE_*` setting. */
  queue: QueueName;
  handler(services: Services, message: unknown, delivery: DeliveryInfo): Promise<unknown>;
}

/** An HTTP route: a signed-in route (nearly all) or one of the rare public ones. */
export type HttpFunction = SignedInRoute | PublicRoute;

interface HttpRouteBase {
  kind: 'http';
  name: string;
  methods: readonly ('GET' | 'POST')[];
  /** Below /api, with `{param}` segments (e.g. `runs/{id}`). */
  route: string;
  /** What the route takes and answers, from the schemas it validates with: the OpenAPI document is generated from it. */
  api: RouteContract;
}

export interface SignedInRoute extends HttpRouteBase {
  /** The app role a caller must hold (checked by guard.ts before the handler runs: 401/403 otherwise). */
  role: Role;
  /** Only called for a verified caller holding `role`. */
  handler(services: Services, request: HttpRequest, caller: Caller): Promise<HttpResponseInit>;
}

/**
 * A route anyone may call, without sign-in: only for what says nothing
 * secret and must answer before sign-in works (the health check). Declared
 * with publicHttpFunction, so it stands out; a test lists every one.
 */
export interface PublicRoute extends HttpRouteBase {
  role: 'public';
  handler(services: Services, request: HttpRequest): Promise<HttpResponseInit>;
}

export interface TimerFunction {
  kind: 'timer';
  name: string;
  /** The six-field NCRONTAB schedule from the config, or undefined when the timer is off. */
  schedule(config: Readonly<Config>): string | undefined;
  handler(services: Services): Promise<unknown>;
}

/** Typed constructors, so a trigger file reads as its binding. */
export const queueFunction = (declaration: Omit<QueueFunction, 'kind'>): QueueFunction => ({ kind: 'queue', ...declaration });
export const httpFunction = (declaration: Omit<SignedInRoute, 'kind'>): SignedInRoute => ({ kind: 'http', ...declaration });
/** A route without sign-in (rare: see PublicRoute). */
export const publicHttpFunction = (declaration: Omit<PublicRoute, 'kind' | 'role'>): PublicRoute => ({
  kind: 'http',
  role: 'public',
  ...declaration,
});
export const timerFunction = (declaration: Omit<TimerFunction, 'kind'>): TimerFunction => ({ kind: 'timer', ...declaration });
