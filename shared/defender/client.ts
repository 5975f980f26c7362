import type { z } from 'zod';
import { NotFoundError, PermanentError, TransientError } from '../errors.js';
import { toDefenderError } from './httpErrors.js';
import { checkResultLink, type LinkPolicy } from './linkPolicy.js';
import { nodeLinkTransport, type LinkResponse, type LinkTransport } from './linkTransport.js';
import { alertsQueryString, machineActionsQueryString, machinesQueryString } from './odata.js';
import { kindOf, resultBody } from './resultBody.js';
import type {
  AlertFeed,
  AlertQuery,
  DefenderApi,
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

  constructor(private readonly options: DefenderClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
    this.linkTransport = options.linkTransport ?? nodeLinkTransport;
  }

  async runLiveResponse(machineId: string, request: RunLiveResponseRequest): Promise<MachineAction> {
    const path = `/api/machines/${encodeURIComponent(machineId)}/runliveresponse`;
    return this.call('POST', path, machineActionSchema, { body: request, what: 'runliveresponse', machineId });
  }

  async getMachineAction(actionId: string): Promise<MachineAction> {
    return this.call('GET', `/api/machineactions/${encodeURIComponent(actionId)}`, machineActionSchema, { what: 'get machine action' });
  }

  async listMachineActions(query: MachineActionQuery): Promise<MachineAction[]> {
    const page = await this.call('GET', `/api/machineactions${machineActionsQueryString(query)}`, null, { what: 'list machine actions' });
    return parseCollection(page, machineActionSchema);
  }

  async cancelMachineAction(actionId: string, comment: string): Promise<MachineAction> {
    const path = `/api/machineactions/${encodeURIComponent(actionId)}/cancel`;
    return this.call('POST', path, machineActionSchema, { body: { Comment: comment }, what: 'cancel machine action' });
  }

  async getResultDownloadLink(actionId: string, commandIndex: number): Promise<string> {
    const path = `/api/machineactions/${encodeURIComponent(actionId)}/GetLiveResponseResultDownloadLink(index=${commandIndex})`;
    const body = await this.call('GET', path, null, { what: 'get result download link' });
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

  async listMachines(query?: MachineQuery): Promise<Machine[]> {
    try {
      const page = await this.call('GET', `/api/machines${machinesQueryString(query)}`, null, { what: 'list machines' });
      return parseCollection(page, machineSchema);
    } catch (error) {
      // Documented: 404 when no machines match, rather than an empty list.
      if (error instanceof NotFoundError) return [];
      throw error;
    }
  }

  async getMachine(idOrName: string): Promise<Machine> {
    return this.call('GET', `/api/machines/${encodeURIComponent(idOrName)}`, machineSchema, { what: 'get machine' });
  }

  async listLibraryFiles(): Promise<LibraryFile[]> {
    const page = await this.call('GET', '/api/libraryfiles', null, { what: 'list library files' });
    return parseCollection(page, libraryFileSchema);
  }

  async uploadLibraryFile(upload: LibraryUpload): Promise<LibraryFile> {
    const form = new FormData();
    form.append('file', new Blob([upload.content]), upload.fileName);
    form.append('Description', upload.description);
    form.append('ParametersDescription', upload.parametersDescription);
    form.append('HasParameters', String(upload.hasParameters));
    form.append('OverrideIfExists', String(upload.overrideIfExists));
    return this.call('POST', '/api/libraryfiles', libraryFileSchema, { form, what: `upload library file ${upload.fileName}` });
  }

  async deleteLibraryFile(fileName: string): Promise<void> {
    await this.call('DELETE', `/api/libraryfiles/${encodeURIComponent(fileName)}`, null, { what: `delete library file ${fileName}` });
  }

  async listAlerts(query: AlertQuery): Promise<unknown[]> {
    const page = await this.call('GET', `/api/alerts${alertsQueryString(query)}`, null, { what: 'list alerts' });
    const value = (page as { value?: unknown } | null)?.value;
    if (!Array.isArray(value)) throw new TransientError('list alerts: collection response has no value array');
    return value as unknown[];
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    schema: S | null,
    options: { body?: unknown; form?: FormData; what: string; machineId?: string },
  ): Promise<S extends z.ZodType ? z.infer<S> : unknown> {
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

function parseCollection<S extends z.ZodType>(page: unknown, schema: S): z.infer<S>[] {
  const value = (page as { value?: unknown } | null)?.value;
  if (!Array.isArray(value)) throw new TransientError('collection response has no value array');
  return value.map((item) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) throw new TransientError(`unexpected item shape: ${parsed.error.message}`);
    return parsed.data;
  });
}
