import { describe, expect, it } from 'vitest';
import { actionMessageSchema } from '../../../shared/bus/messages.js';
import { parseOrDeadLetter } from '../../../shared/bus/parseOrDeadLetter.js';
import { RecordingBus } from '../../helpers/fakes.js';

const delivery = { messageId: 'msg-42', deliveryCount: 1 };

describe('parse or dead-letter', () => {
  it('returns the parsed body and dead-letters nothing when it matches the schema', async () => {
    const bus = new RecordingBus();
    const parsed = await parseOrDeadLetter(bus, 'actions', actionMessageSchema, { runId: 'a-1', deviceId: 'd-1' }, delivery);
    expect(parsed).toEqual({ ok: true, value: { runId: 'a-1', deviceId: 'd-1' } });
    expect(bus.deadLettered).toEqual([]);
  });

  it('dead-letters a malformed body with the reason, the issues and the original message id', async () => {
    const bus = new RecordingBus();
    const body = { runId: 'a-1', extra: true };
    const parsed = await parseOrDeadLetter(bus, 'actions', actionMessageSchema, body, delivery);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors.map((i) => i.path)).toEqual(expect.arrayContaining(['deviceId']));
    expect(bus.deadLettered).toHaveLength(1);
    const [letter] = bus.deadLettered;
    expect(letter?.queue).toBe('actions');
    expect(letter?.body).toBe(body);
    expect(letter?.reason.reason).toBe('MalformedMessage');
    expect(letter?.reason.originalMessageId).toBe('msg-42');
    expect(letter?.reason.description).toMatch(/deviceId: /);
  });
});
