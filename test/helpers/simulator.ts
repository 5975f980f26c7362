import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { ManualClock } from '../../shared/clock.js';
import { DefenderClient, type DefenderClientOptions } from '../../shared/defender/client.js';
import { DEFENDER_SCOPE } from '../../shared/defender/port.js';
import {
  loadFleet,
  parseFleet,
  SimulatorCredential,
  startSimulator,
  type FleetInput,
  type RunningSimulator,
  type SimulatorFaults,
  type SimulatorSettingsInput,
} from '../../simulator/index.js';

export const DEMO_FLEET_PATH = new URL('../../local/fleets/demo.json', import.meta.url).pathname;

export const DEVICE = {
  finance: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
  sql: '2a7f0c3e9b1d4c6e8f0a2b4c6d8e0f1a3b5c7d9e',
  sales: '3b8e1d4f0c2e5d7f9a1b3c5d7e9f1a2b4c6d8e0f',
  dev: '4c9f2e5a1d3f6e8a0b2c4d6e8f0a1b3c5d7e9f2a',
  /** web-lnx-02, the demo's Linux server. */
  linux: '5d0a3f6b2e4c7a9b1d3f5e7a9c1b3d5f7e9a1c3b',
} as const;

/** A 40-hex device id from a small number (for generated fleets). */
export const deviceId = (n: number): string => n.toString(16).padStart(40, 'a');

/** A fleet of `count` always-online Windows devices `dev-<n>.contoso.local` plus one script `Echo.ps1`. */
export function manyDevicesFleet(count: number, extra: Partial<FleetInput> = {}): FleetInput {
  return {
    name: 'many',
    library: [{ fileName: 'Echo.ps1', content: 'Write-Output $args' }],
    devices: Array.from({ length: count }, (_, i) => ({ id: deviceId(i + 1), computerDnsName: `dev-${i + 1}.contoso.local` })),
    ...extra,
  };
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

export interface TestSimulator {
  readonly sim: RunningSimulator;
  readonly clock: ManualClock;
  /** A fresh valid token with every default role (calls without `token` mint one each time, like a client refreshing). */
  freshToken(): Promise<string>;
  tokenWith(options: { roles?: string[]; audience?: string; appId?: string; appDisplayName?: string }): Promise<string>;
  call(path: string, options?: CallOptions): Promise<Response>;
  /** POST runliveresponse with a Commands list. */
  runLiveResponse(machineId: string, commands: unknown[], token?: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestSimulator(
  options: {
    fleet?: FleetInput;
    settings?: SimulatorSettingsInput;
    faults?: SimulatorFaults;
  } = {},
): Promise<TestSimulator> {
  const clock = new ManualClock();
  const fleet = options.fleet ? parseFleet(options.fleet) : await loadFleet(DEMO_FLEET_PATH);
  const sim = await startSimulator({
    fleet,
    clock,
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const tokenWith = async (o: { roles?: string[]; audience?: string; appId?: string; appDisplayName?: string }): Promise<string> => {
    const credential = new SimulatorCredential({ clock, ...o });
    const token = await credential.getToken(DEFENDER_SCOPE);
    return token?.token ?? '';
  };
  const freshToken = () => tokenWith({});
  const call = async (path: string, o: CallOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...o.headers };
    const bearer = o.token === undefined ? await freshToken() : o.token;
    if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['Content-Type'] ??= 'application/json';
    }
    return fetch(`${sim.url}${path}`, {
      method: o.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    });
  };
  return {
    sim,
    clock,
    freshToken,
    tokenWith,
    call,
    runLiveResponse: (machineId, commands, t) =>
      call(`/api/machines/${machineId}/runliveresponse`, { body: { Commands: commands, Comment: 'test' }, ...(t ? { token: t } : {}) }),
    close: () => sim.close(),
  };
}

export const runScript = (name: string, args?: string) => ({
  type: 'RunScript',
  params: [{ key: 'ScriptName', value: name }, ...(args === undefined ? [] : [{ key: 'Args', value: args }])],
});
export const getFile = (path: string) => ({ type: 'GetFile', params: [{ key: 'Path', value: path }] });
export const putFile = (name: string) => ({ type: 'PutFile', params: [{ key: 'FileName', value: name }] });

/** Reads an MDE error envelope. */
export async function errorOf(res: Response): Promise<{ code: string; message: string; target: string }> {
  const body = (await res.json()) as { error: { code: string; message: string; target: string } };
  return body.error;
}

export async function jsonOf<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
export const gunzipSha256 = (data: Buffer): string => sha256Hex(gunzipSync(data));

/** The Defender client pointed at a test simulator (its clock's unsigned tokens, loopback result links allowed). */
export function simulatorClient(t: TestSimulator, extra: Partial<DefenderClientOptions> = {}): DefenderClient {
  return new DefenderClient({
    baseUrl: t.sim.url,
    credential: new SimulatorCredential({ clock: t.clock }),
    scope: DEFENDER_SCOPE,
    requestTimeoutMs: 10_000,
    defaultRetryAfterMs: 1_000,
    linkPolicy: { hostSuffixes: ['.blob.core.windows.net'], allowHttpLoopback: true },
    ...extra,
  });
}
