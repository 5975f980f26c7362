import { BlobSASPermissions, SASProtocol, type BlobGenerateSasUrlOptions, type BlobServiceClient } from '@azure/storage-blob';
import { systemClock, type Clock } from '../clock.js';
import type { EvidenceLink, EvidenceLinks } from '../evidence/links.js';
import { checkBlobName } from './blobProperties.js';
import { translateStorageError } from './storageErrors.js';

/** The delegation key starts this long before now, so a storage clock a little behind ours still accepts it. */
const KEY_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Evidence links in Azure: a user delegation SAS (`sr=b`, `sp=r`, https
 * only) for one blob. Each link asks the Blob service for a user delegation
 * key with the app's identity (Get User Delegation Key: Storage Blob
 * Delegator at the account, infra/modules/roles.bicep) valid no longer than
 * the link; no account key is ever used, so it works with shared keys
 * disabled on the account.
 *
 * Expiry is checked by the storage service against real time: `wallClock`
 * is the wall clock, never the scaled clock of a local demo.
 */
export class UserDelegationEvidenceLinks implements EvidenceLinks {
  readonly signing = 'user-delegation';

  constructor(
    private readonly service: BlobServiceClient,
    private readonly containerName: string,
    private readonly wallClock: Clock = systemClock,
  ) {}

  async readLink(blobName: string, ttlMs: number): Promise<EvidenceLink> {
    checkBlobName(blobName);
    const nowMs = this.wallClock.nowMs();
    const window = readOnlyWindow(nowMs, ttlMs);
    const blob = this.service.getContainerClient(this.containerName).getBlobClient(blobName);
    try {
      const key = await this.service.getUserDelegationKey(new Date(nowMs - KEY_CLOCK_SKEW_MS), window.expiresOn);
      const url = await blob.generateUserDelegationSasUrl({ ...window, protocol: SASProtocol.Https }, key);
      return { url, expiresMs: window.expiresOn.getTime() };
    } catch (error) {
      throw translateStorageError(error, `signing a download link for evidence blob ${blobName}`);
    }
  }
}

/**
 * The SAS version links are signed with: the newest both Azure and Azurite
 * (3.35) verify, so the tests on Azurite check the links Azure is given.
 * (The SDK's default, 2026-04-06, signs a string Azurite cannot check yet.)
 */
export const EVIDENCE_SAS_VERSION = '2025-11-05';

/**
 * Read permission only, from now (no start time: a storage clock a little
 * behind ours accepts it at once) for `ttlMs`, to the whole second a SAS
 * carries (`se`), never past the lifetime asked for.
 */
export function readOnlyWindow(
  nowMs: number,
  ttlMs: number,
): Required<Pick<BlobGenerateSasUrlOptions, 'permissions' | 'expiresOn' | 'version'>> {
  return {
    permissions: BlobSASPermissions.parse('r'),
    expiresOn: new Date(Math.floor((nowMs + ttlMs) / 1000) * 1000),
    version: EVIDENCE_SAS_VERSION,
  };
}
