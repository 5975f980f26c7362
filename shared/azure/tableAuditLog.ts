import type { TableClient } from '@azure/data-tables';
import { auditEntrySchema, type AuditEntry, type AuditLog, type AuditPage } from '../audit/auditLog.js';
import { PermanentError, ValidationError } from '../errors.js';
import { storageStatus, translateStorageError } from './storageErrors.js';
import { ensureTable } from './tableWrites.js';

const PARTITION = 'audit';

/**
 * The audit log as Table Storage entities (PartitionKey `audit`, RowKey =
 * the entry id, which sorts newest first). Only ever inserted: the app never
 * updates or deletes an entity (a second insert of an id fails with 409).
 */
export class TableAuditLog implements AuditLog {
  constructor(private readonly table: TableClient) {}

  ensureTable(): Promise<void> {
    return ensureTable(this.table);
  }

  async append(entry: AuditEntry): Promise<void> {
    const checked = auditEntrySchema.parse(entry);
    try {
      await this.table.createEntity({ partitionKey: PARTITION, rowKey: checked.id, entry: JSON.stringify(checked) });
    } catch (error) {
      if (storageStatus(error) === 409) throw new PermanentError(`audit entry ${checked.id} exists already; entries are never replaced`);
      throw translateStorageError(error, `appending audit entry ${checked.id}`);
    }
  }

  async list(query: { limit: number; continuationToken?: string }): Promise<AuditPage> {
    const pages = this.table.listEntities<{ entry?: unknown }>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } }).byPage({
      maxPageSize: query.limit,
      ...(query.continuationToken ? { continuationToken: fromOurToken(query.continuationToken) } : {}),
    });
    const page = await pages.next().catch((error: unknown) => {
      throw translateStorageError(error, 'listing the audit log');
    });
    if (page.done) return { entries: [] };
    const entries = page.value.map((e) => {
      const parsed = typeof e.entry === 'string' ? auditEntrySchema.safeParse(JSON.parse(e.entry)) : undefined;
      if (!parsed?.success) throw new PermanentError(`audit entry ${String(e.rowKey)} in table ${this.table.tableName} is not valid`);
      return parsed.data;
    });
    return { entries, ...(page.value.continuationToken ? { continuationToken: toOurToken(page.value.continuationToken) } : {}) };
  }
}

/** Our page token: the SDK's, marked and base64url-encoded, so one this log did not issue is told apart before any call. */
const TOKEN_PREFIX = 'audit1.';

function toOurToken(sdkToken: string): string {
  return TOKEN_PREFIX + Buffer.from(sdkToken, 'utf8').toString('base64url');
}

function fromOurToken(token: string): string {
  const body = token.startsWith(TOKEN_PREFIX) ? token.slice(TOKEN_PREFIX.length) : '';
  const decoded = /^[A-Za-z0-9_-]+$/.test(body) ? Buffer.from(body, 'base64url').toString('utf8') : '';
  if (!decoded) throw notOurs();
  return decoded;
}

function notOurs(): ValidationError {
  return new ValidationError('audit continuation token is not one this log issued', [
    { path: 'continuationToken', message: 'not a token this API issued: pass back the one the previous page returned' },
  ]);
}
