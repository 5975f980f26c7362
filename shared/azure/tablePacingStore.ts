import type { TableClient } from '@azure/data-tables';
import type { PacingStore } from '../pacing/pacer.js';
import { emptyPacingState, pacingStateSchema, type PacingState } from '../pacing/state.js';
import type { Versioned } from '../runs/model.js';
import { textFrom, textProps, type TextLayout } from './entityText.js';
import { storageStatus, translateStorageError } from './storageErrors.js';

/** The state is JSON in `p0`, `p1`, ... (`parts` of them). */
const STATE_LAYOUT: TextLayout = { countProp: 'parts', partProp: (i) => `p${i}` };

type StateEntity = Record<string, string | number>;

/**
 * The tenant-wide pacing state as one Table Storage entity, replaced only
 * if its ETag still matches: every Function instance sharing the storage
 * account sees and updates the same ledger.
 */
export class TablePacingStore implements PacingStore {
  constructor(
    private readonly table: TableClient,
    /** One pacing state per Defender app + tenant; the row key names it. */
    private readonly scope: string = 'tenant',
  ) {}

  async ensureTable(): Promise<void> {
    try {
      await this.table.createTable();
    } catch (error) {
      if (storageStatus(error) !== 409) throw translateStorageError(error, `creating table ${this.table.tableName}`);
    }
  }

  async load(): Promise<Versioned<PacingState>> {
    try {
      const entity = await this.table.getEntity<StateEntity>('pacing', this.scope);
      const text = textFrom(entity, STATE_LAYOUT, `pacing state in table ${this.table.tableName}`);
      const parsed = pacingStateSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(`pacing state in table ${this.table.tableName} is not valid: ${parsed.error.message}`);
      return { value: parsed.data, etag: entity.etag };
    } catch (error) {
      if (storageStatus(error) !== 404) throw translateStorageError(error, 'reading the pacing state');
    }
    try {
      const created = await this.table.createEntity({
        partitionKey: 'pacing',
        rowKey: this.scope,
        ...toParts(JSON.stringify(emptyPacingState())),
      });
      return { value: emptyPacingState(), etag: created.etag ?? '' };
    } catch (error) {
      if (storageStatus(error) === 409) return this.load();
      throw translateStorageError(error, 'creating the pacing state');
    }
  }

  async save(state: PacingState, etag: string): Promise<'ok' | 'conflict'> {
    const parts = toParts(JSON.stringify(state));
    try {
      await this.table.updateEntity({ partitionKey: 'pacing', rowKey: this.scope, ...parts }, 'Replace', { etag });
      return 'ok';
    } catch (error) {
      if (storageStatus(error) === 412) return 'conflict';
      throw translateStorageError(error, 'writing the pacing state');
    }
  }
}

function toParts(text: string): StateEntity {
  return textProps(text, STATE_LAYOUT, 'the pacing state');
}
