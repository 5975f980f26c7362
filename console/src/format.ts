import type { LiveResponseCommand } from './types.js';

/** How the console writes times, sizes, hashes, commands and links. */

const pad = (n: number): string => String(n).padStart(2, '0');

/** An instant in UTC and in the browser's local time: `2026-12-02 01:58:30 UTC (02:58:30 local)`. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const utc = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
  const sameDay =
    date.getFullYear() === date.getUTCFullYear() && date.getMonth() === date.getUTCMonth() && date.getDate() === date.getUTCDate();
  const localDay = sameDay ? '' : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} `;
  return `${utc} (${localDay}${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} local)`;
}

/** The UTC time of day of an instant, to the minute: `10:02 UTC`. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

/** A duration in words an analyst reads at a glance: `45 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Bytes as KiB / MiB / GiB with the exact count where it matters. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit] ?? ''} (${bytes} bytes)`;
}

/** The first 12 hex digits of a SHA-256, for lists (the full one is always a click away). */
export const shortHash = (sha256: string): string => sha256.slice(0, 12);

/**
 * The alert's page in the Microsoft Defender portal, or undefined when the id
 * is not one Defender issues (letters, digits, `_` and `-`): nothing else
 * from an alert ever becomes a link.
 */
export function defenderAlertUrl(alertId: string): string | undefined {
  return /^[A-Za-z0-9_-]{1,128}$/.test(alertId) ? `https://security.microsoft.com/alerts/${encodeURIComponent(alertId)}` : undefined;
}

/** A 40-hex-digit Defender device id. */
export const isDeviceId = (value: string): boolean => /^[0-9a-fA-F]{40}$/.test(value);

/** Device ids typed one per line, or separated by commas or spaces. */
export const parseDeviceIds = (text: string): string[] => text.split(/[\s,;]+/).filter((id) => id !== '');

/** A Live Response command as one line: its type, then each parameter as key=value, exactly as sent. */
export const commandText = (command: LiveResponseCommand): string =>
  [command.type, ...command.params.map((p) => `${p.key}=${p.value}`)].join(' ');
