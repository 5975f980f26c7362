import { z } from 'zod';

/**
 * The operator API's app roles, declared by the app registration and
 * assigned to people, groups, managed identities or service principals.
 * Each route needs exactly one of them (or none: health only).
 */
export const ROLES = {
  'Responder.Read': 'see runs, evidence lists and the pacing status',
  'Responder.Run': 'start manual runs and dry runs',
  'Responder.Cancel': 'cancel runs',
  'Responder.Evidence': 'download evidence',
  'Responder.Admin': 'dead letters, library sync and the audit log',
} as const;

export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as [Role, ...Role[]];
export const roleSchema = z.enum(ROLE_NAMES);

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLES, value);
}
