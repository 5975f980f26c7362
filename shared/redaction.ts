/**
 * The one redactor: logs, errors handed to the Functions host and anything
 * else that leaves the process as text pass through it, so credentials and
 * result links never do. It errs on the side of hiding: a value that merely
 * looks like a secret is hidden too.
 */

/** Field names whose values are secrets whatever they hold (ids and names excepted). */
const SECRET_KEYS = /token|secret|password|authorization|sig|sas|link|url|key|connection/i;
const NOT_SECRET_KEYS = /Id$|Ids$|Name$/;

const RULES: readonly { readonly pattern: RegExp; readonly replacement: string }[] = [
  // Any URL with a scheme: https result links, sb:// and amqps:// endpoints, blob URLs with a SAS.
  { pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, replacement: '[url redacted]' },
  // Connection-string and SAS parts: AccountKey=, SharedAccessKey=, SharedAccessSignature=, sig=, ... up to ; & or whitespace.
  {
    pattern: /\b(AccountKey|SharedAccessKey|SharedAccessSignature|SharedAccessKeyName|sig|se|skoid|sktid|skt|ske|sks|skv)=[^;&\s"']+/gi,
    replacement: '$1=[redacted]',
  },
  { pattern: /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, replacement: 'Bearer [redacted]' },
  // A bare JSON Web Token (three base64url parts, the first a JSON object).
  { pattern: /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, replacement: '[token redacted]' },
];

/** Hides URLs, bearer tokens, JWTs and connection-string or SAS secrets in free text. */
export function redactText(text: string): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replacement);
  return out;
}

/** Whether a field of this name holds a secret whatever its value. */
export function isSecretField(name: string): boolean {
  return SECRET_KEYS.test(name) && !NOT_SECRET_KEYS.test(name);
}

/** Redacts structured fields: secret-named fields entirely, strings by redactText. */
export function redactFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (isSecretField(key)) out[key] = '[redacted]';
    else if (typeof value === 'string') out[key] = redactText(value);
    else out[key] = value;
  }
  return out;
}

/**
 * An error safe to hand to the Functions host (which logs message and stack):
 * the same name, a redacted message and stack, the cause's text folded in.
 * Non-errors become errors describing them, redacted.
 */
export function redactError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(redactText(`non-error thrown: ${String(error)}`));
  const safe = new Error(redactText(error.message));
  safe.name = error.name;
  safe.stack = error.stack === undefined ? undefined : redactText(error.stack);
  return safe;
}
