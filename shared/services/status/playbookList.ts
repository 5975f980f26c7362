import { z } from 'zod';
import type { LoadedPlaybook } from '../../playbooks/schema.js';

/** One loaded playbook as GET /api/playbooks lists it. */
export const playbookSummarySchema = z.object({
  name: z.string(),
  version: z.string(),
  /** SHA-256 of the playbook file, as each run records it. */
  contentSha256: z.string(),
  description: z.string(),
  triggers: z.array(z.enum(['alert', 'manual', 'schedule'])),
  /** Six-field NCRONTAB, for playbooks run on a schedule. */
  schedule: z.string().optional(),
});
export const playbookListSchema = z.object({ playbooks: z.array(playbookSummarySchema) });
export type PlaybookList = z.infer<typeof playbookListSchema>;

/** The playbooks this instance loaded, by name. */
export function listPlaybooks(playbooks: readonly LoadedPlaybook[]): PlaybookList {
  const summaries = playbooks.map(({ playbook, contentSha256 }) => ({
    name: playbook.name,
    version: playbook.version,
    contentSha256,
    description: playbook.description,
    triggers: playbook.triggers,
    ...(playbook.schedule ? { schedule: playbook.schedule.cron } : {}),
  }));
  return { playbooks: summaries.sort((a, b) => a.name.localeCompare(b.name)) };
}
