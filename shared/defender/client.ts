import type { z } from 'zod';
import { BadRequestError, NotFoundError, TransientError } from '../errors.js';
import { callApi, type ApiConnection } from './apiCall.js';
import { DEFAULT_MAX_PAGES, listMeter, readAllPages, type ListMeter } from './collectionPages.js';
import type { LinkPolicy } from './linkPolicy.js';
import { nodeLinkTransport, type LinkTransport } from './linkTransport.js';
import { alertsQueryString, machineActionsQueryString, machinesQueryStrings } from './odata.js';
import { downloadResult } from './resultDownload.js';
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

/** The API connection (apiCall.ts documents each field), with fetch optional, and what the client adds. */
export interface DefenderClientOptions extends Omit<ApiConnection, 'fetch'> {
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
}

/**
 * Typed HTTP client for the Defender for Endpoint API. Failures arrive as the
 * error vocabulary (ThrottledError with retryAfterMs, DeviceBusyError,
 * NotFoundError, ForbiddenError, BadRequestError, TransientError). The bearer
 * token goes only to the API host, never to result links.
 */
export class DefenderClient implements DefenderApi, AlertFeed, LibraryAdminApi {
  private readonly api: ApiConnection;
  private readonly linkTransport: LinkTransport;
  /** Set once the API refused `id in (...)` (undocumented, mde-api.md 3.3): ids are then read one `id eq` at a time. */
  private idsInRefused = false;

  constructor(private readonly options: DefenderClientOptions) {
    this.api = { ...options, fetch: options.fetch ?? fetch };
    this.linkTransport = options.linkTransport ?? nodeLinkTransport;
  }

  async runLiveResponse(machineId: string, request: RunLiveResponseRequest): Promise<MachineAction> {
    const path = `/api/machines/${encodeURIComponent(machineId)}/runliveresponse`;
    return callApi(this.api, 'POST', path, machineActionSchema, { body: request, kind: 'runliveresponse', machineId });
  }

  async getMachineAction(actionId: string): Promise<MachineAction> {
    return callApi(this.api, 'GET', `/api/machineactions/${encodeURIComponent(actionId)}`, machineActionSchema, {
      kind: 'get machine action',
    });
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
    return callApi(this.api, 'POST', path, machineActionSchema, { body: { Comment: comment }, kind: 'cancel machine action' });
  }

  async getResultDownloadLink(actionId: string, commandIndex: number): Promise<string> {
    const path = `/api/machineactions/${encodeURIComponent(actionId)}/GetLiveResponseResultDownloadLink(index=${commandIndex})`;
    const body = await callApi(this.api, 'GET', path, null, { kind: 'get result download link' });
    const value = (body as { value?: unknown } | null)?.value;
    if (typeof value !== 'string') throw new TransientError('get result download link: response has no link');
    return value;
  }

  async downloadResult(link: string): Promise<DownloadedResult> {
    const { linkPolicy, requestTimeoutMs } = this.options;
    return downloadResult(link, { linkPolicy, idleTimeoutMs: requestTimeoutMs, linkTransport: this.linkTransport });
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
    return callApi(this.api, 'GET', `/api/machines/${encodeURIComponent(idOrName)}`, machineSchema, { kind: 'get machine' });
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
    return callApi(this.api, 'POST', '/api/libraryfiles', libraryFileSchema, {
      form,
      kind: 'upload library file',
      what: `upload library file ${upload.fileName}`,
    });
  }

  async deleteLibraryFile(fileName: string): Promise<void> {
    await callApi(this.api, 'DELETE', `/api/libraryfiles/${encodeURIComponent(fileName)}`, null, {
      kind: 'delete library file',
      what: `delete library file ${fileName}`,
    });
  }

  async commentOnAlert(alertId: string, comment: string): Promise<void> {
    // The answer (the updated alert) is not needed: only that the comment was taken.
    await callApi(this.api, 'PATCH', `/api/alerts/${encodeURIComponent(alertId)}`, null, { body: { comment }, kind: 'comment on alert' });
  }

  async listAlerts(query: AlertQuery): Promise<unknown[]> {
    return this.listAll(`/api/alerts${alertsQueryString(query)}`, null, 'list alerts', this.meter());
  }

  private meter(): ListMeter {
    return listMeter(this.options.payForExtraCall);
  }

  /** Every item of a list (collectionPages.ts), each page read with this client's call. */
  private async listAll<S extends z.ZodType>(
    firstPath: string,
    schema: S | null,
    what: DefenderCallKind,
    meter: ListMeter,
  ): Promise<z.infer<S>[]> {
    const paging = {
      baseUrl: this.options.baseUrl,
      maxPages: this.options.maxPages ?? DEFAULT_MAX_PAGES,
      getPage: (path: string, kind: DefenderCallKind) => callApi(this.api, 'GET', path, null, { kind }),
    };
    return readAllPages(paging, firstPath, schema, what, meter);
  }
}
