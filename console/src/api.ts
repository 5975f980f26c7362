import type {
  CancelReport,
  Caller,
  DeadLetterListing,
  DeadLetterReport,
  DeviceSearchResult,
  DryRunResult,
  EvidenceLink,
  PlaybookList,
  ResponderStatus,
  RunList,
  RunStarted,
  RunStatus,
} from './types.js';

/** Why a call gave no answer the console can show. */
export type ApiFailureKind =
  /** No verified caller (sign-in ended): sign in again. */
  | 'signed-out'
  /** The caller lacks the route's role. */
  | 'forbidden'
  /** The thing asked for does not exist (an unknown run). */
  | 'not-found'
  /** This server does not have the route (yet). */
  | 'unavailable'
  /** Refused input (400), naming the fields. */
  | 'invalid'
  /** Anything else: the server or the network failed. */
  | 'failed';

export interface ApiFailure {
  ok: false;
  kind: ApiFailureKind;
  status: number;
  message: string;
  details: { path: string; message: string }[];
}

export type ApiResult<T> = { ok: true; value: T } | ApiFailure;

/** What a 404 from a route means: the thing is missing, or the route itself is (not on this server). */
type Missing = 'not-found' | 'unavailable';

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/** Where the console sends a caller whose sign-in ended (App Service Authentication's login, back to the console). */
export const SIGN_IN_URL = '/.auth/login/aad?post_login_redirect_uri=/api/console/';

async function call<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; missing?: Missing } = {}): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(`/api/${path}`, {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    return failure('failed', 0, `the API could not be reached (${error instanceof Error ? error.message : String(error)})`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  if (response.ok && json !== undefined) return { ok: true, value: json as T };
  const error = (json as ErrorBody | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : `${response.status} ${response.statusText}`.trim();
  const details = Array.isArray(error?.details) ? (error.details as ApiFailure['details']) : [];
  // A route that is there answers a 404 in the app's envelope; a missing route gets the host's own 404.
  const routeAnswered = typeof error?.code === 'string' && !message.startsWith('no route for');
  return failure(
    kindOf(response.status, routeAnswered ? 'not-found' : (options.missing ?? 'not-found')),
    response.status,
    message,
    details,
  );
}

function kindOf(status: number, missing: Missing): ApiFailureKind {
  if (status === 401) return 'signed-out';
  if (status === 403) return 'forbidden';
  if (status === 404) return missing;
  if (status === 405) return 'unavailable';
  if (status === 400) return 'invalid';
  return 'failed';
}

function failure(kind: ApiFailureKind, status: number, message: string, details: ApiFailure['details'] = []): ApiFailure {
  return { ok: false, kind, status, message, details };
}

export interface RunFilters {
  status?: string;
  playbook?: string;
  device?: string;
  trigger?: string;
}

export interface DeadLetterFilters {
  queues?: string;
  source?: string;
  deadLetterReason?: string;
}

/** A query string of the values given (empty ones left out). */
function queryOf(values: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== '') query.set(key, String(value));
  return query.toString();
}

/** The operator API, one function per route the console uses. */
export const api = {
  me: () => call<Caller>('GET', 'me'),
  listRuns: (filters: RunFilters, continuationToken?: string, limit = 25) =>
    call<RunList>('GET', `runs?${queryOf({ ...filters, limit, continuationToken })}`),
  getRun: (runId: string) => call<RunStatus>('GET', `runs/${encodeURIComponent(runId)}`),
  listPlaybooks: () => call<PlaybookList>('GET', 'playbooks'),
  dryRun: (body: { playbook: string; devices?: string[] }) => call<DryRunResult>('POST', 'dryrun', { body }),
  startRun: (body: { playbook: string; devices?: string[]; reason: string; idempotencyKey: string }) =>
    call<RunStarted>('POST', 'runs', { body }),
  cancelRun: (runId: string, body: { reason: string; deviceId?: string }) =>
    call<CancelReport>('POST', `runs/${encodeURIComponent(runId)}/cancel`, { body }),
  status: () => call<ResponderStatus>('GET', 'status'),
  listDeadLetters: (filters: DeadLetterFilters, after?: string, limit = 25) =>
    call<DeadLetterListing>('GET', `deadletters?${queryOf({ ...filters, limit, after })}`),
  actOnDeadLetters: (verb: 'replay' | 'purge', body: { ids: string[]; reason: string }) =>
    call<DeadLetterReport>('POST', `deadletters/${verb}`, { body }),
  searchDevices: (search: { search?: string; tag?: string }, continuationToken?: string, limit = 20) =>
    call<DeviceSearchResult>('GET', `devices?${queryOf({ ...search, limit, continuationToken })}`),
  /** A download link for one stored file; a server without the route answers 404 and the console says so. */
  evidenceLink: (runId: string, blob: string) =>
    call<EvidenceLink>('POST', `runs/${encodeURIComponent(runId)}/evidence/link`, { body: { blob }, missing: 'unavailable' }),
};
