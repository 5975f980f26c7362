/** The `npm run deadletters` command line: arguments to a request, answers to text (pure, so it is tested without a bus). */
import { parseArgs } from 'node:util';
import type { DeadLetterListing } from '../shared/bus/deadLetterStore.js';
import type { Issue } from '../shared/result.js';
import type { DeadLetterReport } from '../shared/services/deadLetters/deadLetters.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ListRequest, type SelectionRequest } from '../shared/services/deadLetters/requests.js';

export const HELP = `npm run deadletters -- <list | replay | purge> [ids...] [options]

Every message that will never be processed, in one place: the poison queues
(<queue>-poison: messages the responder rejected, with the reason) and, on
Service Bus, each queue's own dead-letter queue (<queue>/$DeadLetterQueue:
messages that failed maxDeliveryCount deliveries). Talks to the bus the
settings name (BUS_KIND, ServiceBusConnection or
ServiceBusConnection__fullyQualifiedNamespace, STORAGE_CONNECTION_STRING or
STORAGE_QUEUE_URI, QUEUE_*), the same settings the responder reads.

  list                  dead letters, oldest first per queue: id, queue, source,
                        reason, description, first seen, and a body preview
                        (secrets and links redacted, cut to DEADLETTER_PREVIEW_BYTES)
  replay ID... | --all  send each body back to its queue (new message id
                        <id>.replay-<key>), then remove the dead letter; fix the
                        cause first. Replaying again is harmless: the handlers
                        recognise work already done
  purge ID... | --all   remove dead letters for good

Nothing asks for confirmation: replay and purge act only on the ids given, or
on everything the filters select with --all.

Options:
  --queue Q[,Q...]      only these queues (alerts, actions, polls, collect); repeatable
  --source S            poison or native
  --reason R            only this reason (e.g. MalformedMessage; case-insensitive)
  --limit N             list: entries per page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE})
  --after CURSOR        list: the page after this cursor (printed at the end of a page)
  --all                 replay or purge: everything the filters select
  --json                the answer as JSON on stdout
  --help                this text

Filters (--queue, --source, --reason) apply to list, and to replay or purge
with --all. A list walks at most DEADLETTER_SCAN_MAX messages per dead-letter
queue and says when it stopped there. On Service Bus, replaying or purging by
id receives the dead-letter queue up to the chosen messages and abandons the
ones before them, which counts a delivery on a -poison queue.
Exit status: 0 done, 1 some ids were not found or refused, 2 invalid
arguments, settings or an error.`;

export type Command =
  | { kind: 'help' }
  | { kind: 'list'; request: ListRequest; json: boolean }
  | { kind: 'replay' | 'purge'; request: SelectionRequest; json: boolean }
  | { kind: 'invalid'; message: string };

/** Reads the command line; never throws. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        queue: { type: 'string', multiple: true },
        source: { type: 'string' },
        reason: { type: 'string' },
        limit: { type: 'string' },
        after: { type: 'string' },
        all: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    return { kind: 'invalid', message: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [verb, ...ids] = positionals;
  const json = values.json ?? false;
  const filter = {
    ...(values.queue ? { queues: values.queue.flatMap((q) => q.split(',')).map((q) => q.trim()) } : {}),
    ...(values.source === undefined ? {} : { source: values.source }),
    ...(values.reason === undefined ? {} : { reason: values.reason }),
  };
  if (verb === 'list') {
    if (ids.length > 0)
      return { kind: 'invalid', message: `list takes no ids (got ${ids.join(' ')}); filter with --queue, --source, --reason` };
    if (values.all) return { kind: 'invalid', message: '--all is for replay and purge' };
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && !Number.isSafeInteger(limit))
      return { kind: 'invalid', message: `--limit: expected a whole number, got ${values.limit}` };
    return {
      kind: 'list',
      json,
      request: { ...filter, ...(limit === undefined ? {} : { limit }), ...(values.after ? { after: values.after } : {}) } as ListRequest,
    };
  }
  if (verb === 'replay' || verb === 'purge') {
    if (values.limit !== undefined || values.after !== undefined) return { kind: 'invalid', message: '--limit and --after are for list' };
    if (values.all && ids.length > 0) return { kind: 'invalid', message: `${verb}: give ids or --all, not both` };
    if (values.all) return { kind: verb, json, request: { all: true, ...filter } as SelectionRequest };
    if (ids.length === 0) return { kind: 'invalid', message: `${verb}: name the dead letters (ids from list) or pass --all` };
    if (Object.keys(filter).length > 0)
      return { kind: 'invalid', message: `${verb}: --queue, --source and --reason select only with --all` };
    return { kind: verb, json, request: { ids } };
  }
  return {
    kind: 'invalid',
    message: verb === undefined ? 'name a command: list, replay or purge' : `unknown command ${verb}: list, replay or purge`,
  };
}

export function formatListing(listing: DeadLetterListing): string {
  const lines: string[] = [];
  for (const e of listing.entries) {
    const deliveries = e.deliveryCount === undefined ? '' : `, ${e.deliveryCount} deliveries`;
    lines.push(`${e.id}  ${e.reason}  first seen ${new Date(e.firstSeenMs).toISOString()}${deliveries}`);
    lines.push(
      `  message ${e.messageId}${e.originalMessageId && e.originalMessageId !== e.messageId ? ` (original ${e.originalMessageId})` : ''}`,
    );
    if (e.description) lines.push(`  ${e.description}`);
    lines.push(`  body: ${e.preview}${e.previewTruncated ? ' …(cut)' : ''}`);
  }
  lines.push(`${listing.entries.length} dead letter(s)${listing.entries.length === 0 ? '' : ' on this page'}`);
  if (listing.next) lines.push(`more: npm run deadletters -- list --after ${listing.next} (with the same filters)`);
  if (listing.scanLimitReached)
    lines.push('note: a dead-letter queue holds more than DEADLETTER_SCAN_MAX messages; entries past it were not read');
  return lines.join('\n');
}

export function formatReport(report: DeadLetterReport): string {
  const lines = report.outcomes.map((o) =>
    o.outcome === 'replayed'
      ? `replayed  ${o.id} as ${o.replayMessageId}`
      : o.outcome === 'purged'
        ? `purged    ${o.id}`
        : o.outcome === 'refused'
          ? `refused   ${o.id}: ${o.detail}`
          : `not found ${o.id}`,
  );
  const c = report.counts;
  lines.push(`${c.replayed} replayed, ${c.purged} purged, ${c['not-found']} not found, ${c.refused} refused`);
  return lines.join('\n');
}

/** 0 when every id was acted on, 1 when some were not found or refused. */
export function exitCodeOf(report: DeadLetterReport): number {
  return report.counts['not-found'] + report.counts.refused > 0 ? 1 : 0;
}

const FLAGS: Record<string, string> = {
  queues: '--queue',
  source: '--source',
  reason: '--reason',
  limit: '--limit',
  after: '--after',
  all: '--all',
};

/** A request field's issue, named as the command line spells it (`queues.1` is the second --queue, `ids.0` the first id). */
export function describeIssue(issue: Issue): string {
  const [field = '', index] = issue.path.split('.');
  if (field === 'ids') return `id ${index === undefined ? '' : Number(index) + 1}: ${issue.message}`.replace('id : ', 'ids: ');
  const flag = FLAGS[field];
  return flag
    ? `${flag}${index === undefined ? '' : ` (value ${Number(index) + 1})`}: ${issue.message}`
    : `${issue.path}: ${issue.message}`;
}
