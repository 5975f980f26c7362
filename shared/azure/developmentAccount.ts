import { isLoopback } from '../config.js';

/** Azurite's well-known development account (public, documented; not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * True only for a connection string to Azurite's development account on
 * loopback: the account name and its well-known key, and a loopback blob
 * endpoint (or `UseDevelopmentStorage=true`, which means exactly that). Any
 * other account, even one named like it, is not.
 */
export function isAzuriteDevelopmentAccount(connectionString: string): boolean {
  const fields = new Map(
    connectionString
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const at = part.indexOf('=');
        return [part.slice(0, at).toLowerCase(), part.slice(at + 1)] as const;
      }),
  );
  if (fields.get('usedevelopmentstorage')?.toLowerCase() === 'true') return true;
  const endpoint = fields.get('blobendpoint');
  if (fields.get('accountname') !== DEV_ACCOUNT || fields.get('accountkey') !== DEV_KEY || endpoint === undefined) return false;
  try {
    return isLoopback(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}
