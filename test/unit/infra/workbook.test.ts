import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFRA, readBicep } from './bicep.js';
import { INSTRUMENTS, type InstrumentAttributes } from '../../../shared/telemetry/instruments.js';

const root = path.resolve(INFRA, '..');

interface WorkbookItem {
  type: number;
  name: string;
  content: { query?: string; timeContextFromParameter?: string; parameters?: { name: string }[]; resourceIds?: string[] };
}
const workbookText = readFileSync(path.join(INFRA, 'workbook.json'), 'utf8');
const workbook = JSON.parse(workbookText) as { version: string; items: WorkbookItem[]; fallbackResourceIds: string[] };
const charted = workbook.items.filter((i) => i.type === 3).map((i) => ({ name: i.name, query: i.content.query ?? '' }));
/** Queries over the app's log records (AppTraces). */
const queries = charted.filter((q) => q.query.startsWith('AppTraces'));
/** Queries over the worker's OpenTelemetry metrics (AppMetrics). */
const metricQueries = charted.filter((q) => q.query.startsWith('AppMetrics'));

/** Every TypeScript file under `dir`, as text. */
function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(root, dir, f), 'utf8'));
}

/** The text of a call from `start` (at its `(`) to its matching `)`. */
function callText(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    if (text[i] === ')') depth -= 1;
    if (depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open);
}

/** Each `log('<level>', <message>, {fields})` call of the app: the message literals it can write and the call's text. */
const logCalls = ['shared', 'functions'].flatMap(sources).flatMap((text) =>
  [...text.matchAll(/\.log\(\s*'(?:debug|info|warn|error)',\s*([^{)]*?)\s*(?:,\s*\{|\))/g)].map((m) => ({
    messages: [...(m[1] ?? '').matchAll(/'([^']+)'/g)].map((l) => l[1] ?? ''),
    call: callText(text, m.index + m[0].indexOf('(')),
  })),
);

/** The messages a query selects (`msg == "..."`, `msg in ("...", ...)`). */
function messagesOf(query: string): string[] {
  const single = [...query.matchAll(/\bmsg == "([^"]+)"/g)].map((m) => m[1] ?? '');
  const lists = [...query.matchAll(/\bmsg in \(([^)]*)\)/g)].flatMap((m) =>
    [...(m[1] ?? '').matchAll(/"([^"]+)"/g)].map((l) => l[1] ?? ''),
  );
  return [...single, ...lists];
}

/** The record fields a query reads (`r.<field>`), the message itself aside. */
function fieldsOf(query: string): string[] {
  return [...new Set([...query.matchAll(/\br\.([A-Za-z_]\w*)/g)].map((m) => m[1] ?? ''))].filter((f) => f !== 'message');
}

