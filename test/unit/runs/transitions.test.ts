import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, ResponderError } from '../../../shared/errors.js';
import { DEVICE_ACTION_STATES, type DeviceAction, type DeviceActionState } from '../../../shared/runs/model.js';
import {
  ALLOWED_TRANSITIONS,
  canMove,
  markCancelled,
  markEnded,
  markRejected,
  markSubmitted,
  markSubmitting,
  requeue,
  requestCancel,
} from '../../../shared/runs/transitions.js';

const NOW = 1_800_000_000_000;
const ASKED = { by: 'ana (user oid-1)', reason: 'INC-7 false positive' };

const action = (state: DeviceActionState): DeviceAction => ({
  runId: 'a-1',
  deviceId: 'd-1',
  commands: [],
  comment: 'mde-responder corr=a-1.d-1',
  state,
  commandOutcomes: [],
  collectIndexes: [],
  submitAttempts: 2,
  lastError: 'earlier',
  createdMs: NOW - 60_000,
  updatedMs: NOW - 1_000,
});

/** The one function that moves an action into each state. */
const moveTo: Record<DeviceActionState, (a: DeviceAction) => DeviceAction> = {
  queued: (a) => requeue(a, NOW),
  submitting: (a) => markSubmitting(a, NOW),
  submitted: (a) => markSubmitted(a, { id: 'ma-1', status: 'Pending' }, NOW),
  ended: (a) => markEnded(a, { actionStatus: 'Succeeded' }, NOW),
  rejected: (a) => markRejected(a, 'BadRequestError: no', NOW),
  cancelled: (a) => markCancelled(requestCancel(a, ASKED, NOW) ?? a, NOW),
};

const pairs = DEVICE_ACTION_STATES.flatMap((from) => DEVICE_ACTION_STATES.map((to) => ({ from, to })));
const allowed = pairs.filter(({ from, to }) => ALLOWED_TRANSITIONS[from].includes(to));
const disallowed = pairs.filter(({ from, to }) => !ALLOWED_TRANSITIONS[from].includes(to));

describe('the device action state machine', () => {
  it.each(allowed)('moves $from -> $to', ({ from, to }) => {
    const before = action(from);
    const after = moveTo[to](before);
    expect(canMove(from, to)).toBe(true);
    expect(after.state).toBe(to);
    expect(after.updatedMs).toBe(NOW);
    expect(before.state).toBe(from);
  });

  it.each(disallowed)('refuses $from -> $to, naming both', ({ from, to }) => {
    expect(canMove(from, to)).toBe(false);
    const error: unknown = (() => {
      try {
        moveTo[to](action(from));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toBeInstanceOf(ResponderError);
    expect(error).toMatchObject({ from, to, message: `device action a-1/d-1: no transition from '${from}' to '${to}'` });
  });

  it('lists the allowed moves: the states run forward, ended, rejected and cancelled are final', () => {
    expect(allowed.map(({ from, to }) => `${from}->${to}`)).toEqual([
      'queued->submitting',
      'queued->submitted',
      'queued->cancelled',
      'submitting->queued',
      'submitting->submitting',
      'submitting->submitted',
      'submitting->ended',
      'submitting->rejected',
      'submitting->cancelled',
      'submitted->ended',
    ]);
  });

  it.each([
    ['markSubmitting counts the attempt', markSubmitting(action('queued'), NOW), { submitAttempts: 3 }],
    [
      'markSubmitted records the action and clears the last error',
      markSubmitted(action('submitting'), { id: 'ma-1', status: 'Pending' }, NOW),
      { machineActionId: 'ma-1', actionStatus: 'Pending', submittedMs: NOW, lastError: undefined },
    ],
    ['requeue keeps the last error when given none', requeue(action('submitting'), NOW), { lastError: 'earlier' }],
    ['requeue records a given error', requeue(action('submitting'), NOW, 'ThrottledError: 429'), { lastError: 'ThrottledError: 429' }],
    ['markRejected records why', markRejected(action('submitting'), 'ForbiddenError: 403', NOW), { lastError: 'ForbiddenError: 403' }],
    [
      'markEnded records the status, outcomes and end',
      markEnded(action('submitted'), { actionStatus: 'Failed', commandOutcomes: [] }, NOW),
      { actionStatus: 'Failed', commandOutcomes: [], endedMs: NOW, lastError: 'earlier' },
    ],
    [
      'markEnded records an expiry',
      markEnded(action('submitted'), { actionStatus: 'Cancelled', lastError: 'expired' }, NOW),
      { actionStatus: 'Cancelled', endedMs: NOW, lastError: 'expired' },
    ],
    [
      'requestCancel records who and why without moving the action',
      requestCancel(action('submitted'), ASKED, NOW),
      { state: 'submitted', cancelledBy: ASKED.by, cancelReason: ASKED.reason, cancelRequestedMs: NOW },
    ],
    [
      'markCancelled reads who cancelled and why in the last error',
      markCancelled(requestCancel(action('queued'), ASKED, NOW) ?? action('queued'), NOW),
      { state: 'cancelled', lastError: 'cancelled by ana (user oid-1): INC-7 false positive', endedMs: NOW },
    ],
    [
      'markEnded of a Cancelled action an operator asked to cancel says who and why',
      markEnded(requestCancel(action('submitted'), ASKED, NOW) ?? action('submitted'), { actionStatus: 'Cancelled' }, NOW),
      { actionStatus: 'Cancelled', lastError: 'cancelled by ana (user oid-1): INC-7 false positive' },
    ],
  ])('%s', (_what, after, expected) => {
    expect(after).toMatchObject({ ...expected, updatedMs: NOW });
  });

  it('records only the first cancel request, and none on an action that has ended', () => {
    const asked = requestCancel(action('submitting'), ASKED, NOW);
    expect(asked && requestCancel(asked, { by: 'bob', reason: 'other' }, NOW + 1)).toBeUndefined();
    expect(requestCancel(action('ended'), ASKED, NOW)).toBeUndefined();
    expect(requestCancel(action('cancelled'), ASKED, NOW)).toBeUndefined();
  });
});
