import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../shared/config.js';
import { handleAlertMessage } from '../../../../shared/services/intake/alertIntake.js';
import { addStreamedRows, streamedAlertDue } from '../../../../shared/services/intake/streamedAlerts.js';
import { parseAlerts } from '../../../../shared/alerts/parseAlert.js';
import { FINANCE, record, rerunOnUpdate } from '../../../helpers/alerts.js';
import { fakeDeps } from '../../../helpers/fakes.js';
import { STREAMED_ID, streamedInfo, streamedMachine, streamedProcess } from '../../../helpers/streamedAlert.js';

const QUIET_MS = 120_000;
const delivery = (messageId: string) => ({ messageId, deliveryCount: 1 });

/** The three messages one streamed alert arrives in, in every order. */
const parts = { info: streamedInfo(), machine: streamedMachine(), process: streamedProcess() };
const orders = [
  ['info', 'machine', 'process'],
  ['process', 'machine', 'info'],
  ['machine', 'info', 'process'],
  ['process', 'info', 'machine'],
] as const;

async function runsOf(deps: ReturnType<typeof fakeDeps>) {
  return Promise.all([...deps.runs.runs.keys()].map(async (id) => deps.runs.getRun(id)));
}

/** Evidence rows of a newer export, which repeat the alert's title, severity and categories, without the AlertInfo row. */
const withAlertColumns = (row: Record<string, unknown>) => ({
  ...row,
  properties: {
    ...(row.properties as object),
    Title: 'Suspicious access to LSASS service',
    Severity: 'High',
    Categories: '["CredentialAccess"]',
  },
});

describe('a streamed alert spread over several messages', () => {
  it.each(orders)('is assembled into one alert with its device and process id, and dumped: %s, %s, %s', async (...order) => {
    const deps = fakeDeps();
    const outcomes = [];
    for (const [i, name] of order.entries()) outcomes.push(await handleAlertMessage(deps, { records: [parts[name]] }, delivery(`m${i}`)));
    // Assembling until the AlertInfo row and a device (the Machine row, or the process's nested host) and the process are in; answered once.
    const kinds = outcomes.map((o) => o.kind);
    const answeredAt = kinds.indexOf('started');
    expect(kinds.slice(0, answeredAt).every((k) => k === 'assembling')).toBe(true);
    expect(kinds.slice(answeredAt + 1).every((k) => k === 'late-rows')).toBe(true);
    expect(outcomes[answeredAt]).toMatchObject({ alertId: STREAMED_ID });
    const [view, ...others] = await runsOf(deps);
    expect(others).toEqual([]);
    expect(view?.run.playbook.name).toBe('process-memory-dump');
    expect(view?.actions.map((a) => [a.deviceId, a.commands[0]?.params])).toEqual([
      [
        FINANCE,
        [
          { key: 'ScriptName', value: 'Invoke-ProcessDump.ps1' },
          { key: 'Args', value: `-ProcessId 6324 -OutputName ${view?.run.runId}` },
        ],
      ],
    ]);
  });

  it('is assembled the same when two workers add its rows at the same moment', async () => {
    const deps = fakeDeps();
    const rowsOf = (body: unknown) => {
      const parsed = parseAlerts(body);
      return parsed.ok ? (parsed.value.streamed?.[0]?.rows ?? []) : [];
    };
    await Promise.all(
      [parts.info, parts.machine, parts.process].map((r) => addStreamedRows(deps, { alertId: STREAMED_ID, rows: rowsOf(r) })),
    );
    expect((await deps.assemblies.load(STREAMED_ID))?.value.rows.map((r) => r.entityType ?? r.table).sort()).toEqual([
      'Machine',
      'Process',
      'info',
    ]);
  });
});

describe('the quiet period', () => {
  it('answers an alert whose AlertInfo never comes with the rows that arrived, once no row came for the quiet period', async () => {
    const deps = fakeDeps();
    const first = await handleAlertMessage(deps, { records: [withAlertColumns(parts.process)] }, delivery('m1'));
    expect(first).toMatchObject({ kind: 'assembling', dueMs: deps.clock.nowMs() + QUIET_MS });
    const [check] = deps.bus.take('alerts');
    expect(check).toMatchObject({ notBeforeMs: deps.clock.nowMs() + QUIET_MS, body: { streamedAlert: { alertId: STREAMED_ID } } });

    deps.clock.advance(60_000);
    expect(await handleAlertMessage(deps, { records: [withAlertColumns(parts.machine)] }, delivery('m2'))).toMatchObject({
      kind: 'assembling',
    });
    // The machine row moved the quiet period: the check, when it comes, is sent again for the new end.
    deps.clock.advance(60_000);
    const early = await handleAlertMessage(deps, check?.body, delivery(check?.messageId ?? ''));
    expect(early).toMatchObject({ kind: 'assembling', dueMs: deps.clock.nowMs() + 60_000 });
    expect(deps.runs.runs.size).toBe(0);
    const [later] = deps.bus.take('alerts').filter((m) => m.messageId !== check?.messageId);
    expect(later?.notBeforeMs).toBe(deps.clock.nowMs() + 60_000);

    deps.clock.advance(60_000);
    expect(await handleAlertMessage(deps, later?.body, delivery(later?.messageId ?? ''))).toMatchObject({
      kind: 'started',
      alertId: STREAMED_ID,
    });
    const [view] = await runsOf(deps);
    expect(view?.run.playbook.name).toBe('process-memory-dump');
    expect(view?.run.trigger).toMatchObject({ alertTitle: 'Suspicious access to LSASS service' });
  });

  it('answers an alert with no device after the quiet period, and again once its device arrives', async () => {
    const deps = fakeDeps();
    await handleAlertMessage(deps, { records: [parts.info] }, delivery('m1'));
    const [check] = deps.bus.take('alerts');
    deps.clock.advance(QUIET_MS);
    expect(await handleAlertMessage(deps, check?.body, delivery('c1'))).toMatchObject({ kind: 'no-device', alertId: STREAMED_ID });
    expect(await handleAlertMessage(deps, { records: [parts.machine, parts.process] }, delivery('m2'))).toMatchObject({ kind: 'started' });
  });
});

