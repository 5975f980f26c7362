import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseAlerts } from '../shared/alerts/parseAlert.js';
import { ManualClock } from '../shared/clock.js';
import { loadPlaybooks } from '../shared/playbooks/loader.js';
import type { DeviceFacts } from '../shared/playbooks/match.js';
import { staticDirectory } from '../shared/services/intake/deviceDirectory.js';
import { dryRun, type DryRunResult } from '../shared/services/intake/dryRun.js';
import { loadFleet } from '../simulator/fleet.js';
import { readAlertFile } from './alertFile.js';

const HELP = `npm run dryrun -- [options]

Renders a playbook against an alert file or a device list and prints the
exact Live Response commands a run would send, device by device, with the
devices refused and why. Nothing is submitted, recorded or queued. The same
service answers POST /api/dryrun.

Options:
  --alert FILE       an alert message in any accepted shape: a Defender API alert,
                     a Graph alerts_v2 alert, a {"value": [...]} page of either,
                     Graph incidents with their alerts (incidents?$expand=alerts),
                     streaming records ({"records": [...]}, one record, or an
                     array of records); or several messages' worth of streaming
                     records (a JSON array of {"records": [...]} messages, or
                     JSON lines, one message or record per line), whose rows are
                     assembled by AlertId in process. Another shape (a legacy
                     Graph alert, unrelated JSON) is refused as "unsupported
                     shape: ..."
  --playbook NAME    the playbook to render; with --alert, omitted: the one that
                     would answer the alert (each playbook's reasons are shown)
  --devices IDS      comma-separated device ids (a manual-style run); omitted:
                     the playbook's where selects them (needs --fleet)
  --fleet PATH       device tags and OS from a simulator fleet file (e.g.
                     local/fleets/demo.json). Without it, tags and OS are taken
                     from the alert where it gives them, else as none: safety
                     exclusions by tag are then NOT really checked
  --playbooks DIR    playbook folder (default playbooks)
  --json             the result as JSON
  --help             this text

Exit status: 0 rendered (refusals are part of the answer), 1 invalid input.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      alert: { type: 'string' },
      playbook: { type: 'string' },
      devices: { type: 'string' },
      fleet: { type: 'string' },
      playbooks: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help || (!values.alert && !values.playbook)) {
    process.stdout.write(HELP + '\n');
    return values.help ? 0 : 1;
  }
  const playbooks = await loadPlaybooks(path.resolve(values.playbooks ?? 'playbooks'));
  const file = values.alert === undefined ? undefined : readAlertFile(await readFile(values.alert, 'utf8'));
  if (file && !file.ok) {
    process.stderr.write(`invalid input:\n  --alert ${values.alert ?? ''}: ${file.error}\n`);
    return 1;
  }
  const alert = file?.value;
  const devices = values.devices
    ?.split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  let known: DeviceFacts[];
  if (values.fleet) {
    known = (await loadFleet(path.resolve(values.fleet))).devices.map((d) => ({
      id: d.id,
      name: d.computerDnsName,
      tags: d.tags,
      osPlatform: d.osPlatform,
    }));
  } else {
    process.stderr.write('note: no --fleet: device tags and OS come from the alert where it gives them, else are taken as none\n');
    const parsed = alert === undefined ? undefined : parseAlerts(alert);
    const fromAlert = parsed?.ok
      ? parsed.value.alerts.flatMap((a) => a.devices.map((d) => ({ id: d.id, name: d.name, tags: d.tags ?? [], osPlatform: d.osPlatform })))
      : [];
    known = [...fromAlert, ...(devices ?? []).map((id) => ({ id: id.toLowerCase(), tags: [] }))];
  }
  const result = await dryRun(
    { playbooks, directory: staticDirectory(known), clock: new ManualClock(Date.now()) },
    { playbook: values.playbook, alert, devices },
  );
  if (!result.ok) {
    process.stderr.write(`invalid input:\n${result.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write((values.json ? JSON.stringify(result.value, null, 2) : format(result.value)) + '\n');
  return 0;
}

function format(result: DryRunResult): string {
  const lines = [result.note];
  for (const a of result.alerts)
    lines.push(
      `alert ${a.id} (${a.source}) "${a.title}" severity ${a.severity}, category ${a.category ?? '-'}, ${a.devices.length} device(s)`,
    );
  for (const a of result.alerts) for (const p of a.problems ?? []) lines.push(`  problem: ${p}`);
  for (const r of result.rejectedAlerts)
    lines.push(`rejected alert ${r.alertId ?? '?'}: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  for (const plan of result.plans) {
    lines.push('');
    const pb = plan.playbook
      ? `${plan.playbook.name}@${plan.playbook.version} (${plan.playbook.file}, sha256 ${plan.playbook.contentSha256.slice(0, 12)}…)`
      : 'no playbook';
    lines.push(
      `${plan.trigger === 'alert' ? `alert ${plan.alertId ?? ''} on ${plan.deviceId ?? ''}` : 'manual'}: ${pb}${plan.trigger === 'alert' ? (plan.wouldAnswer ? '  [would answer]' : '  [would NOT answer]') : ''}  run ${plan.runId ?? '-'}`,
    );
    for (const [name, reasons] of Object.entries(plan.reasons))
      lines.push(`  ${name}: ${reasons.length === 0 ? 'matches' : reasons.join('; ')}`);
    for (const d of plan.devices) {
      lines.push(
        `  device ${d.deviceName ?? d.deviceId} (${d.deviceId})${d.deadlineMs ? `  deadline +${Math.round((d.deadlineMs - Date.now()) / 3_600_000)}h` : ''}`,
      );
      for (const [i, c] of d.commands.entries()) lines.push(`    [${i}] ${c.type} ${c.params.map((p) => `${p.key}=${p.value}`).join(' ')}`);
    }
    for (const r of plan.refused) lines.push(`  refused ${r.deviceId}: ${r.reason}`);
  }
  return lines.join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
