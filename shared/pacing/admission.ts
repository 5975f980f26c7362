/**
 * The admission decision, as a pure function of (state, now, limits).
 * It holds the Defender limits: N runliveresponse calls per window, at most
 * M sessions (Pending or InProgress actions, ours) at once, one action per
 * device, and a penalty after a 429. Every hold expires, so a crashed worker
 * cannot keep capacity forever.
 */
export interface PacingLimits {
  liveResponseCalls: number;
  liveResponseWindowMs: number;
  maxSessions: number;
  /** How long a session hold lasts without being released (the offline deadline plus margin). */
  sessionHoldMs: number;
  /** Wait before asking again when the device or every session slot is taken. */
  deviceBusyRetryMs: number;
  sessionsFullRetryMs: number;
}

export interface SessionHold {
  runId: string;
  expiresMs: number;
}

export interface PacingState {
  /** Times of recent runliveresponse calls, oldest first. */
  callTimesMs: number[];
  /** No call before this instant (a 429's Retry-After). */
  penaltyUntilMs: number;
  /** One hold per device: the device lock and the session slot in one. */
  sessions: Record<string, SessionHold>;
}

export const emptyPacingState = (): PacingState => ({ callTimesMs: [], penaltyUntilMs: 0, sessions: {} });

export type Admission =
  | { admit: true; state: PacingState }
  | { admit: false; waitMs: number; reason: 'penalty' | 'rate' | 'device-busy' | 'sessions-full' };

export function decideAdmission(state: PacingState, nowMs: number, limits: PacingLimits, request: { deviceId: string; runId: string }): Admission {
  const current = prune(state, nowMs, limits);
  const hold = current.sessions[request.deviceId];
  if (hold && hold.runId !== request.runId) return { admit: false, waitMs: limits.deviceBusyRetryMs, reason: 'device-busy' };
  if (!hold && Object.keys(current.sessions).length >= limits.maxSessions) {
    const soonest = Math.min(...Object.values(current.sessions).map((s) => s.expiresMs));
    return { admit: false, waitMs: Math.max(1, Math.min(limits.sessionsFullRetryMs, soonest - nowMs)), reason: 'sessions-full' };
  }
  if (current.penaltyUntilMs > nowMs) return { admit: false, waitMs: current.penaltyUntilMs - nowMs, reason: 'penalty' };
  if (current.callTimesMs.length >= limits.liveResponseCalls) {
    const oldest = current.callTimesMs[current.callTimesMs.length - limits.liveResponseCalls] ?? nowMs;
    return { admit: false, waitMs: Math.max(1, oldest + limits.liveResponseWindowMs - nowMs), reason: 'rate' };
  }
  return {
    admit: true,
    state: {
      callTimesMs: [...current.callTimesMs, nowMs],
      penaltyUntilMs: current.penaltyUntilMs,
      sessions: { ...current.sessions, [request.deviceId]: { runId: request.runId, expiresMs: nowMs + limits.sessionHoldMs } },
    },
  };
}

/** The device's action ended (or was never created): free its session slot. */
export function releaseSession(state: PacingState, deviceId: string, runId: string): PacingState {
  if (state.sessions[deviceId]?.runId !== runId) return state;
  const sessions = { ...state.sessions };
  delete sessions[deviceId];
  return { ...state, sessions };
}

/** A 429: nobody calls before `untilMs`. */
export function applyPenalty(state: PacingState, untilMs: number): PacingState {
  return { ...state, penaltyUntilMs: Math.max(state.penaltyUntilMs, untilMs) };
}

function prune(state: PacingState, nowMs: number, limits: PacingLimits): PacingState {
  const sessions: Record<string, SessionHold> = {};
  for (const [deviceId, hold] of Object.entries(state.sessions)) if (hold.expiresMs > nowMs) sessions[deviceId] = hold;
  return {
    callTimesMs: state.callTimesMs.filter((t) => t > nowMs - limits.liveResponseWindowMs),
    penaltyUntilMs: state.penaltyUntilMs,
    sessions,
  };
}