describe('rows after the answer', () => {
  const lateFile = record('AlertEvidence', {
    Timestamp: '2026-11-20T09:25:00Z',
    AlertId: STREAMED_ID,
    EntityType: 'File',
    FileName: 'l.dmp',
    FolderPath: 'C:\\Temp',
    DeviceId: FINANCE,
  });

  it('records a late row without answering again', async () => {
    const deps = fakeDeps();
    await handleAlertMessage(deps, { records: [parts.info, parts.machine, parts.process] }, delivery('m1'));
    const actions = deps.bus.take('actions').length;
    expect(await handleAlertMessage(deps, { records: [lateFile] }, delivery('m2'))).toEqual({
      kind: 'late-rows',
      alertId: STREAMED_ID,
      rows: 1,
    });
    const stored = (await deps.assemblies.load(STREAMED_ID))?.value;
    expect(stored?.lateRows).toBe(1);
    expect(stored?.rows.map((r) => r.fileName)).toContain('l.dmp');
    expect(deps.runs.runs.size).toBe(1);
    expect(actions).toBe(1);
    expect(deps.bus.take('actions')).toEqual([]);
  });

  it('answers again with the late rows when a playbook says rerun: onUpdate', async () => {
    const deps = fakeDeps({ playbooks: [rerunOnUpdate] });
    await handleAlertMessage(deps, { records: [parts.info, parts.machine, parts.process] }, delivery('m1'));
    expect(await handleAlertMessage(deps, { records: [lateFile] }, delivery('m2'))).toMatchObject({ kind: 'started', created: [true] });
    expect(deps.runs.runs.size).toBe(2);
  });
});

describe('redelivery', () => {
  it('answers once when the message that completed the alert, or its quiet-period check, is delivered again', async () => {
    const deps = fakeDeps();
    await handleAlertMessage(deps, { records: [parts.process] }, delivery('m1'));
    const [check] = deps.bus.take('alerts');
    const completing = { records: [parts.info, parts.machine] };
    expect(await handleAlertMessage(deps, completing, delivery('m2'))).toMatchObject({ kind: 'started' });
    expect(deps.bus.take('actions')).toHaveLength(1);
    expect(await handleAlertMessage(deps, completing, { messageId: 'm2', deliveryCount: 2 })).toEqual({
      kind: 'unchanged',
      alertId: STREAMED_ID,
    });
    deps.clock.advance(QUIET_MS);
    expect(await handleAlertMessage(deps, check?.body, delivery('c1'))).toEqual({ kind: 'unchanged', alertId: STREAMED_ID });
    expect(deps.bus.take('actions')).toEqual([]);
    expect((await deps.assemblies.load(STREAMED_ID))?.value.emitted?.times).toBe(1);
  });

  it('sends the same quiet-period check for a redelivered first message, so the bus keeps one', async () => {
    const deps = fakeDeps();
    await handleAlertMessage(deps, { records: [parts.process] }, delivery('m1'));
    await handleAlertMessage(deps, { records: [parts.process] }, { messageId: 'm1', deliveryCount: 2 });
    const checks = deps.bus.take('alerts');
    expect(checks).toHaveLength(2);
    expect(new Set(checks.map((c) => c.messageId)).size).toBe(1);
  });
});

describe('the row cap', () => {
  it('keeps at most STREAMING_ALERT_MAX_ROWS evidence rows of an alert and reports the others', async () => {
    const config = loadConfig({
      STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      BUS_KIND: 'storage-queues',
      STREAMING_ALERT_MAX_ROWS: '3',
    });
    const deps = fakeDeps({ config });
    const processes = Array.from({ length: 2_000 }, (_, i) => streamedProcess(STREAMED_ID, { ProcessId: String(1000 + i) }));
    const outcome = await handleAlertMessage(deps, { records: [parts.info, parts.machine, ...processes] }, delivery('m1'));
    expect(outcome).toMatchObject({ kind: 'started' });
    const stored = (await deps.assemblies.load(STREAMED_ID))?.value;
    expect(stored?.rows.filter((r) => r.table === 'evidence')).toHaveLength(3);
    expect(stored?.droppedRows).toBe(1_998);
    const step = await streamedAlertDue(deps, { alertId: STREAMED_ID });
    expect(step.kind === 'ready' && step.alert.problems).toEqual([
      expect.stringMatching(/^1998 streamed row\(s\) not kept: past the cap of 3 evidence rows/),
    ]);
  });
});
