import { z } from 'zod';

/** Value kinds shared by every group of settings (environment values are strings). */
export const int = (min: number) => z.coerce.number().int().min(min);
export const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const tableName = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a valid table name')
    .default(fallback);

/** The values of one group's settings, once parsed. */
export type SettingsOf<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<Shape>>;

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
