import { alertSpecSchema, type AlertSpec } from './fleetSchema.js';
import type { FilterSchema } from './odata.js';

/** Filterable Alert properties (mde-api.md 7.1). */
export const ALERT_FILTER: FilterSchema = {
  alertCreationTime: 'datetime',
  lastUpdateTime: 'datetime',
  lastEventTime: 'datetime',
  incidentId: 'number',
  investigationId: 'number',
  id: 'string',
  assignedTo: 'string',
  detectionSource: 'string',
  status: 'string',
  severity: 'string',
  category: 'string',
};

/** Alerts visible to GET /api/alerts, in the order they were added (a re-added id replaces the old one in place). */
export class AlertStore {
  private readonly alerts = new Map<string, AlertSpec>();

  /** Validates minimally (an object with a string `id`); throws otherwise. */
  add(alert: unknown): void {
    const parsed = alertSpecSchema.safeParse(alert);
    if (!parsed.success) throw new TypeError('an alert must be an object with a non-empty string "id"');
    this.alerts.set(parsed.data.id, structuredClone(parsed.data));
  }

  list(): AlertSpec[] {
    return [...this.alerts.values()];
  }
}

/** The alert as listed: `evidence` is [] unless $expand=evidence (as in the documented examples). */
export function alertJson(alert: AlertSpec, expandEvidence: boolean): Record<string, unknown> {
  const evidence = Array.isArray(alert.evidence) ? (alert.evidence as unknown[]) : [];
  return { ...alert, evidence: expandEvidence ? evidence : [] };
}
