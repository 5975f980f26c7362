import type { CommandPlan } from './actionModel.js';
import { paramOf, type ValidatedCommand } from './commands.js';
import { sizeOf } from './content.js';
import { SAFE_LIBRARY_NAME } from './library.js';
import { planRunScript, type PlanContext } from './scripts.js';

export type { PlanContext } from './scripts.js';

/** Where PutFile drops library files on Windows devices (the portal's documented downloads folder). */
const WINDOWS_DOWNLOADS = 'C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Downloads';
const POSIX_DOWNLOADS = '/opt/microsoft/mdatp/downloads';

function planPutFile(ctx: PlanContext, command: ValidatedCommand): CommandPlan {
  const s = ctx.settings;
  const name = paramOf(command, 'FileName') ?? '';
  const file = ctx.library.get(name);
  if (!file)
    return {
      ok: false,
      durationMs: s.failFastMs,
      errors: [`File '${name}' was not found in the live response library.`],
      actionStatus: 'Failed',
    };
  if (!SAFE_LIBRARY_NAME.test(name)) {
    return {
      ok: false,
      durationMs: s.failFastMs,
      errors: [`File name '${name}' contains characters that live response cannot handle.`],
      actionStatus: 'Failed',
    };
  }
  const path = ctx.device.windows ? `${WINDOWS_DOWNLOADS}\\${file.fileName}` : `${POSIX_DOWNLOADS}/${file.fileName}`;
  return { ok: true, durationMs: s.putFileDurationMs, writes: [{ path, source: file.source }] };
}

function planGetFile(ctx: PlanContext, command: ValidatedCommand): CommandPlan {
  const s = ctx.settings;
  const path = paramOf(command, 'Path') ?? '';
  const source = ctx.device.files.get(path);
  if (!source)
    return { ok: false, durationMs: s.failFastMs, errors: [`File '${path}' was not found on the device.`], actionStatus: 'Failed' };
  const size = sizeOf(source);
  if (size > s.getFileMaxBytes) {
    return {
      ok: false,
      durationMs: s.failFastMs,
      errors: [`File '${path}' is ${size} bytes, larger than the ${s.getFileMaxBytes}-byte limit of GetFile.`],
      actionStatus: 'Failed',
    };
  }
  const durationMs = s.getFileBaseDurationMs + Math.ceil((size * 1000) / s.getFileBytesPerSecond);
  return { ok: true, durationMs, writes: [], result: { kind: 'file', source, path } };
}

/** Decides a command's duration and outcome at the moment it starts. */
export function planCommand(ctx: PlanContext, command: ValidatedCommand): CommandPlan {
  switch (command.type) {
    case 'PutFile':
      return planPutFile(ctx, command);
    case 'RunScript':
      return planRunScript(ctx, command);
    case 'GetFile':
      return planGetFile(ctx, command);
  }
}
