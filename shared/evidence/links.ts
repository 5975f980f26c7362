/**
 * Signs short-lived links an operator uses to download one evidence blob
 * (POST /api/runs/{id}/evidence/link). A link reads exactly one blob, only
 * reads, and stops working at its expiry; it is a bearer credential, so it is
 * answered to the caller and never logged or audited.
 *
 * Adapters: UserDelegationEvidenceLinks (Azure: a user delegation SAS signed
 * with a key the app's identity obtains, never an account key) and
 * DevelopmentKeyEvidenceLinks (Azurite's well-known development account
 * only, which cannot issue user delegation keys over plain http).
 */
export interface EvidenceLinks {
  /** How the links are signed, for the audit log and the docs. */
  readonly signing: EvidenceLinkSigning;
  /**
   * A read-only URL to `blobName` in the evidence container, valid for
   * `ttlMs` from now on the storage service's clock (the wall clock, never a
   * scaled demo clock), and the instant it expires.
   */
  readLink(blobName: string, ttlMs: number): Promise<EvidenceLink>;
}

export type EvidenceLinkSigning = 'user-delegation' | 'development-account-key';

export interface EvidenceLink {
  url: string;
  expiresMs: number;
}
