import type { ContainerClient } from '@azure/storage-blob';
import { systemClock, type Clock } from '../clock.js';
import type { EvidenceLink, EvidenceLinks } from '../evidence/links.js';
import { checkBlobName } from './blobProperties.js';
import { isAzuriteDevelopmentAccount } from './developmentAccount.js';
import { translateStorageError } from './storageErrors.js';
import { readOnlyWindow } from './userDelegationEvidenceLinks.js';

/**
 * LOCAL ONLY. Evidence links on Azurite: a service SAS (`sr=b`, `sp=r`)
 * signed with Azurite's well-known development account key, because Azurite
 * issues user delegation keys only to OAuth callers over https, and the
 * local stack runs it on plain http with that key. The composition root
 * chooses this adapter only for a connection string to that account on
 * loopback (`developmentKeyEvidenceLinks`); in Azure, links are user
 * delegation SAS (UserDelegationEvidenceLinks) and no account key is used.
 */
export class DevelopmentKeyEvidenceLinks implements EvidenceLinks {
  readonly signing = 'development-account-key';

  private constructor(
    private readonly container: ContainerClient,
    private readonly wallClock: Clock,
  ) {}

  async readLink(blobName: string, ttlMs: number): Promise<EvidenceLink> {
    checkBlobName(blobName);
    const window = readOnlyWindow(this.wallClock.nowMs(), ttlMs);
    try {
      const url = await this.container.getBlobClient(blobName).generateSasUrl(window);
      return { url, expiresMs: window.expiresOn.getTime() };
    } catch (error) {
      throw translateStorageError(error, `signing a download link for evidence blob ${blobName}`);
    }
  }

  /**
   * The adapter for `container`, built from `connectionString`, when that
   * connection string is Azurite's development account on loopback;
   * undefined for any other account (its key must never sign a link).
   */
  static forAzurite(
    connectionString: string,
    container: ContainerClient,
    wallClock: Clock = systemClock,
  ): DevelopmentKeyEvidenceLinks | undefined {
    return isAzuriteDevelopmentAccount(connectionString) ? new DevelopmentKeyEvidenceLinks(container, wallClock) : undefined;
  }
}
