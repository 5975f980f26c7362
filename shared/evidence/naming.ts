/**
 * Blob names are built from our own ids; the device's path contributes only
 * a short, sanitised label at the end. Hostile names (`..\`, UNC, control
 * characters, 2,000 characters) cannot escape or break the naming; the
 * original path is kept in metadata and the manifest.
 */
export function evidenceBlobName(input: {
  runId: string;
  deviceId: string;
  machineActionId: string;
  commandIndex: number;
  commandType: string;
  source: string;
}): string {
  const base = input.source.split(/[\\/]/).filter(Boolean).pop() ?? '';
  const label = safeLabel(base) || 'result';
  const suffix = input.commandType === 'GetFile' ? '.gz' : input.commandType === 'RunScript' ? '.transcript.json' : '';
  return [safeId(input.runId), safeId(input.deviceId), safeId(input.machineActionId), `${input.commandIndex}-${label}${suffix}`].join('/');
}

/** Letters, digits, `.`, `_`, `-`; no leading dots; at most 80 characters. */
export function safeLabel(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .replace(/[.]+$/, '')
    .slice(0, 80);
}

function safeId(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9-]/g, '');
  if (clean.length === 0) throw new Error('an id used in a blob name is empty after sanitising');
  return clean.slice(0, 64);
}

export const manifestBlobName = (runId: string): string => `${safeId(runId)}/manifest.json`;
