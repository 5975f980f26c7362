import type { Alert } from '../alerts/alert.js';
import type { LiveResponseCommand } from '../defender/types.js';
import { fail, ok, type Result } from '../result.js';
import { validateArgument } from './argumentKinds.js';
import type { Playbook, Step } from './schema.js';

/** What a playbook's steps need to be rendered for one device. */
export interface RenderContext {
  deviceId: string;
  /** Our own id for this run: lower-case letters, digits and -. */
  runToken: string;
  alert?: Alert;
}

export interface RenderedCommands {
  commands: LiveResponseCommand[];
  /** Indexes of commands that produce a result to collect (RunScript, GetFile). */
  collectIndexes: number[];
}

/**
 * Renders a playbook into Live Response commands for one device. Values from
 * the alert pass their declared kind's validator or the whole device is
 * refused with the reason: a step never runs with a value that failed.
 */
export function renderCommands(playbook: Playbook, context: RenderContext): Result<RenderedCommands, string> {
  const commands: LiveResponseCommand[] = [];
  for (const [i, step] of playbook.steps.entries()) {
    const rendered = renderStep(step, context);
    if (!rendered.ok) return fail(`step ${i + 1} (${step.type}): ${rendered.errors}`);
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
      const parts: string[] = [];
      for (const arg of step.args) {
        const raw = resolveSource(arg.from, context);
        const valid = validateArgument(arg.as, raw);
        if (!valid.ok) return fail(`argument ${arg.name} from ${arg.from}: ${valid.errors}`);
        parts.push(`-${arg.name} ${valid.value}`);
      }
      const params = [{ key: 'ScriptName', value: step.script }];
      if (parts.length > 0) params.push({ key: 'Args', value: parts.join(' ') });
      return ok({ type: 'RunScript', params });
    }
  }
}

function resolveSource(source: string, context: RenderContext): unknown {
  switch (source) {
    case 'run.token':
      return context.runToken;
    case 'alert.process.processId':
      return context.alert?.processes.find((p) => p.deviceId === undefined || p.deviceId === context.deviceId)?.processId;
    default:
      return undefined;
  }
}
