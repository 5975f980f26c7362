import type { Availability } from './fleetSchema.js';

/** Online intervals `[fromMs, untilMs)` in absolute clock time; `untilMs` Infinity = open-ended. */
export type Interval = readonly [number, number];

/** Turns a device's availability (offsets from the simulator start) into absolute online intervals. */
export function onlineIntervals(availability: Availability, startMs: number): Interval[] {
  if (availability === 'always') return [[-Infinity, Infinity]];
  if (availability === 'never') return [];
  if ('online' in availability) return availability.online === 'always' ? [[-Infinity, Infinity]] : [];
  if ('offlineUntilMs' in availability) return [[startMs + availability.offlineUntilMs, Infinity]];
  return availability.onlineWindows
    .map((w): Interval => [startMs + w.fromMs, w.untilMs === undefined ? Infinity : startMs + w.untilMs])
    .filter(([from, until]) => until > from)
    .sort((a, b) => a[0] - b[0]);
}

/** The earliest time ≥ `atMs` at which the device is online, or undefined if never again. */
export function nextOnlineAtMs(intervals: readonly Interval[], atMs: number): number | undefined {
  for (const [from, until] of intervals) {
    if (atMs < until) return Math.max(from, atMs);
  }
  return undefined;
}

export const isOnlineAt = (intervals: readonly Interval[], atMs: number): boolean => nextOnlineAtMs(intervals, atMs) === atMs;