describe('the workbook (infra/workbook.json)', () => {
  it('charts what an operator needs: 429s, actions submitted, runs, evidence bytes, dead letters, alert outcomes, problems', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    expect(queries.map((q) => q.name).sort()).toEqual(
      ['actions-submitted', 'alert-outcomes', 'dead-lettered', 'evidence-bytes', 'problems', 'runs', 'throttled'].sort(),
    );
    for (const { query } of queries)
      expect(query).toMatch(/^AppTraces\n\| (?:where SeverityLevel >= 2\n\| )?extend r = parse_json\(Message\)/);
  });

  it('selects only messages the code logs', () => {
    const logged = new Set(logCalls.flatMap((c) => c.messages));
    const selected = queries.flatMap((q) => messagesOf(q.query));
    expect(selected.length).toBeGreaterThanOrEqual(8);
    for (const message of selected) expect(logged.has(message), `no log call writes "${message}"`).toBe(true);
  });

  it('reads only fields the code logs with the messages the query selects', () => {
    for (const { name, query } of queries.filter((q) => messagesOf(q.query).length > 0)) {
      const calls = logCalls.filter((c) => c.messages.some((m) => messagesOf(query).includes(m)));
      for (const field of fieldsOf(query)) {
        expect(
          calls.some((c) => new RegExp(`\\b${field}\\b`).test(c.call)),
          `${name}: no log call of its messages writes the field ${field}`,
        ).toBe(true);
      }
    }
  });

  it('reads the alert outcome from the record every queue invocation writes (trigger and outcome)', () => {
    const outcomes = queries.find((q) => q.name === 'alert-outcomes')?.query ?? '';
    const register = readFileSync(path.join(root, 'functions/lib/register.ts'), 'utf8');
    const record = /JSON\.stringify\(\{ trigger: declaration\.name, outcome \}\)/;
    expect(register).toMatch(record);
    expect(fieldsOf(outcomes).sort()).toEqual(['outcome', 'trigger']);
    const trigger = /r\.trigger\) == "([^"]+)"/.exec(outcomes)?.[1];
    expect(readFileSync(path.join(root, 'functions/alerts.ts'), 'utf8')).toContain(`queue: '${trigger}'`);
    expect(readFileSync(path.join(root, 'functions/alerts.ts'), 'utf8')).toContain(`name: '${trigger}'`);
  });

  it('charts the worker’s metrics by the names and attributes the code records them with', () => {
    expect(metricQueries.map((q) => q.name).sort()).toEqual(['metric-calls', 'metric-lag', 'metric-pacing', 'metric-queue-age']);
    const byName = new Map<string, keyof InstrumentAttributes>(
      Object.entries(INSTRUMENTS).map(([key, spec]) => [spec.name, key as keyof InstrumentAttributes]),
    );
    // Each instrument's attribute names, as the typed call sites may attach them (instruments.ts).
    const attributes: Record<keyof InstrumentAttributes, string[]> = {
      liveResponseCalls: ['outcome'],
      defenderThrottled: ['call'],
      pacingLag: [],
      sessionsInUse: [],
      statusBudgetLeft: ['window'],
      waitingLineRuns: [],
      waitingLineDevices: [],
      owedNotifications: [],
      owedNotificationOldestAge: [],
      queueAge: ['queue'],
      evidenceBytes: [],
      evidenceThroughput: [],
      deadLetters: ['queue', 'reason'],
    } satisfies { [K in keyof InstrumentAttributes]: (keyof InstrumentAttributes[K])[] };
    for (const { name, query } of metricQueries) {
      const names = [...query.matchAll(/"(responder\.[a-z_.]+)"/g)].map((m) => m[1] ?? '');
      expect(names.length, name).toBeGreaterThan(0);
      const keys = names.map((n) => byName.get(n));
      expect(keys, `${name}: a metric name the code does not record`).not.toContain(undefined);
      for (const property of [...query.matchAll(/Properties\.(\w+)/g)].map((m) => m[1] ?? '')) {
        expect(
          keys.some((k) => k !== undefined && attributes[k].includes(property)),
          `${name}: no instrument it charts has the attribute ${property}`,
        ).toBe(true);
      }
    }
  });

  it('binds every query to its time range parameter', () => {
    const parameters = workbook.items.flatMap((i) => (i.type === 9 ? (i.content.parameters ?? []) : [])).map((p) => p.name);
    expect(parameters).toContain('TimeRange');
    for (const item of workbook.items.filter((i) => i.type === 3 || i.type === 10))
      expect(item.content.timeContextFromParameter, item.name).toBe('TimeRange');
  });

  it('is deployed by main.bicep with every placeholder replaced', () => {
    const module = readBicep('modules/workbook.bicep');
    const placeholders = [...new Set([...workbookText.matchAll(/__[A-Z_]+__/g)].map((m) => m[0]))].sort();
    expect(placeholders).toEqual(['__SERVICE_BUS_NAMESPACE_ID__', '__WORKSPACE_ID__']);
    for (const placeholder of placeholders) expect(module).toContain(`'${placeholder}'`);
    expect(module).toMatch(/loadTextContent\('\.\.\/workbook\.json'\)/);
    expect(module).toMatch(/serializedData: serialized/);
    const main = readBicep('main.bicep');
    expect(main).toMatch(/module workbook 'modules\/workbook\.bicep'/);
    expect(main).toMatch(/workspaceId: monitoring\.outputs\.workspaceId\n\s+serviceBusNamespaceId: serviceBus\.outputs\.namespaceId/);
  });
});
