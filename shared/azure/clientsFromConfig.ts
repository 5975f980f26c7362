import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import type { Config } from '../config.js';

/** A client of one table: by connection string (Azurite's plain http on loopback allowed), else by URI and the app's identity. */
export function tableClient(config: Readonly<Config>, table: string, azureCredential: TokenCredential | undefined): TableClient {
  if (config.storage.kind === 'connectionString') {
    // Azurite serves plain http on loopback; the tables SDK refuses http unless told.
    const allowInsecureConnection = /TableEndpoint=http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(config.storage.connectionString);
    return TableClient.fromConnectionString(config.storage.connectionString, table, { allowInsecureConnection });
  }
  return new TableClient(config.storage.tableUri, table, requiredCredential(azureCredential));
}

/** The app's identity, where a setting asks for a managed-identity connection; an Error when none was created. */
export function requiredCredential(credential: TokenCredential | undefined): TokenCredential {
  if (!credential) throw new Error('a managed-identity connection is configured but no Azure credential was created');
  return credential;
}
