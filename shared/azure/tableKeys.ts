/**
 * Encodes one part of a Table Storage key: [A-Za-z0-9._-] stay as they are
 * (device ids and GUIDs are unchanged); every other UTF-16 unit becomes
 * `!XXXX`. The result never contains `/ \ # ? ' %`, control characters or
 * the separator `~`, and distinct inputs give distinct outputs.
 */
export function encodeKeyPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, (ch) => `!${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
