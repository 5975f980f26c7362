import { z } from 'zod';
import { MINUTE_MS } from '../clock.js';
import { DEFENDER_SCOPE } from '../defender/port.js';
import type { SettingProblem } from '../errors.js';
import { bool, int, isLoopback, type SettingsOf } from './values.js';

/** The Defender API: where it is, how it is called, what a result link may point to. */
export const defenderSettings = {
  DEFENDER_API_BASE_URL: z.url().default('https://api.securitycenter.microsoft.com'),
  DEFENDER_TOKEN_SCOPE: z.string().min(1).default(DEFENDER_SCOPE),
  /** Allow plain http for the API and result links: only for the local simulator on loopback. */
  DEFENDER_ALLOW_HTTP_LOOPBACK: bool.default(false),
  /** Hosts result links may point to (suffix match). */
  DEFENDER_LINK_HOST_SUFFIXES: z.string().default('.blob.core.windows.net'),
  DEFENDER_REQUEST_TIMEOUT_MS: int(1).default(30_000),
  DEFENDER_DEFAULT_RETRY_AFTER_MS: int(1).default(60_000),
  /** How long after an unknown POST outcome the action list is trusted to show our action if it exists (list lag bound). */
  DEFENDER_LIST_LAG_BOUND_MS: int(0).default(5 * MINUTE_MS),
};

export interface DefenderConfig {
  baseUrl: string;
  scope: string;
  allowHttpLoopback: boolean;
  linkHostSuffixes: string[];
  requestTimeoutMs: number;
  defaultRetryAfterMs: number;
  listLagBoundMs: number;
}

type DefenderSettings = SettingsOf<typeof defenderSettings>;

export function defenderConfig(s: DefenderSettings): DefenderConfig {
  return {
    baseUrl: s.DEFENDER_API_BASE_URL.replace(/\/+$/, ''),
    scope: s.DEFENDER_TOKEN_SCOPE,
    allowHttpLoopback: s.DEFENDER_ALLOW_HTTP_LOOPBACK,
    linkHostSuffixes: s.DEFENDER_LINK_HOST_SUFFIXES.split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    requestTimeoutMs: s.DEFENDER_REQUEST_TIMEOUT_MS,
    defaultRetryAfterMs: s.DEFENDER_DEFAULT_RETRY_AFTER_MS,
    listLagBoundMs: s.DEFENDER_LIST_LAG_BOUND_MS,
  };
}

/** The API is https; plain http only for the simulator on loopback. */
export function defenderRules(s: DefenderSettings): SettingProblem[] {
  const base = new URL(s.DEFENDER_API_BASE_URL);
  if (base.protocol === 'https:' || (s.DEFENDER_ALLOW_HTTP_LOOPBACK && isLoopback(base.hostname))) return [];
  return [
    { setting: 'DEFENDER_API_BASE_URL', message: 'must be https (plain http only on loopback with DEFENDER_ALLOW_HTTP_LOOPBACK=true)' },
  ];
}
