import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A script of the repository's `library/` folder, as it would be uploaded. */
export interface LocalLibraryFile {
  fileName: string;
  content: Buffer;
  sha256: string;
  description: string;
  parametersDescription: string;
  hasParameters: boolean;
}

/** Extensions of files the sync uploads (everything else in the folder, e.g. a README, stays local). */
const UPLOADED = /\.(ps1|sh|py|cmd|bat)$/i;

/** Reads every uploadable file of a folder, sorted by name. */
export async function readLocalLibrary(dir: string): Promise<LocalLibraryFile[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && UPLOADED.test(e.name))
    .map((e) => e.name)
    .sort();
  return Promise.all(names.map(async (fileName) => describeScript(fileName, await readFile(path.join(dir, fileName)))));
}

/**
 * A script's library entry: Description from its comment-based help
 * `.SYNOPSIS`, parameters from its `.PARAMETER` entries (`-ProcessId
 * -OutputName`).
 */
export function describeScript(fileName: string, content: Buffer): LocalLibraryFile {
  const text = content.toString('utf8');
  const synopsis = /\.SYNOPSIS\s*\r?\n([^\r\n]+)/i.exec(text)?.[1]?.trim() ?? '';
  const parameters = [...text.matchAll(/^\s*\.PARAMETER\s+([A-Za-z][A-Za-z0-9]*)/gim)].map((m) => `-${m[1] ?? ''}`);
  return {
    fileName,
    content,
    sha256: createHash('sha256').update(content).digest('hex'),
    description: synopsis.slice(0, 1000),
    parametersDescription: parameters.join(' '),
    hasParameters: parameters.length > 0,
  };
}
