import { z } from 'zod';

/** Field schemas shared by the alert shapes. */

export const DEVICE_ID_MESSAGE = 'a 40-hex-digit Defender device id';
export const deviceIdField = z.string().regex(/^[0-9a-fA-F]{40}$/, DEVICE_ID_MESSAGE);

/** Alert ids (`da638700000000000001_1000000001`, GUID-like ids): printable ASCII, no spaces; they name runs and appear in logs. */
export const alertIdField = z
  .string()
  .min(1, 'an alert id')
  .max(256, 'an alert id of at most 256 characters')
  .regex(/^[\x21-\x7e]+$/, 'an alert id of printable ASCII characters without spaces');

/** A string, or null/absent. */
export const optionalText = z.string().nullish();

/** An integer, or null/absent. Strings are refused (`"6324; calc"` is not a process id). */
export const optionalInt = z.number().int().nullish();
