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
  /** `machineTags`: the fleet's `tags`, then whatever the tag endpoints added or removed. */
  readonly tags: string[];

  constructor(
    readonly spec: DeviceSpec,
    startMs: number,
    private readonly scriptDefaults: Readonly<Record<string, ScriptBehaviour>>,
  ) {
    this.windows = isWindowsPlatform(spec.osPlatform);
    this.tags = [...spec.tags];
    this.files = new DeviceFiles(this.windows);
    for (const [path, file] of Object.entries(spec.files)) this.files.set(path, fileSourceOf(file));
    this.intervals = onlineIntervals(spec.availability, startMs);
  }

  get id(): string {
    return this.spec.id;
  }

  /**
   * Adds or removes a tag. Tags compare case-insensitively (as `$filter`
   * strings do): adding a tag the device has, in any casing, or removing one
   * it lacks changes nothing (README choice 21).
   */
  changeTag(value: string, action: 'Add' | 'Remove'): void {
    const at = this.tags.findIndex((t) => t.toLowerCase() === value.toLowerCase());
    if (action === 'Add' && at < 0) this.tags.push(value);
    if (action === 'Remove' && at >= 0) this.tags.splice(at, 1);
  }

  /** findbytag: a tag equal to `tag`, or (`startsWith`) beginning with it, case-insensitively. */
  hasTag(tag: string, startsWith: boolean): boolean {
    const wanted = tag.toLowerCase();
    return this.tags.some((t) => (startsWith ? t.toLowerCase().startsWith(wanted) : t.toLowerCase() === wanted));
  }

  /** The fleet-level behaviour of a script, field by field overridden by this device's (names case-insensitive). */
  behaviour(scriptName: string): ScriptBehaviour {
    return { ...lookup(this.scriptDefaults, scriptName), ...lookup(this.spec.scripts, scriptName) };
  }
}
