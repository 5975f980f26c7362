import { PermanentError } from '../errors.js';

/**
 * What Azure Blob Storage accepts as a blob name, metadata and index tags,
 * and how the evidence store makes values fit (or refuses them before any
 * I/O).
 */

const MAX_BLOB_NAME_CHARS = 1024;
/** Names plus values of all metadata of a blob. */
const MAX_METADATA_BYTES = 8 * 1024;
const MAX_TAGS = 10;
const MAX_TAG_KEY_CHARS = 128;
const MAX_TAG_VALUE_CHARS = 256;

export function checkBlobName(name: string): void {
  const problem =
    name.length === 0 || name.length > MAX_BLOB_NAME_CHARS
      ? `must have 1 to ${MAX_BLOB_NAME_CHARS} characters`
      : /[\u0000-\u001f\u007f\\]/.test(name)
        ? 'must not contain control characters or backslashes'
        : /[./]$/.test(name)
          ? 'must not end with "." or "/"'
          : undefined;
  if (problem !== undefined) throw new PermanentError(`blob name ${JSON.stringify(name.slice(0, 100))} ${problem}`);
}

/**
 * Metadata names must be C# identifiers (case-insensitive): other characters
 * become `_`, a leading digit gets a `_` prefix; an empty name or two names
 * equal once sanitised are refused. Values must be printable ASCII: other
 * characters, `%`, and leading/trailing spaces are percent-encoded (UTF-8),
 * so `decodeURIComponent` restores the original.
 */
export function sanitizeMetadata(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  let bytes = 0;
  for (const [rawKey, rawValue] of Object.entries(metadata)) {
    if (rawKey.length === 0) throw new PermanentError('blob metadata name must not be empty');
    const key = rawKey.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
    if (seen.has(key.toLowerCase()))
      throw new PermanentError(`blob metadata name ${JSON.stringify(rawKey)} collides with another as ${key}`);
    seen.add(key.toLowerCase());
    const value = encodeMetadataValue(rawValue);
    out[key] = value;
    bytes += key.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) throw new PermanentError(`blob metadata is ${bytes} bytes; at most ${MAX_METADATA_BYTES} allowed`);
  return out;
}

function encodeMetadataValue(value: string): string {
  // Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, where encodeURIComponent would throw).
  const encoded = value.replace(/[^\u0020-\u0024\u0026-\u007e]+/g, (run) =>
    Array.from(Buffer.from(run, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return encoded.replace(/^ +| +$/g, (spaces) => '%20'.repeat(spaces.length));
}

/** Characters not allowed in blob index tag values. */
const TAG_UNSAFE = /[^A-Za-z0-9 +\-./:=_]/g;
/** Characters not used in tag keys (so that queries never need quoted keys). */
const TAG_KEY_UNSAFE = /[^A-Za-z0-9_]/g;

/** A tag value as `sanitizeTags` stores it: use it to build findBlobsByTags queries. */
export function sanitizeTagValue(value: string): string {
  return value.replace(TAG_UNSAFE, '_').slice(0, MAX_TAG_VALUE_CHARS);
}

/**
 * At most 10 tags; values 0-256 characters from `A-Za-z0-9 +-./:=_`, keys
 * 1-128 characters from `A-Za-z0-9_` (Azure allows the value set in keys too,
 * but such keys must then be double-quoted in findBlobsByTags queries, which
 * Azurite cannot parse). Other characters become `_`, longer text is cut; more
 * than 10 tags, an empty key, or two keys equal once sanitised are refused.
 */
export function sanitizeTags(tags: Record<string, string>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw new PermanentError(`a blob holds at most ${MAX_TAGS} index tags, got ${entries.length}`);
  const out: Record<string, string> = {};
  for (const [rawKey, rawValue] of entries) {
    if (rawKey.length === 0) throw new PermanentError('blob index tag key must not be empty');
    const key = rawKey.replace(TAG_KEY_UNSAFE, '_').slice(0, MAX_TAG_KEY_CHARS);
    if (Object.hasOwn(out, key)) throw new PermanentError(`blob index tag key ${JSON.stringify(rawKey)} collides with another as ${key}`);
    out[key] = sanitizeTagValue(rawValue);
  }
  return out;
}
