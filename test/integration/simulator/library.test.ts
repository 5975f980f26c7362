import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../../shared/clock.js';
import { libraryFileSchema } from '../../../shared/defender/types.js';
import { DEVICE, errorOf, jsonOf, runScript, sha256Hex, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

function form(fields: Record<string, string>, file?: { field?: string; name: string; content: Buffer }): FormData {
  const data = new FormData();
  if (file) data.append(file.field ?? 'file', new Blob([file.content]), file.name);
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  return data;
}

describe('live response library', () => {
  let t: TestSimulator;
  beforeEach(async () => {
    t = await startTestSimulator({ settings: { libraryMaxBytes: 1024 } });
  });
  afterEach(async () => {
    await t.close();
  });

  const upload = async (data: FormData): Promise<Response> =>
    fetch(`${t.sim.url}/api/libraryfiles`, { method: 'POST', headers: { Authorization: `Bearer ${await t.freshToken()}` }, body: data });
  const names = async (): Promise<string[]> =>
    (await jsonOf<{ value: { fileName: string }[] }>(await t.call('/api/libraryfiles'))).value.map((f) => f.fileName);

  it('lists the seeded library in the documented shape', async () => {
    // Act
    const body = await jsonOf<{ '@odata.context': string; value: unknown[] }>(await t.call('/api/libraryfiles'));
    // Assess
    const files = body.value.map((f) => libraryFileSchema.parse(f));
    expect(files.map((f) => f.fileName)).toEqual([
      'Invoke-ProcessDump.ps1',
      'Collect-Triage.ps1',
      'Copy-EvidenceFile.ps1',
      'Export-EventLogs.ps1',
      'collect-evidence-file.sh',
      'collect-triage.sh',
    ]);
    expect(files[0]).toMatchObject({ hasParameters: true, parametersDescription: '-ProcessId <pid> -OutputName <token>' });
    expect(files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('uploads (multipart), lists, runs and deletes a script', async () => {
    // Prepare
    const content = Buffer.from('Write-Output "hello"');
    // Act
    const uploaded = await upload(form({ Description: 'hello', HasParameters: 'false' }, { field: 'File', name: 'Hello.ps1', content }));
    const listed = await names();
    const run = await t.runLiveResponse(DEVICE.finance, [runScript('Hello.ps1')]);
    const deleted = await t.call('/api/libraryfiles/Hello.ps1', { method: 'DELETE' });
    const deletedAgain = await t.call('/api/libraryfiles/Hello.ps1', { method: 'DELETE' });
    // Assess
    expect(uploaded.status).toBe(200);
    expect(libraryFileSchema.parse(await uploaded.json())).toMatchObject({
      fileName: 'Hello.ps1',
      description: 'hello',
      hasParameters: false,
      sha256: sha256Hex(content),
    });
    expect(listed).toContain('Hello.ps1');
    expect(run.status).toBe(201);
    expect(deleted.status).toBe(204);
    expect(deletedAgain.status).toBe(404);
    expect(await names()).not.toContain('Hello.ps1');
  });

  it('fails a RunScript whose script was deleted before it started', async () => {
    // Prepare
    await upload(form({}, { name: 'Gone.ps1', content: Buffer.from('x') }));
    const id = (await jsonOf<{ id: string }>(await t.runLiveResponse(DEVICE.finance, [runScript('Gone.ps1')]))).id;
    await t.call('/api/libraryfiles/Gone.ps1', { method: 'DELETE' });
    // Act
    t.clock.advance(MINUTE_MS);
    const action = await jsonOf<{ status: string }>(await t.call(`/api/machineactions/${id}`));
    // Assess
    expect(action.status).toBe('Failed');
  });

  it('refuses a duplicate name unless OverrideIfExists is true', async () => {
    // Prepare
    const file = { name: 'Collect-Triage.ps1', content: Buffer.from('new') };
    // Act
    const duplicate = await upload(form({}, file));
    const overridden = await upload(form({ OverrideIfExists: 'true' }, file));
    // Assess
    expect(duplicate.status).toBe(400);
    expect((await errorOf(duplicate)).message).toMatch(/OverrideIfExists/);
    expect(overridden.status).toBe(200);
    expect((await jsonOf<{ sha256: string }>(overridden)).sha256).toBe(sha256Hex(Buffer.from('new')));
  });

  it('refuses a file over the size limit and a form without a file part', async () => {
    // Act
    const tooBig = await upload(form({}, { name: 'Big.ps1', content: Buffer.alloc(1025) }));
    const noFile = await upload(form({ Description: 'x' }));
    // Assess
    expect(tooBig.status).toBe(400);
    expect((await errorOf(tooBig)).message).toMatch(/maximum library file size of 1024 bytes/);
    expect(noFile.status).toBe(400);
  });

  it('needs Library.Manage', async () => {
    // Prepare
    const token = await t.tokenWith({ roles: ['Machine.Read.All'] });
    // Act
    const res = await t.call('/api/libraryfiles', { token });
    // Assess
    expect(res.status).toBe(403);
  });
});
