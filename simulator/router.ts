import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, requireRoles, type Caller } from './auth.js';
import { budgetFor, type BudgetClass } from './budgets.js';
import type { ResultLinks } from './downloads.js';
import type { EndpointKey } from './endpoints.js';
import { ApiError, tooManyRequests } from './errors.js';
import { sendError, sendReply, type Reply } from './http.js';
import { retryAfterSeconds } from './rateLimits.js';
import type { SimulatorState } from './state.js';

export interface RequestContext {
  readonly state: SimulatorState;
  readonly links: ResultLinks;
  readonly caller: Caller;
  /** Decoded path segments captured by the endpoint's pattern. */
  readonly params: readonly string[];
  readonly url: URL;
  readonly req: IncomingMessage;
  /** e.g. http://127.0.0.1:43123 */
  readonly baseUrl: string;
}

export interface Endpoint {
  readonly key: EndpointKey;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Matched against the decoded path, case-insensitively. */
  readonly pattern: RegExp;
  /** Any one of these app roles is enough (mde-api.md 0.3). */
  readonly roles: readonly string[];
  /** runliveresponse has its own 10/min limit; every other endpoint 100/min and 1,500/hour ... */
  readonly liveResponseLimit?: boolean;
  /** ... except alerts/batchUpdate: 10/min and 500/hour. */
  readonly alertBatchLimit?: boolean;
  handle(ctx: RequestContext): Promise<Reply> | Reply;
}

const budgetClassOf = (endpoint: Endpoint): BudgetClass =>
  endpoint.liveResponseLimit ? 'liveResponse' : endpoint.alertBatchLimit ? 'alertBatch' : 'standard';

function match(
  endpoints: readonly Endpoint[],
  method: string,
  path: string,
): { endpoint?: Endpoint; params: string[]; pathKnown: boolean } {
  let pathKnown = false;
  for (const endpoint of endpoints) {
    const m = endpoint.pattern.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (endpoint.method === method) return { endpoint, params: m.slice(1).map((p) => p ?? ''), pathKnown };
  }
  return { params: [], pathKnown };
}

/**
 * One API request: route → count → injected fault → catch up with the clock
 * (open actions, other apps' calls) → auth (401/403) → roles (403) → rate
 * limit (429) → handler. Errors become the MDE envelope with a
 * fresh target.
 */
export async function dispatch(
  endpoints: readonly Endpoint[],
  state: SimulatorState,
  links: ResultLinks,
  baseUrl: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const { endpoint, params, pathKnown } = match(endpoints, method, path);
  try {
    if (!endpoint) {
      state.stats.call('unknownRoute');
      if (pathKnown) throw new ApiError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
      throw new ApiError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${url.pathname}'.`);
    }
    state.stats.call(endpoint.key);
    if (state.takeInjectedFailure(endpoint.key)) throw new ApiError(500, 'InternalServerError', '');
    const nowMs = state.sync();
    const caller = authenticate(req.headers.authorization, nowMs, state.strictness.valueFormats);
    requireRoles(caller, endpoint.roles);
    if (endpoint.liveResponseLimit) state.stats.liveResponseAttempts.add(nowMs);
    const admission = state.admit(budgetFor(budgetClassOf(endpoint), endpoint.key, caller, state.settings, state.strictness), nowMs);
    if (!admission.ok) {
      state.stats.throttle(endpoint.key);
      throw tooManyRequests(retryAfterSeconds(admission, state.strictness.retryAfter), state.omitsRetryAfter);
    }
    if (endpoint.liveResponseLimit) state.stats.liveResponseAccepted.add(nowMs);
    const reply = await endpoint.handle({ state, links, caller, params, url, req, baseUrl });
    sendReply(res, reply);
  } catch (error) {
    const apiError =
      error instanceof ApiError ? error : new ApiError(500, 'InternalServerError', `Simulator fault: ${(error as Error).message}`);
    if (!res.headersSent) sendError(res, apiError, state.ids.target());
    else res.destroy();
  }
}
