import { onlineIntervals, type Interval } from './availability.js';
import { bytesSource, generatedSource, type FileSource } from './content.js';
import { DeviceFiles, isWindowsPlatform } from './deviceFiles.js';
import type { DeviceSpec, FileSpec, ScriptBehaviour } from './fleetSchema.js';

export function fileSourceOf(spec: FileSpec): FileSource {
  if (spec.content !== undefined) return bytesSource(spec.content);
  if (spec.contentBase64 !== undefined) return bytesSource(Buffer.from(spec.contentBase64, 'base64'));
  const generator = spec.generator ?? { seed: '', sizeBytes: 0 };
  return generatedSource(String(generator.seed), generator.sizeBytes);
}

const lookup = (scripts: Readonly<Record<string, ScriptBehaviour>>, name: string): ScriptBehaviour | undefined => {
  const key = Object.keys(scripts).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : scripts[key];
};

/** One simulated device: its fleet entry, online intervals and file system. */
export class DeviceState {
  readonly files: DeviceFiles;
  readonly intervals: readonly Interval[];
  readonly windows: boolean;

  constructor(
    readonly spec: DeviceSpec,
    startMs: number,
    private readonly scriptDefaults: Readonly<Record<string, ScriptBehaviour>>,
  ) {
    this.windows = isWindowsPlatform(spec.osPlatform);
    this.files = new DeviceFiles(this.windows);
    for (const [path, file] of Object.entries(spec.files)) this.files.set(path, fileSourceOf(file));
    this.intervals = onlineIntervals(spec.availability, startMs);
  }

  get id(): string {
    return this.spec.id;
  }

  /** The fleet-level behaviour of a script, field by field overridden by this device's (names case-insensitive). */
  behaviour(scriptName: string): ScriptBehaviour {
    return { ...lookup(this.scriptDefaults, scriptName), ...lookup(this.spec.scripts, scriptName) };
  }
}
