import type { Alert, DeviceOs } from '../alerts/alert.js';
import type { LiveResponseCommand } from '../defender/types.js';
import { fail, ok, type Result } from '../result.js';
import { validateArgument } from './argumentKinds.js';
import { resolveSource } from './argumentSources.js';
import type { Playbook, Step } from './schema.js';

/** What a playbook's steps need to be rendered for one device. */
export interface RenderContext {
  deviceId: string;
  /** Our own id for this run: lower-case letters, digits and -. */
  runToken: string;
  alert?: Alert;
  /** The device's OS family (Defender's machine record, else the alert's); undefined: unknown. */
  os?: DeviceOs;
}

/** The OS a library script runs on, by its extension: PowerShell on Windows, bash on Linux and macOS. */
export function scriptOs(script: string): 'windows' | 'posix' | undefined {
  if (/\.ps1$/i.test(script)) return 'windows';
  if (/\.sh$/i.test(script)) return 'posix';
  return undefined;
}

export interface RenderedCommands {
  commands: LiveResponseCommand[];
  /** Indexes of commands that produce a result to collect (RunScript, GetFile). */
  collectIndexes: number[];
}

/** `-Name value` pairs: names of letters and digits, values of letters, digits, `_` and `-` not starting with `-`. */
const SAFE_ARGS = /^-[A-Za-z][A-Za-z0-9]{0,63} [A-Za-z0-9][A-Za-z0-9_-]*( -[A-Za-z][A-Za-z0-9]{0,63} [A-Za-z0-9][A-Za-z0-9_-]*)*$/;
const SAFE_LIBRARY_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const SAFE_PATH = /^([A-Za-z]:\\|\/)[A-Za-z0-9 _.\\/:-]{0,259}$/;
/** Longest Args we send (values are bounded by their kinds; this is the backstop). */
export const MAX_ARGS_CHARS = 4096;

/**
 * Renders a playbook into Live Response commands for one device. Values from
 * the alert pass their declared kind's validator or the whole device is
 * refused with the reason: a step never runs with a value that failed. The
 * result is checked once more against the only alphabets a command may use.
 */
export function renderCommands(playbook: Playbook, context: RenderContext): Result<RenderedCommands, string> {
  const commands: LiveResponseCommand[] = [];
  for (const [i, step] of playbook.steps.entries()) {
    const rendered = renderStep(step, context);
    if (!rendered.ok) return fail(`step ${i + 1} (${step.type}): ${rendered.errors}`);
    const unsafe = unsafeParam(rendered.value);
    if (unsafe) return fail(`step ${i + 1} (${step.type}): ${unsafe}`);
    commands.push(rendered.value);
  }
  const collectIndexes = commands.flatMap((c, i) => (c.type === 'PutFile' ? [] : [i]));
  return ok({ commands, collectIndexes });
}

function renderStep(step: Step, context: RenderContext): Result<LiveResponseCommand, string> {
  switch (step.type) {
    case 'PutFile':
      return ok({ type: 'PutFile', params: [{ key: 'FileName', value: step.file }] });
    case 'GetFile':
      return ok({ type: 'GetFile', params: [{ key: 'Path', value: step.path.replaceAll('{run.token}', context.runToken) }] });
    case 'RunScript': {
      const runsOn = scriptOs(step.script);
      if (context.os && runsOn && (runsOn === 'windows') !== (context.os === 'windows'))
        return fail(`${step.script} is a ${runsOn === 'windows' ? 'PowerShell' : 'bash'} script; the device runs ${context.os}`);
      // Values are judged by the device's OS, else by the OS the script runs on.
      const os = context.os ?? (runsOn === 'windows' ? 'windows' : runsOn === 'posix' ? 'linux' : undefined);
      const parts: string[] = [];
      for (const arg of step.args) {
        const resolved = arg.from ? resolveSource(arg.from, context) : { value: arg.value };
        const source = arg.from ?? 'the playbook';
        if ('unbound' in resolved) {
          if (arg.optional) continue;
          return fail(`argument ${arg.name} from ${source}: ${resolved.unbound}`);
        }
        const raw = resolved.value;
        if ((raw === undefined || raw === null || raw === '') && arg.optional) continue;
        const valid = validateArgument(arg.as, raw, os);
        if (!valid.ok) return fail(`argument ${arg.name} from ${source}: ${valid.errors}`);
        parts.push(`-${arg.name} ${valid.value}`);
      }
      const params = [{ key: 'ScriptName', value: step.script }];
      if (parts.length > 0) params.push({ key: 'Args', value: parts.join(' ') });
      return ok({ type: 'RunScript', params });
    }
  }
}

/** The backstop: why a rendered command is not safe to send, or undefined. */
function unsafeParam(command: LiveResponseCommand): string | undefined {
  for (const { key, value } of command.params) {
    const safe =
      key === 'Args'
        ? value.length <= MAX_ARGS_CHARS && SAFE_ARGS.test(value)
        : key === 'Path'
          ? SAFE_PATH.test(value) && !/\.\.[\\/]|[\\/]\.\.$/.test(value)
          : SAFE_LIBRARY_NAME.test(value);
    if (!safe) return `${key} would contain characters outside its safe alphabet; refused`;
  }
  return undefined;
}
