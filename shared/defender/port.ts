import type { Readable } from 'node:stream';
import type { LibraryFile, Machine, MachineAction, RunLiveResponseRequest } from './types.js';

/**
 * The Defender API as the domain sees it. The HTTP client in this folder
 * implements it; its failures are the errors of shared/errors.ts
 * (ThrottledError, DeviceBusyError, NotFoundError, ForbiddenError,
 * BadRequestError, TransientError).
 */
export interface DefenderApi {
  runLiveResponse(machineId: string, request: RunLiveResponseRequest): Promise<MachineAction>;
  getMachineAction(actionId: string): Promise<MachineAction>;
  listMachineActions(query: MachineActionQuery): Promise<MachineAction[]>;
  cancelMachineAction(actionId: string, comment: string): Promise<MachineAction>;
  /** A short-lived (30 min) URL for the result of one command. Never log it. */
  getResultDownloadLink(actionId: string, commandIndex: number): Promise<string>;
  /** Streams a result link. No bearer token is sent to the link's host. */
  downloadResult(url: string): Promise<DownloadedResult>;
  listMachines(query?: MachineQuery): Promise<Machine[]>;
  getMachine(idOrName: string): Promise<Machine>;
  listLibraryFiles(): Promise<LibraryFile[]>;
  /**
   * Adds a comment to an alert (PATCH /api/alerts/{id} with `comment` alone;
   * needs Alert.ReadWrite.All). Nothing else of the alert changes.
   */
  commentOnAlert(alertId: string, comment: string): Promise<void>;
}

export interface MachineActionQuery {
  ids?: string[];
  machineId?: string;
  type?: string;
  status?: string;
  createdAfterMs?: number;
  top?: number;
}

export interface MachineQuery {
  /** Devices carrying this tag (machineTags/any). */
  tag?: string;
  /** Devices carrying any of these tags. */
  tags?: string[];
  osPlatform?: string;
  /** Devices on any of these platforms. */
  osPlatforms?: string[];
  /** startswith(computerDnsName, ...). */
  namePrefix?: string;
  top?: number;
}

export interface DownloadedResult {
  body: Readable;
  contentLength?: number;
  contentType?: string;
  contentEncoding?: string;
}

/** The kinds of Defender API call (the client's names for them, in its errors and its 429 count). */
export type DefenderCallKind =
  | 'runliveresponse'
  | 'get machine action'
  | 'list machine actions'
  | 'cancel machine action'
  | 'get result download link'
  | 'list machines'
  | 'get machine'
  | 'list library files'
  | 'upload library file'
  | 'delete library file'
  | 'comment on alert'
  | 'list alerts';

/**
 * Structurally the same as @azure/identity's TokenCredential, so the domain
 * can take one without importing an Azure SDK.
 */
export interface TokenProvider {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** The audience every MDE endpoint accepts (mde-api.md 0.2), even on api.security.microsoft.com. */
export const DEFENDER_SCOPE = 'https://api.securitycenter.microsoft.com/.default';

/**
 * Alerts for the optional poller: raw alert objects as the API returns them
 * (the alert intake validates and normalises them, as for any message).
 */
export interface AlertFeed {
  listAlerts(query: AlertQuery): Promise<unknown[]>;
}

export interface AlertQuery {
  /** lastUpdateTime gt this instant. */
  updatedAfterMs: number;
  top: number;
  skip: number;
}

/**
 * The live response library, for `npm run library:sync` (role Library.Manage).
 * A port of its own: the services' DefenderApi never uploads or deletes.
 */
export interface LibraryAdminApi {
  listLibraryFiles(): Promise<LibraryFile[]>;
  /** POST /api/libraryfiles, multipart/form-data. */
  uploadLibraryFile(upload: LibraryUpload): Promise<LibraryFile>;
  /** DELETE /api/libraryfiles/{name}; a name that is not there is a NotFoundError. */
  deleteLibraryFile(fileName: string): Promise<void>;
}

export interface LibraryUpload {
  fileName: string;
  content: Uint8Array;
  description: string;
  parametersDescription: string;
  hasParameters: boolean;
  overrideIfExists: boolean;
}
