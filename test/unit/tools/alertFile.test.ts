import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ManualClock } from '../../../shared/clock.js';
import { loadPlaybooks } from '../../../shared/playbooks/loader.js';
import { staticDirectory } from '../../../shared/services/intake/deviceDirectory.js';
import { dryRun } from '../../../shared/services/intake/dryRun.js';
import { readAlertFile } from '../../../tools/alertFile.js';
import { FINANCE } from '../../helpers/alerts.js';
import { streamedInfo, streamedMachine, streamedProcess } from '../../helpers/streamedAlert.js';

describe('the dry run alert file', () => {
  it('reads one JSON value as it is', () => {
    expect(readAlertFile('{"records": [{"category": "x"}]}')).toEqual({ ok: true, value: { records: [{ category: 'x' }] } });
  });

  it('reads JSON lines, one message or record per line, as an array', () => {
    expect(readAlertFile('{"records": [1]}\n\n{"records": [2]}\r\n{"category": "c"}\n')).toEqual({
      ok: true,
      value: [{ records: [1] }, { records: [2] }, { category: 'c' }],
    });
  });

  it('names the line that is not JSON', () => {
    expect(readAlertFile('{"a": 1}\n{"b": \n')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^neither JSON nor JSON lines: line 2/) as unknown,
    });
  });
});

describe('the split-messages example', () => {
  it('is what the streamed-alert helper builds, and the dry run renders its memory dump from it', async () => {
    const text = readFileSync('test/fixtures/alerts/streaming-split-messages.jsonl', 'utf8');
    const file = readAlertFile(text);
    expect(file).toEqual({
      ok: true,
      value: [{ records: [streamedProcess()] }, { records: [streamedMachine()] }, { records: [streamedInfo()] }],
    });
    const playbooks = await loadPlaybooks('playbooks');
    const result = await dryRun(
      { playbooks, directory: staticDirectory([{ id: FINANCE, tags: [] }]), clock: new ManualClock() },
      { alert: file.ok ? file.value : undefined },
    );
    const plan = result.ok ? result.value.plans[0] : undefined;
    expect(plan?.devices[0]?.commands[0]?.params).toContainEqual({ key: 'Args', value: `-ProcessId 6324 -OutputName ${plan?.runId}` });
  });
});
