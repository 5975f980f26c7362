/** Streamed alerts assembled in Table Storage (Azurite) by several workers at once. */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { TableAlertAssemblyStore } from '../../../shared/azure/tableAlertAssemblyStore.js';
import { handleAlertMessage } from '../../../shared/services/intake/alertIntake.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { STREAMED_ID, streamedInfo, streamedMachine, streamedProcess } from '../../helpers/streamedAlert.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function tableStore(): Promise<TableAlertAssemblyStore> {
  const name = `assembly${Math.random().toString(36).slice(2, 10)}`;
  const store = new TableAlertAssemblyStore(
    TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }),
  );
  await store.ensureTable();
  return store;
}

describe('a streamed alert assembled in Table Storage', () => {
  it('starts one memory dump when its messages, each delivered twice, reach several workers at once', async () => {
    const deps = fakeDeps({ assemblies: await tableStore() });
    const messages = [streamedProcess(), streamedMachine(), streamedInfo()].map((r, i) => ({ body: { records: [r] }, id: `m${i}` }));
    const deliveries = [...messages, ...messages].map((m, i) =>
      handleAlertMessage(deps, m.body, { messageId: m.id, deliveryCount: i < 3 ? 1 : 2 }),
    );
    const outcomes = await Promise.all(deliveries);
    expect(outcomes.some((o) => o.kind === 'started')).toBe(true);
    expect(deps.runs.runs.size).toBe(1);
    const [view] = await Promise.all([...deps.runs.runs.keys()].map((id) => deps.runs.getRun(id)));
    expect(view?.run.playbook.name).toBe('process-memory-dump');
    expect(view?.actions[0]?.commands[0]?.params).toContainEqual({ key: 'Args', value: `-ProcessId 6324 -OutputName ${view?.run.runId}` });
    const stored = (await deps.assemblies.load(STREAMED_ID))?.value;
    expect(stored?.rows).toHaveLength(3);
    // Emitted once complete enough to act on: the AlertInfo and the Process row (whose host names the device) suffice,
    // so whether the Machine row came before the emission or after it (a late row, recorded) depends on arrival order.
    expect(stored?.emitted?.rows).toBeGreaterThanOrEqual(2);
  });
});
