import type { Clock } from '../../shared/clock.js';
import type { EvidenceLink, EvidenceLinks } from '../../shared/evidence/links.js';

/** Signs nothing: answers a recognisable link per blob and records what it was asked for. */
export class FakeEvidenceLinks implements EvidenceLinks {
  readonly signing = 'user-delegation';
  asked: { blobName: string; ttlMs: number }[] = [];

  constructor(private readonly clock: Clock) {}

  readLink(blobName: string, ttlMs: number): Promise<EvidenceLink> {
    this.asked.push({ blobName, ttlMs });
    const expiresMs = this.clock.nowMs() + ttlMs;
    const url = `https://evidence.example.net/evidence/${encodeURI(blobName)}?sr=b&sp=r&se=${new Date(expiresMs).toISOString()}&sig=FAKESIGNATURE`;
    return Promise.resolve({ url, expiresMs });
  }
}
