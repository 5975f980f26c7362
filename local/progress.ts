import type { RunStatus } from '../shared/services/status/runStatus.js';

/**
 * Turns successive run snapshots into one line per change, e.g.
 *   [00:01:30 sim] ws-finance-07  a-3f2c…  InProgress
 */
export class ProgressReporter {
  private readonly seen = new Map<string, string>();

  constructor(private readonly write: (line: string) => void) {}

  update(statuses: RunStatus[], simulatedElapsedMs: number): void {
    for (const run of statuses) {
      if (!this.seen.has(run.runId)) {
        const trigger = run.trigger.kind === 'alert' ? `alert "${run.trigger.alertTitle ?? run.trigger.alertId}"` : run.trigger.kind;
        this.emit(
          run.runId,
          `run ${run.runId} started: ${run.playbook.name} for ${trigger}, ${run.devices.length} device(s)${run.refused.length ? `, ${run.refused.length} refused (${run.refused.map((r) => r.reason).join('; ')})` : ''}`,
          simulatedElapsedMs,
        );
      }
      for (const d of run.devices) {
        const name = d.deviceName?.split('.')[0] ?? d.deviceId.slice(0, 12);
        const state = d.state === 'submitted' || d.state === 'ended' ? (d.actionStatus ?? d.state) : d.state;
        this.emit(
          `${run.runId}|${d.deviceId}|state`,
          `${name.padEnd(14)} ${run.runId}  ${state}${d.state === 'ended' && d.lastError ? ` (${d.lastError})` : ''}`,
          simulatedElapsedMs,
        );
        for (const e of d.evidence) {
          this.emit(
            `${run.runId}|${d.deviceId}|${e.commandIndex}`,
            `${name.padEnd(14)} ${run.runId}  evidence stored: ${e.blobName} (${e.sizeBytes} bytes, sha256 ${e.sha256.slice(0, 16)}…)`,
            simulatedElapsedMs,
          );
        }
      }
      this.emit(`${run.runId}|phase`, `run ${run.runId} ${run.phase}`, simulatedElapsedMs, run.phase === 'ended');
    }
  }

  private emit(key: string, line: string, simulatedElapsedMs: number, onlyWhen = true): void {
    if (!onlyWhen || this.seen.get(key) === line) return;
    this.seen.set(key, line);
    this.write(`[${clock(simulatedElapsedMs)} sim] ${line}`);
  }
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}
