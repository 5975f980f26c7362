import type { z } from 'zod';
import { BadRequestError, NotFoundError, PermanentError, TransientError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../telemetry/metrics.js';
import { toDefenderError } from './httpErrors.js';
import { checkResultLink, type LinkPolicy } from './linkPolicy.js';
import { nodeLinkTransport, type LinkResponse, type LinkTransport } from './linkTransport.js';
import { alertsQueryString, machineActionsQueryString, machinesQueryStrings } from './odata.js';
import { nextPagePath } from './nextLink.js';
import { kindOf, resultBody } from './resultBody.js';
import type {
  AlertFeed,
  AlertQuery,
  DefenderApi,
  DefenderCallKind,
  DownloadedResult,
  LibraryAdminApi,
  LibraryUpload,
  MachineActionQuery,
  MachineQuery,
  TokenProvider,
} from './port.js';
import {
  libraryFileSchema,
  machineActionSchema,
  machineSchema,
  type LibraryFile,
  type Machine,
  type MachineAction,
  type RunLiveResponseRequest,
} from './types.js';

export interface DefenderClientOptions {
  /** e.g. https://api.securitycenter.microsoft.com, a regional host, or the simulator. */
  baseUrl: string;
  credential: TokenProvider;
  scope: string;
  requestTimeoutMs: number;
  defaultRetryAfterMs: number;
  linkPolicy: LinkPolicy;
  /** API calls (default: global fetch). */
  fetch?: typeof fetch;
  /** Result link downloads (default: Node's http/https client, never following redirects). */
  linkTransport?: LinkTransport;
  /**
   * Called before every request a list makes beyond its first (a further
   * page, or a further query), so each is paid from the same budget as the
   * first; a rejection stops the list.
   */
  payForExtraCall?: (what: string) => Promise<void>;
  /** Most pages one list follows through `@odata.nextLink` (default 100); more is a PermanentError. */
  maxPages?: number;
  /** Where a 429 from Defender is reported (`Defender answered 429`, with the call and the wait): the alert rule on throttling reads it. */
  logger?: Logger;
  /** Where a 429 is counted (responder.defender.throttled, by call kind). */
  metrics?: Pick<Metrics, 'add'>;
}

export const DEFAULT_MAX_PAGES = 100;

/** Counts the requests of one list: the first is paid by the caller, every later one through `payForExtraCall`. */
interface ListMeter {
  beforeRequest(what: string): Promise<void>;
}

/**
 * Typed HTTP client for the Defender for Endpoint API. Failures arrive as the
 * error vocabulary (ThrottledError with retryAfterMs, DeviceBusyError,
 * NotFoundError, ForbiddenError, BadRequestError, TransientError). The bearer
 * token goes only to the API host, never to result links.
 */
export class DefenderClient implements DefenderApi, AlertFeed, LibraryAdminApi {
  private readonly fetchFn: typeof fetch;
  private readonly linkTransport: LinkTransport;
  /** Set once the API refused `id in (...)` (undocumented, mde-api.md 3.3): ids are then read one `id eq` at a time. */
  private idsInRefused = false;

  constructor(private readonly options: DefenderClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
    this.linkTransport = options.linkTransport ?? nodeLinkTransport;
  }

  async runLiveResponse(machineId: string, request: RunLiveResponseRequest): Promise<MachineAction> {
    const path = `/api/machines/${encodeURIComponent(machineId)}/runliveresponse`;
    return this.call('POST', path, machineActionSchema, { body: request, kind: 'runliveresponse', machineId });
  }

  async getMachineAction(actionId: string): Promise<MachineAction> {
    return this.call('GET', `/api/machineactions/${encodeURIComponent(actionId)}`, machineActionSchema, { kind: 'get machine action' });
  }

  /**
   * Several ids are asked with `id in (...)`, one request; the reference does
   * not document `in`, so when the API refuses it (400) the client remembers
   * and reads each id with the documented `id eq` instead, each request paid
   * from the budget like a further page.
   */
  async listMachineActions(query: MachineActionQuery): Promise<MachineAction[]> {
    const meter = this.meter();
    const ids = query.ids ?? [];
    if (ids.length > 1 && !this.idsInRefused) {
      try {
        return await this.listAll(
          `/api/machineactions${machineActionsQueryString(query)}`,
          machineActionSchema,
          'list machine actions',
          meter,
        );
      } catch (error) {
        if (!(error instanceof BadRequestError)) throw error;
        this.idsInRefused = true;
      }
    }
    if (ids.length <= 1)
      return this.listAll(`/api/machineactions${machineActionsQueryString(query)}`, machineActionSchema, 'list machine actions', meter);
    const found: MachineAction[] = [];
    for (const id of ids) {
      const path = `/api/machineactions${machineActionsQueryString({ ...query, ids: [id] })}`;
      found.push(...(await this.listAll(path, machineActionSchema, 'list machine actions', meter)));
    }
    return found;
  }

  async cancelMachineAction(actionId: string, comment: string): Promise<MachineAction> {
    const path = `/api/machineactions/${encodeURIComponent(actionId)}/cancel`;
    return this.call('POST', path, machineActionSchema, { body: { Comment: comment }, kind: 'cancel machine action' });
  }

  async getResultDownloadLink(actionId: string, commandIndex: number): Promise<string> {
    const path = `/api/machineactions/${encodeURIComponent(actionId)}/GetLiveResponseResultDownloadLink(index=${commandIndex})`;
    const body = await this.call('GET', path, null, { kind: 'get result download link' });
    const value = (body as { value?: unknown } | null)?.value;
    if (typeof value !== 'string') throw new TransientError('get result download link: response has no link');
    return value;
  }

  async downloadResult(link: string): Promise<DownloadedResult> {
    const url = checkResultLink(link, this.options.linkPolicy);
    let response: LinkResponse;
    try {
      // No bearer token, and no redirect is ever followed: a redirect would skip the link policy.
      response = await this.linkTransport(url, {
        idleTimeoutMs: this.options.requestTimeoutMs,
        allowLoopback: this.options.linkPolicy.allowHttpLoopback,
      });
    } catch (error) {
      // A host that resolved to an address the link policy refuses: refused for good, as the same IP literal is.
      if (error instanceof PermanentError) throw error;
      throw new TransientError('download of a result failed before a response', { cause: kindOf(error) });
    }
    if (response.status !== 200) {
      response.body.destroy();
      if (response.status >= 300 && response.status < 400) {
        throw new PermanentError(`download of a result answered a redirect (HTTP ${response.status}); redirects are not followed`);
      }
      // An expired link answers 403; a fresh link is minted by the caller on retry.
      throw new TransientError(`download of a result answered HTTP ${response.status}`);
    }
    const length = response.header('content-length');
    const contentLength = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
    return {
      body: resultBody(response.body, contentLength),
      contentLength,
      contentType: response.header('content-type'),
      contentEncoding: response.header('content-encoding'),
    };
  }

  /** Several tags or platforms are asked one combination at a time (documented operators only, no `or`), merged in order. */
  async listMachines(query?: MachineQuery): Promise<Machine[]> {
    const meter = this.meter();
    const byId = new Map<string, Machine>();
    for (const queryString of machinesQueryStrings(query)) {
      for (const machine of await this.listMachinesOnce(`/api/machines${queryString}`, meter)) {
        if (!byId.has(machine.id.toLowerCase())) byId.set(machine.id.toLowerCase(), machine);
      }
    }
    const all = [...byId.values()];
    return query?.top === undefined ? all : all.slice(0, query.top);
  }

  private async listMachinesOnce(path: string, meter: ListMeter): Promise<Machine[]> {
    try {
      return await this.listAll(path, machineSchema, 'list machines', meter);
    } catch (error) {
      // Documented: 404 when the tenant has no recent machines at all; a filter matching nothing is 200 with `value: []`.
      if (error instanceof NotFoundError) return [];
      throw error;
    }
  }

  async getMachine(idOrName: string): Promise<Machine> {
    return this.call('GET', `/api/machines/${encodeURIComponent(idOrName)}`, machineSchema, { kind: 'get machine' });
  }

  async listLibraryFiles(): Promise<LibraryFile[]> {
    return this.listAll('/api/libraryfiles', libraryFileSchema, 'list library files', this.meter());
  }

  async uploadLibraryFile(upload: LibraryUpload): Promise<LibraryFile> {
    const form = new FormData();
    form.append('file', new Blob([upload.content]), upload.fileName);
    form.append('Description', upload.description);
    form.append('ParametersDescription', upload.parametersDescription);
    form.append('HasParameters', String(upload.hasParameters));
    form.append('OverrideIfExists', String(upload.overrideIfExists));
    return this.call('POST', '/api/libraryfiles', libraryFileSchema, {
      form,
      kind: 'upload library file',
      what: `upload library file ${upload.fileName}`,
    });
  }

  async deleteLibraryFile(fileName: string): Promise<void> {
    await this.call('DELETE', `/api/libraryfiles/${encodeURIComponent(fileName)}`, null, {
      kind: 'delete library file',
      what: `delete library file ${fileName}`,
    });
  }

  async commentOnAlert(alertId: string, comment: string): Promise<void> {
    // The answer (the updated alert) is not needed: only that the comment was taken.
    await this.call('PATCH', `/api/alerts/${encodeURIComponent(alertId)}`, null, { body: { comment }, kind: 'comment on alert' });
  }

  async listAlerts(query: AlertQuery): Promise<unknown[]> {
    return this.listAll(`/api/alerts${alertsQueryString(query)}`, null, 'list alerts', this.meter());
  }

  private meter(): ListMeter {
    let requests = 0;
    return {
      beforeRequest: async (what) => {
        if (requests++ > 0) await this.options.payForExtraCall?.(what);
      },
    };
  }

  /**
   * Every item of a list, following `@odata.nextLink` (same origin, under
   * /api/, at most `maxPages` pages; anything else is a PermanentError).
   * `schema` null: items as they come.
   */
  private async listAll<S extends z.ZodType>(
    firstPath: string,
    schema: S | null,
    what: DefenderCallKind,
    meter: ListMeter,
  ): Promise<z.infer<S>[]> {
    const items: z.infer<S>[] = [];
    const maxPages = this.options.maxPages ?? DEFAULT_MAX_PAGES;
    let path: string | undefined = firstPath;
    for (let pages = 0; path !== undefined; pages++) {
      if (pages >= maxPages) throw new PermanentError(`${what}: more than ${maxPages} pages; the list was not read to its end`);
      await meter.beforeRequest(what);
      const page = await this.call('GET', path, null, { kind: what });
      items.push(...parseCollection(page, schema, what));
      path = nextPagePath(page, this.options.baseUrl, what);
    }
    return items;
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    schema: S | null,
    call: { body?: unknown; form?: FormData; kind: DefenderCallKind; what?: string; machineId?: string },
  ): Promise<S extends z.ZodType ? z.infer<S> : unknown> {
    const options = { ...call, what: call.what ?? call.kind };
    const token = await this.options.credential.getToken(this.options.scope);
    if (!token) throw new TransientError(`${options.what}: no access token was returned by the credential`);
    const headers: Record<string, string> = { Authorization: `Bearer ${token.token}`, Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchFn(this.options.baseUrl + path, {
        method,
        headers,
        // A FormData body gets its multipart Content-Type (with boundary) from fetch.
        body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
    } catch (error) {
      throw new TransientError(`${options.what}: request failed before a response`, { cause: kindOf(error) });
    }
    const text = await response.text();
    if (response.status === 429) {
      this.options.metrics?.add('defenderThrottled', 1, { call: options.kind });
      this.options.logger?.log('warn', 'Defender answered 429', {
        call: options.what,
        machineId: options.machineId,
        retryAfter: response.headers.get('retry-after'),
      });
    }
    if (!response.ok) {
      throw toDefenderError({
        status: response.status,
        bodyText: text,
        retryAfterHeader: response.headers.get('retry-after'),
        defaultRetryAfterMs: this.options.defaultRetryAfterMs,
        what: options.what,
        machineId: options.machineId,
      });
    }
    let json: unknown;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch (error) {
      throw new TransientError(`${options.what}: response is not JSON`, { cause: error });
    }
    if (!schema) return json as S extends z.ZodType ? z.infer<S> : unknown;
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new TransientError(`${options.what}: unexpected response shape: ${parsed.error.message}`);
    return parsed.data as S extends z.ZodType ? z.infer<S> : unknown;
  }
}

function parseCollection<S extends z.ZodType>(page: unknown, schema: S | null, what: string): z.infer<S>[] {
  const value = (page as { value?: unknown } | null)?.value;
  if (!Array.isArray(value)) throw new TransientError(`${what}: collection response has no value array`);
  return value.map((item: unknown) => {
    if (!schema) return item as z.infer<S>;
    const parsed = schema.safeParse(item);
    if (!parsed.success) throw new TransientError(`${what}: unexpected item shape: ${parsed.error.message}`);
    return parsed.data;
  });
}
