import { BlobServiceClient, RestError } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { DEFAULT_THROTTLE_WAIT_MS, storageErrorCode, storageStatus, translateStorageError } from '../../../shared/azure/storageErrors.js';
import { ForbiddenError, NotFoundError, PermanentError, ResponderError, ThrottledError, TransientError } from '../../../shared/errors.js';

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** A RestError carrying a Retry-After header (only `headers.get` is read). */
function withRetryAfter(error: RestError, value: string): RestError {
  Object.defineProperty(error, 'response', { value: { headers: { get: (n: string) => (n === 'retry-after' ? value : undefined) } } });
  return error;
}

describe('translateStorageError', () => {
  it('maps status codes to the error vocabulary', () => {
    const cases: [number, string | undefined, new (...args: never[]) => ResponderError][] = [
      [404, 'BlobNotFound', NotFoundError],
      [403, 'AuthorizationFailure', ForbiddenError],
      [401, undefined, ForbiddenError],
      [400, 'InvalidHeaderValue', PermanentError],
      [409, 'EntityAlreadyExists', PermanentError],
      [412, 'ConditionNotMet', PermanentError],
      [409, 'TableBeingDeleted', TransientError],
      [408, undefined, TransientError],
      [500, 'InternalError', TransientError],
      [503, 'ServiceUnavailable', TransientError],
      [429, undefined, ThrottledError],
      [503, 'ServerBusy', ThrottledError],
    ];
    for (const [statusCode, code, type] of cases) {
      const translated = translateStorageError(new RestError('boom\nmore detail', { statusCode, code }), 'reading x');
      expect(translated, `${statusCode} ${code}`).toBeInstanceOf(type);
      expect(translated.message).toBe(`reading x: ${[statusCode, code].filter(Boolean).join(' ')} boom`);
    }
    expect(translateStorageError(new RestError('x', { statusCode: 404 }), 'w')).not.toBeInstanceOf(TransientError);
  });

  it('reads Retry-After on throttling', () => {
    const throttled = translateStorageError(withRetryAfter(new RestError('slow down', { statusCode: 429 }), '7'), 'w');
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect((throttled as ThrottledError).retryAfterMs).toBe(7000);
    const noHeader = translateStorageError(new RestError('slow down', { statusCode: 429 }), 'w');
    expect((noHeader as ThrottledError).retryAfterMs).toBe(DEFAULT_THROTTLE_WAIT_MS);
  });

  it('passes ResponderErrors through and treats errors without a status as transient', () => {
    const own = new NotFoundError('already translated');
    expect(translateStorageError(own, 'w')).toBe(own);
    const network = new RestError('connect ECONNREFUSED', { code: 'REQUEST_SEND_ERROR' });
    expect(translateStorageError(network, 'w')).toBeInstanceOf(TransientError);
    expect(translateStorageError(new Error('socket hang up'), 'w')).toBeInstanceOf(TransientError);
    expect(translateStorageError('a string', 'w').message).toBe('w: a string');
    expect(translateStorageError(network, 'w').cause).toBe(network);
  });

  it('reads the status and code of a real Azurite failure', async () => {
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const error = await service
      .getContainerClient('missing')
      .getBlobClient('nothing')
      .getProperties()
      .catch((e: unknown) => e);
    expect(storageStatus(error)).toBe(404);
    const translated = translateStorageError(error, 'reading missing/nothing');
    expect(translated).toBeInstanceOf(NotFoundError);
    expect(storageErrorCode(new RestError('x', { code: 'BlobAlreadyExists', statusCode: 409 }))).toBe('BlobAlreadyExists');
    expect(storageStatus(new Error('plain'))).toBeUndefined();
  });

  it('treats a refused connection as transient', async () => {
    await azurite.stop();
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString, { retryOptions: { maxTries: 1 } });
    const error = await service
      .getContainerClient('c')
      .exists()
      .catch((e: unknown) => e);
    expect(translateStorageError(error, 'checking c')).toBeInstanceOf(TransientError);
  });
});
