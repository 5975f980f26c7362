/**
 * How MDEAutomator follows a live response action (`Invoke-GetFile` and
 * `Get-MachineActionStatus`, function/MDEAutomator/MDEAutomator.psm1 in
 * msdirtbag/MDEAutomator), as pure rules. In our words: 5 s after the POST it
 * starts a stopwatch and, while under 11 minutes, GETs the action: Succeeded
 * ends it well, Failed (or any status it does not know) ends it badly,
 * Pending or InProgress sleeps 15 s and looks again; an error on the GET
 * ends it badly at once. Past 11 minutes it reports a time-out and leaves
 * the action as it is (no cancel). After a success it waits 3 s and asks for
 * the download link of command 0, once.
 */

export const FIRST_POLL_DELAY_MS = 5_000;
export const POLL_INTERVAL_MS = 15_000;
export const GIVE_UP_AFTER_MS = 11 * 60_000;
export const LINK_DELAY_MS = 3_000;

export type StatusVerdict = 'succeeded' | 'failed' | 'waiting';

/** What one status read means to the peer. */
export function statusVerdict(status: string): StatusVerdict {
  if (status === 'Succeeded') return 'succeeded';
  if (status === 'Pending' || status === 'InProgress') return 'waiting';
  return 'failed';
}

/** Whether the peer reads the status again: only while its stopwatch is under 11 minutes. */
export function mayPollAgain(stopwatchStartMs: number, nowMs: number): boolean {
  return nowMs - stopwatchStartMs < GIVE_UP_AFTER_MS;
}
