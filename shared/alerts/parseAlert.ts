import { fail, ok, type Result } from '../result.js';
import { toIssues } from '../validation.js';
import type { Alert } from './alert.js';
import { defenderApiAlertSchema, fromDefenderApiAlert } from './defenderApiAlert.js';

/**
 * Turns a message body into an Alert, or says precisely why it cannot.
 * Accepted: the Defender API alert JSON (with evidence). Graph alerts_v2 and
 * streaming API records are recognised and refused by name until their
 * normalisers land (issue 4), so they are dead-lettered, never misread.
 */
export function parseAlert(body: unknown): Result<Alert> {
  const json = typeof body === 'string' ? tryJson(body) : { ok: true as const, value: body };
  if (!json.ok) return fail([{ path: '(body)', message: 'not valid JSON' }]);
  const value = json.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail([{ path: '(body)', message: 'expected a JSON object (a Defender alert)' }]);
  }
  const record = value as Record<string, unknown>;
  if ('records' in record) return fail([{ path: 'records', message: 'Defender streaming API records are not supported yet' }]);
  if (record['@odata.type'] === '#microsoft.graph.security.alert') {
    return fail([{ path: '@odata.type', message: 'Microsoft Graph alerts_v2 are not supported yet' }]);
  }
  const parsed = defenderApiAlertSchema.safeParse(record);
  if (!parsed.success) return fail(toIssues(parsed.error));
  return ok(fromDefenderApiAlert(parsed.data));
}

function tryJson(text: string): Result<unknown, null> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail(null);
  }
}
