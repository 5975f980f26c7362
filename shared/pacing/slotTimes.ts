// Sorted lists of slot times (ms): the send-slot ledger's arithmetic.
import { reservedSlots, type PacingState } from './state.js';

export function insertSorted(values: number[], value: number): number[] {
  const at = values.findIndex((v) => v > value);
  return at === -1 ? [...values, value] : [...values.slice(0, at), value, ...values.slice(at)];
}

export function withoutOne(values: number[], value: number): number[] {
  const at = values.indexOf(value);
  return at === -1 ? values : [...values.slice(0, at), ...values.slice(at + 1)];
}

/** The calls made or admitted: the ledger's slots without the reserved ones. */
export function callsOf(state: PacingState): number[] {
  return withoutEach(state.slotsMs, reservedSlots(state));
}

/** `sorted` without one occurrence of each value of `remove`. */
function withoutEach(sorted: readonly number[], remove: readonly number[]): number[] {
  const gone = [...remove].sort((a, b) => a - b);
  const kept: number[] = [];
  let j = 0;
  for (const value of sorted) {
    while (j < gone.length && (gone[j] ?? 0) < value) j += 1;
    if (j < gone.length && gone[j] === value) j += 1;
    else kept.push(value);
  }
  return kept;
}
