import type { Clock } from '../../../shared/clock.js';
import { FIRST_POLL_DELAY_MS, LINK_DELAY_MS, POLL_INTERVAL_MS, mayPollAgain, statusVerdict } from './pollSchedule.js';
import { callDefender, stringField, type PeerHttp } from './defenderCalls.js';
import { INITIAL_RETRY_STATE, nextRetryStep, type CallFailure } from './retrySchedule.js';

/** How one device ended for the peer. Only `collected` has its file; the rest are "failed" in its answer. */
export type DeviceOutcome =
  | { deviceId: string; result: 'collected'; actionId: string; bytes: number }
  /** The POST was refused with a 4xx other than 429 (ActiveRequestAlreadyExists, an expired token ...): skipped, no action. */
  | { deviceId: string; result: 'skipped'; failure?: CallFailure }
  /** Six attempts at the POST failed (429s or server errors): no action. */
  | { deviceId: string; result: 'retriesExhausted'; failure: CallFailure }
  /** Defender ended the action Failed, TimeOut or Cancelled. */
  | { deviceId: string; result: 'actionFailed'; actionId: string; status: string }
  /** Still Pending or InProgress after 11 minutes: left as it is. */
  | { deviceId: string; result: 'gaveUp'; actionId: string }
  /** A status GET failed (a 429 too): the device counts as failed at once, its action left as it is. */
  | { deviceId: string; result: 'statusError'; actionId: string; failure: CallFailure }
  | { deviceId: string; result: 'linkError'; actionId: string; failure: CallFailure }
  | { deviceId: string; result: 'downloadError'; actionId: string };

export type OutcomeKind = DeviceOutcome['result'];

export interface DeviceFlowDeps {
  http: PeerHttp;
  clock: Clock;
  /** Waits this long on the injected clock (PowerShell's Start-Sleep). */
  sleep: (ms: number) => Promise<void>;
  /** One draw of the retry jitter, 2 to 4 s. */
  jitterSeconds: () => number;
}

/**
 * One device of MDEOrchestrator's InvokeGetFile: `Invoke-GetFile` (POST with
 * retry, follow, link) and then the orchestrator's download of the link
 * (function/MDEOrchestrator/run.ps1; it then uploads the file to its own
 * blob container, which costs Defender nothing and is left out here).
 */
export async function collectFileFromDevice(deps: DeviceFlowDeps, deviceId: string, filePath: string): Promise<DeviceOutcome> {
  const body = { Commands: [{ type: 'GetFile', params: [{ key: 'Path', value: filePath }] }], Comment: 'MDEAutomator' };
  const post = await postWithRetry(deps, `/api/machines/${encodeURIComponent(deviceId)}/runliveresponse`, body);
  if (post.kind === 'skipped') return { deviceId, result: 'skipped', ...(post.failure ? { failure: post.failure } : {}) };
  if (post.kind === 'exhausted') return { deviceId, result: 'retriesExhausted', failure: post.failure };
  const actionId = stringField(post.json, 'id');
  if (!actionId) return { deviceId, result: 'skipped' };

  await deps.sleep(FIRST_POLL_DELAY_MS);
  const followed = await followAction(deps, actionId);
  if (followed.kind === 'timedOut') return { deviceId, result: 'gaveUp', actionId };
  if (followed.kind === 'error') return { deviceId, result: 'statusError', actionId, failure: followed.failure };
  if (followed.kind === 'failed') return { deviceId, result: 'actionFailed', actionId, status: followed.status };

  await deps.sleep(LINK_DELAY_MS);
  const link = await callDefender(deps.http, 'GET', `/api/machineactions/${actionId}/GetLiveResponseResultDownloadLink(index=0)`);
  if (!link.ok) return { deviceId, result: 'linkError', actionId, failure: link.failure };
  const url = stringField(link.json, 'value');
  const bytes = url ? await downloadBytes(deps.http.fetch, url) : undefined;
  return bytes === undefined ? { deviceId, result: 'downloadError', actionId } : { deviceId, result: 'collected', actionId, bytes };
}

type PostResult =
  { kind: 'created'; json: unknown } | { kind: 'skipped'; failure?: CallFailure } | { kind: 'exhausted'; failure: CallFailure };

async function postWithRetry(deps: DeviceFlowDeps, path: string, body: unknown): Promise<PostResult> {
  for (let state = INITIAL_RETRY_STATE; ;) {
    const answer = await callDefender(deps.http, 'POST', path, body);
    if (answer.ok) return { kind: 'created', json: answer.json };
    const step = nextRetryStep(state, answer.failure, deps.jitterSeconds());
    if (step.kind === 'skip') return { kind: 'skipped', failure: answer.failure };
    if (step.kind === 'giveUp') return { kind: 'exhausted', failure: answer.failure };
    await deps.sleep(step.waitMs);
    state = step.next;
  }
}

type Followed = { kind: 'succeeded' } | { kind: 'failed'; status: string } | { kind: 'timedOut' } | { kind: 'error'; failure: CallFailure };

async function followAction(deps: DeviceFlowDeps, actionId: string): Promise<Followed> {
  const stopwatchStartMs = deps.clock.nowMs();
  while (mayPollAgain(stopwatchStartMs, deps.clock.nowMs())) {
    const answer = await callDefender(deps.http, 'GET', `/api/machineactions/${actionId}`);
    if (!answer.ok) return { kind: 'error', failure: answer.failure };
    const status = stringField(answer.json, 'status') ?? '';
    const verdict = statusVerdict(status);
    if (verdict === 'succeeded') return { kind: 'succeeded' };
    if (verdict === 'failed') return { kind: 'failed', status };
    await deps.sleep(POLL_INTERVAL_MS);
  }
  return { kind: 'timedOut' };
}

/** Invoke-WebRequest -OutFile: the whole body, or nothing when the download fails. */
async function downloadBytes(fetchFn: typeof fetch, url: string): Promise<number | undefined> {
  try {
    const response = await fetchFn(url);
    if (!response.ok || !response.body) return undefined;
    let bytes = 0;
    for await (const chunk of response.body) bytes += (chunk as Uint8Array).byteLength;
    return bytes;
  } catch {
    return undefined;
  }
}
