import { describe, expect, it } from 'vitest';
import { ThrottledError } from '../../../shared/errors.js';
import { createLogger } from '../../../shared/log.js';
import { clientWith } from '../../helpers/fakeApiClient.js';

const DEVICE = 'a'.repeat(40);

/** A fake API answering every call with `status` (and Retry-After 7 on a 429). */
function answering(status: number) {
  return (): Promise<Response> =>
    Promise.resolve(
      new Response(
        JSON.stringify(status === 200 ? { id: DEVICE, computerDnsName: 'dev-1', machineTags: [], osPlatform: 'Windows11' } : {}),
        {
          status,
          headers: { 'Content-Type': 'application/json', ...(status === 429 ? { 'Retry-After': '7' } : {}) },
        },
      ),
    );
}

describe('DefenderClient reporting throttling', () => {
  it('logs every 429 Defender answers, with the call and the wait, for the throttling alert rule', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger((level, record) => lines.push({ level, ...record }));
    await expect(clientWith(answering(429), { logger }).getMachine(DEVICE)).rejects.toBeInstanceOf(ThrottledError);
    expect(lines).toEqual([{ level: 'warn', message: 'Defender answered 429', call: 'get machine', retryAfter: '7' }]);
  });

  it('logs nothing for an answered call', async () => {
    const lines: unknown[] = [];
    const logger = createLogger((_, record) => lines.push(record));
    await clientWith(answering(200), { logger }).getMachine(DEVICE);
    expect(lines).toEqual([]);
  });
});
