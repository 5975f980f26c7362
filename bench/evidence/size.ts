/**
 * Parses a size such as `3GB`, `512MiB`, `100000`. K/M/G/T are binary here
 * (GB = GiB): `3GB` is 3 GiB, the simulator's (and the portal's) GetFile
 * maximum, the larger of the two readings.
 */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!match) throw new Error(`--size: expected a size like 3GB, 512MiB or 1000000, got ${JSON.stringify(text)}`);
  const power = ' KMGT'.indexOf((match[2] ?? '').toUpperCase() || ' ');
  const bytes = Math.round(Number(match[1]) * 1024 ** power);
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new Error(`--size: ${text} is not a usable size`);
  return bytes;
}

export const mib = (bytes: number): number => bytes / (1024 * 1024);
