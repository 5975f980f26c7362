import type { CommandPlan, CommandResult, CommandWrite } from './actionModel.js';
import { paramOf, type ValidatedCommand } from './commands.js';
import { bytesSource, generatedSource } from './content.js';
import { baseName } from './deviceFiles.js';
import type { DeviceState } from './devices.js';
import type { LibraryStore } from './library.js';
import { SAFE_LIBRARY_NAME } from './library.js';
import { fillTemplate, parsePowerShellArgs, type ParsedArgs } from './psargs.js';
import type { SimulatorSettings } from './settings.js';
import type { ValueFormat } from './valueFormats.js';

export interface PlanContext {
  readonly actionId: string;
  readonly device: DeviceState;
  readonly library: LibraryStore;
  readonly settings: SimulatorSettings;
  readonly formats: ValueFormat;
}

const fail = (durationMs: number, error: string, actionStatus: 'Failed' | 'TimeOut' = 'Failed'): CommandPlan => ({
  ok: false,
  durationMs,
  errors: [error],
  actionStatus,
});

/**
 * The RunScript result. On Windows the output starts with PowerShell's
 * transcript line; in the defender form the transcript file is also left on
 * the device (so GetFile can fetch it) and the output may end in NULs.
 */
function transcript(ctx: PlanContext, name: string, exitCode: number, output: string, errors: string): TranscriptOutcome {
  if (!ctx.device.windows) {
    const body = transcriptBody(name, exitCode, output, errors);
    return { result: { kind: 'transcript', body, fileName: `${name}.json` }, writes: [] };
  }
  const path = ctx.formats.transcriptPath(ctx.actionId);
  const text = `Transcript started, output file is ${path}\n${output}`;
  const body = transcriptBody(name, exitCode, text + '\u0000'.repeat(ctx.formats.trailingNuls(path)), errors);
  const fileName = `${baseName(path).replace(/\.txt$/i, '')}.json`;
  const writes = ctx.formats.kind === 'defender' ? [{ path, source: bytesSource(text) }] : [];
  return { result: { kind: 'transcript', body, fileName }, writes };
}

interface TranscriptOutcome {
  readonly result: CommandResult;
  readonly writes: readonly CommandWrite[];
}

const transcriptBody = (name: string, exitCode: number, output: string, errors: string): Buffer =>
  Buffer.from(JSON.stringify({ script_name: name, exit_code: exitCode, script_output: output, script_errors: errors }), 'utf8');

function planWrites(ctx: PlanContext, name: string, args: ParsedArgs, builtins: ReadonlyMap<string, string>): CommandWrite[] | string {
  const writes: CommandWrite[] = [];
  for (const w of ctx.device.behaviour(name).writes ?? []) {
    const path = fillTemplate(w.path, args, { strict: true, builtins });
    if (!path.ok) return `Script ${name} needs the argument -${path.missing} to build the path ${w.path}, and Args did not provide it.`;
    if (w.content !== undefined) {
      const content = fillTemplate(w.content, args, { strict: false, builtins });
      writes.push({ path: path.value, source: bytesSource(content.ok ? content.value : w.content) });
      continue;
    }
    const seedTemplate = w.generator?.seed === undefined ? path.value : String(w.generator.seed);
    const seed = fillTemplate(seedTemplate, args, { strict: true, builtins });
    if (!seed.ok) return `Script ${name} needs the argument -${seed.missing} (generator seed) and Args did not provide it.`;
    writes.push({ path: path.value, source: generatedSource(`${ctx.device.id}|${seed.value}`, w.generator?.sizeBytes ?? 0) });
  }
  return writes;
}

/**
 * Decides what RunScript does on this device: the library must hold the
 * script; Args must parse; required args and the target process must exist;
 * a script longer than the time-out fails with TimeOut; `fail: true` fails;
 * otherwise it completes (whatever its exit code) and writes its files.
 */
export function planRunScript(ctx: PlanContext, command: ValidatedCommand): CommandPlan {
  const s = ctx.settings;
  const name = paramOf(command, 'ScriptName') ?? '';
  if (!ctx.library.get(name)) return fail(s.failFastMs, `Script '${name}' was not found in the live response library.`);
  if (!SAFE_LIBRARY_NAME.test(name))
    return fail(
      s.failFastMs,
      `Script name '${name}' contains characters that live response cannot run (use letters, digits, '-', '_', '.').`,
    );
  const parsed = parsePowerShellArgs(paramOf(command, 'Args') ?? '');
  if (!parsed.ok) return fail(s.failFastMs, `Could not parse Args: ${parsed.error}`);
  const args = parsed.value;
  const behaviour = ctx.device.behaviour(name);
  const builtins = new Map<string, string>([
    ['computerdnsname', ctx.device.spec.computerDnsName],
    ['deviceid', ctx.device.id],
    ['actionid', ctx.actionId],
  ]);
  const missing = (behaviour.requiredArgs ?? []).filter((a) => !args.named.has(a.toLowerCase()));
  if (missing.length > 0) {
    return fail(s.failFastMs, `Cannot process command because of one or more missing mandatory parameters: ${missing.join(' ')}.`);
  }
  if (behaviour.processArg !== undefined) {
    const pidText = args.named.get(behaviour.processArg.toLowerCase()) ?? '';
    const process = ctx.device.spec.processes.find((p) => String(p.pid) === pidText.trim());
    if (!process) return fail(s.failFastMs, `Cannot find a process with the process identifier ${pidText}.`);
    builtins.set('processname', process.name);
  }
  const durationMs = behaviour.durationMs ?? s.defaultScriptDurationMs;
  if (durationMs > s.runScriptTimeoutMs) {
    return fail(
      s.runScriptTimeoutMs,
      `Script '${name}' did not finish within ${s.runScriptTimeoutMs / 60_000} minutes and was stopped (time-out).`,
      'TimeOut',
    );
  }
  const exitCode = behaviour.exitCode ?? (behaviour.fail ? 1 : 0);
  const output = fillTemplate(behaviour.output ?? '', args, { strict: false, builtins });
  const errors = fillTemplate(behaviour.errors ?? '', args, { strict: false, builtins });
  const outputText = output.ok ? output.value : '';
  const errorText = errors.ok ? errors.value : '';
  if (behaviour.fail) {
    return fail(durationMs, errorText || `Script '${name}' failed with exit code ${exitCode}.`);
  }
  const writes = planWrites(ctx, name, args, builtins);
  if (typeof writes === 'string') return fail(s.failFastMs, writes);
  const outcome = transcript(ctx, name, exitCode, outputText, errorText);
  return { ok: true, durationMs, writes: [...writes, ...outcome.writes], result: outcome.result };
}
