import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { DevelopmentKeyEvidenceLinks } from '../../../shared/azure/developmentKeyEvidenceLinks.js';
import { UserDelegationEvidenceLinks } from '../../../shared/azure/userDelegationEvidenceLinks.js';
import { systemClock, type Clock } from '../../../shared/clock.js';
import type { EvidenceLinks } from '../../../shared/evidence/links.js';
import { redactText } from '../../../shared/redaction.js';

/**
 * Both link signers against Azurite, which checks every SAS it is shown: the
 * development key on the usual plain-http Azurite, and user delegation SAS on
 * an https Azurite that accepts OAuth bearer tokens (it issues user
 * delegation keys only then). Azurite checks expiry on its own, real, clock.
 */
interface Signer {
  container: ContainerClient;
  /** A signer whose "now" is the wall clock moved by `offsetMs`. */
  links(offsetMs?: number): EvidenceLinks;
  stop(): Promise<void>;
}

const RUN_BLOB = 'a-11111111/1e5bc9d7e413ddd7902c2932e418702b84d0cc07/ma-1/1-hosts.gz';
const OTHER_RUN_BLOB = 'a-22222222/1e5bc9d7e413ddd7902c2932e418702b84d0cc07/ma-2/1-secret.gz';
const shifted = (offsetMs: number): Clock => ({ nowMs: () => systemClock.nowMs() + offsetMs });

async function withBlobs(container: ContainerClient): Promise<void> {
  await container.createIfNotExists();
  await container.getBlockBlobClient(RUN_BLOB).upload('this run', 8);
  await container.getBlockBlobClient(OTHER_RUN_BLOB).upload('another run', 11);
}

async function developmentKeySigner(): Promise<Signer> {
  const azurite = await startAzurite();
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('evidence');
  await withBlobs(container);
  return {
    container,
    links: (offsetMs = 0) => {
      const links = DevelopmentKeyEvidenceLinks.forAzurite(azurite.connectionString, container, shifted(offsetMs));
      if (!links) throw new Error('Azurite’s connection string was not recognised');
      return links;
    },
    stop: () => azurite.stop(),
  };
}

async function userDelegationSigner(): Promise<Signer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'azurite-tls-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]),
    { stdio: 'ignore' },
  );
  // The self-signed certificate of a loopback Azurite, for this test process only.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  let azurite: RunningAzurite;
  try {
    azurite = await startAzurite({ tlsWithOAuth: { certPath, keyPath } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const service = new BlobServiceClient(azurite.blobEndpoint, {
    getToken: () => Promise.resolve({ token: appToken(), expiresOnTimestamp: Date.now() + 3_600_000 }),
  });
  const container = service.getContainerClient('evidence');
  await withBlobs(container);
  return {
    container,
    links: (offsetMs = 0) => new UserDelegationEvidenceLinks(service, 'evidence', shifted(offsetMs)),
    stop: async () => {
      await azurite.stop();
      delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    },
  };
}

/** An app's Entra token as Azurite's `--oauth basic` reads it: lifetime, issuer and audience (the signature is not checked). */
function appToken(): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const nowS = Math.floor(Date.now() / 1000);
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const claims = { aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${tenant}/`, iat: nowS - 60, nbf: nowS - 60 };
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, exp: nowS + 3600, oid: '0a1b2c3d-0000-4000-8000-0000000000aa', tid: tenant })}.`;
}

describe.each([
  ['Azurite’s development key (local only)', developmentKeySigner, false],
  ['a user delegation SAS (the Azure path)', userDelegationSigner, true],
] as const)('an evidence link signed with %s', (_, start, delegated) => {
  let signer: Signer;
  beforeAll(async () => {
    signer = await start();
  });
  afterAll(async () => {
    await signer?.stop();
  });

  it('reads exactly that blob, read-only, for that one blob', async () => {
    const { url, expiresMs } = await signer.links().readLink(RUN_BLOB, 60_000);

    const read = await fetch(url);
    expect(read.status).toBe(200);
    expect(await read.text()).toBe('this run');
    const sas = new URL(url).searchParams;
    expect([sas.get('sr'), sas.get('sp')]).toEqual(['b', 'r']);
    expect(sas.has('skoid'), 'signed with a user delegation key').toBe(delegated);
    expect(Date.parse(sas.get('se') ?? '')).toBe(expiresMs);
    expect(expiresMs - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('is refused for any other blob: the signature covers the blob name', async () => {
    const { url } = await signer.links().readLink(RUN_BLOB, 60_000);
    const other = new URL(url);
    other.pathname = other.pathname.replace(RUN_BLOB, OTHER_RUN_BLOB);

    expect((await fetch(other)).status).toBe(403);
  });

  it('is refused for a write, and the blob stays as it was', async () => {
    const { url } = await signer.links().readLink(RUN_BLOB, 60_000);

    const put = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwritten' });
    const del = await fetch(url, { method: 'DELETE' });

    expect([put.status, del.status]).toEqual([403, 403]);
    expect((await signer.container.getBlobClient(RUN_BLOB).downloadToBuffer()).toString()).toBe('this run');
  });

  it('is refused once expired', async () => {
    const signedTwoMinutesAgo = await signer.links(-120_000).readLink(RUN_BLOB, 60_000);
    expect((await fetch(signedTwoMinutesAgo.url)).status).toBe(403);

    const shortLived = await signer.links().readLink(RUN_BLOB, 2_500);
    expect((await fetch(shortLived.url)).status).toBe(200);
    await sleep(shortLived.expiresMs - Date.now() + 1_100);
    expect((await fetch(shortLived.url)).status).toBe(403);
  });

  it('never survives redaction: no signature reaches a log', async () => {
    const { url } = await signer.links().readLink(RUN_BLOB, 60_000);
    const signature = new URL(url).searchParams.get('sig') ?? 'no signature';

    const logged = redactText(`link issued: ${url}; sig=${signature}`);
    expect(logged).not.toContain(signature);
    expect(logged).not.toContain(encodeURIComponent(signature));
  });
});
