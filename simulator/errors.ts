/**
 * The MDE error vocabulary (mde-api.md 1.1): every API error is
 * `{"error":{"code","message","target"}}` with an HTTP status fixed by the code.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);
export const invalidInput = (message: string): ApiError => new ApiError(400, 'InvalidInput', message);
export const invalidRequestBody = (message = 'Request body is incorrect'): ApiError => new ApiError(400, 'InvalidRequestBody', message);
export const missingParameter = (message: string): ApiError => new ApiError(400, 'MissingRequiredParameter', message);
export const odataError = (message: string): ApiError => new ApiError(400, 'ODataError', message);
export const notFound = (message: string): ApiError => new ApiError(404, 'ResourceNotFound', message);

/** 429 with `Retry-After` (seconds) unless the caller asks to omit it (a fault). */
export function tooManyRequests(retryAfterSeconds: number, omitRetryAfter: boolean, message?: string): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new ApiError(
    429,
    'TooManyRequests',
    message ?? `Rate limit is exceeded. Try again in ${seconds} seconds.`,
    omitRetryAfter ? {} : { 'Retry-After': String(seconds) },
  );
}
