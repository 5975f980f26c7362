import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../../shared/clock.js';
import { DEVICE, errorOf, getFile, jsonOf, putFile, runScript, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

const HOSTS = 'C:\\Windows\\System32\\drivers\\etc\\hosts';

describe('result download links', () => {
  let t: TestSimulator;
  let actionId: string;
  beforeEach(async () => {
    t = await startTestSimulator();
    const res = await t.runLiveResponse(DEVICE.sql, [
      putFile('Collect-Triage.ps1'),
      runScript('Collect-Triage.ps1', '-OutputName n1'),
      getFile(HOSTS),
    ]);
    actionId = (await jsonOf<{ id: string }>(res)).id;
  });
  afterEach(async () => {
    await t.close();
  });

  const linkCall = (index: number | string) => t.call(`/api/machineactions/${actionId}/GetLiveResponseResultDownloadLink(index=${index})`);

  it('answers 400 InvalidInput while the command has not finished', async () => {
    // Act
    const res = await linkCall(2);
    // Assess
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('InvalidInput');
  });

  it('returns an Edm.String value with a SAS-like URL that needs no bearer token', async () => {
    // Prepare
    t.clock.advance(5 * MINUTE_MS);
    // Act
    const res = await linkCall(2);
    const body = await jsonOf<{ '@odata.context': string; value: string }>(res);
    const download = await fetch(body.value);
    // Assess
    expect(res.status).toBe(200);
    expect(body['@odata.context']).toMatch(/#Edm\.String$/);
    expect(new URL(body.value).searchParams.get('sp')).toBe('r');
    expect(new URL(body.value).searchParams.get('se')).toBe('2026-11-20T09:35:00.000Z');
    expect(download.status).toBe(200);
    expect(download.headers.get('x-simulator')).toMatch(/simulator/);
  });

  it('expires a link 30 minutes after minting (403 AuthenticationFailed) and a fresh call mints a working one', async () => {
    // Prepare
    t.clock.advance(5 * MINUTE_MS);
    const old = (await jsonOf<{ value: string }>(await linkCall(1))).value;
    t.clock.advance(30 * MINUTE_MS);
    // Act
    const expired = await fetch(old);
    const fresh = (await jsonOf<{ value: string }>(await linkCall(1))).value;
    const ok = await fetch(fresh);
    // Assess
    expect(expired.status).toBe(403);
    expect(expired.headers.get('x-ms-error-code')).toBe('AuthenticationFailed');
    expect(await expired.text()).toContain('<Code>AuthenticationFailed</Code>');
    expect(fresh).not.toBe(old);
    expect(ok.status).toBe(200);
    expect(t.sim.stats()).toMatchObject({ downloadLinksMinted: 2, downloadsServed: 1, downloadsRefused: 1 });
  });

  it('refuses a tampered signature with 403', async () => {
    // Prepare
    t.clock.advance(5 * MINUTE_MS);
    const url = new URL((await jsonOf<{ value: string }>(await linkCall(1))).value);
    url.searchParams.set('se', '2099-01-01T00:00:00.000Z');
    // Act
    const res = await fetch(url);
    // Assess
    expect(res.status).toBe(403);
  });

  it.each([
    [0, 400, 'InvalidInput', /PutFile/],
    [3, 404, 'ResourceNotFound', /does not exist/],
    ['x', 400, 'BadRequest', /index/],
  ])('answers index %s with %s %s', async (index, status, code, message) => {
    // Prepare
    t.clock.advance(5 * MINUTE_MS);
    // Act
    const res = await linkCall(index);
    // Assess
    expect(res.status).toBe(status);
    expect(await errorOf(res)).toMatchObject({ code, message: expect.stringMatching(message) as unknown });
  });
});
