import { alertSpecSchema, type AlertSpec } from './fleetSchema.js';
import type { FilterSchema } from './odata.js';
import type { Positioned } from './paging.js';

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
  /** Insertion number of each id (a re-added id keeps its place), for keyset paging. */
  private readonly positions = new Map<string, number>();

  /** Validates minimally (an object with a string `id`); throws otherwise. */
  add(alert: unknown): void {
    const parsed = alertSpecSchema.safeParse(alert);
    if (!parsed.success) throw new TypeError('an alert must be an object with a non-empty string "id"');
    this.alerts.set(parsed.data.id, structuredClone(parsed.data));
    if (!this.positions.has(parsed.data.id)) this.positions.set(parsed.data.id, this.positions.size);
  }

  list(): AlertSpec[] {
    return [...this.alerts.values()];
  }

  /** In insertion order, each with its insertion number. */
  positioned(): Positioned<AlertSpec>[] {
    return this.list().map((entity) => ({ position: this.positions.get(entity.id) ?? 0, entity }));
  }

  /** By id, exactly as listed (case-sensitive). */
  get(id: string): AlertSpec | undefined {
    return this.alerts.get(id);
  }

  /**
   * Applies an update (README choice 22): the given properties replace the
   * old ones, a comment is appended to `comments[]` with who and when,
   * `lastUpdateTime` becomes now, and `resolvedTime` is set when the status
   * becomes Resolved (null when it leaves Resolved).
   */
  update(id: string, change: AlertChange, by: string, atIso: string): AlertSpec | undefined {
    const alert = this.alerts.get(id);
    if (!alert) return undefined;
    const { comment, ...properties } = change;
    const wasResolved = alert.status === 'Resolved';
    const updated: AlertSpec = { ...alert, ...properties, lastUpdateTime: atIso };
    if (properties.status !== undefined && (properties.status === 'Resolved') !== wasResolved) {
      updated.resolvedTime = properties.status === 'Resolved' ? atIso : null;
    }
    if (comment !== undefined) {
      const comments = Array.isArray(alert.comments) ? (alert.comments as unknown[]) : [];
      updated.comments = [...comments, { comment, createdBy: by, createdTime: atIso }];
    }
    this.alerts.set(id, updated);
    return updated;
  }
}

/** The updatable properties of an alert (update-alert, batch-update-alerts). */
export interface AlertChange {
  readonly status?: string;
  readonly assignedTo?: string;
  readonly classification?: string;
  readonly determination?: string;
  readonly comment?: string;
}

/** The alert as listed: `evidence` is [] unless $expand=evidence (as in the documented examples). */
export function alertJson(alert: AlertSpec, expandEvidence: boolean): Record<string, unknown> {
  const evidence = Array.isArray(alert.evidence) ? (alert.evidence as unknown[]) : [];
  return { ...alert, evidence: expandEvidence ? evidence : [] };
}
