import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A small, honest reader of this repository's .bicep files for the contract
 * tests: not a Bicep compiler (none can be installed here). It understands
 * the few shapes the templates use for what the tests compare: `var x =
 * 'literal'`, `var x = { key: value }` with one entry a line, and resource
 * bodies found by type. A shape it does not understand fails the test
 * (undefined, or an expression where a literal is expected), never passes it.
 */

export const INFRA = path.resolve(import.meta.dirname, '../../../infra');

/** The file's text without `//` comments (a `//` inside a 'string' is kept). */
export function readBicep(relative: string): string {
  return readFileSync(path.join(INFRA, relative), 'utf8').split('\n').map(stripComment).join('\n');
}

function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (c === "'" && line[i - 1] !== '\\') inString = !inString;
    else if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** The text between the `{` that ends `opening` and its matching `}`. */
export function blockAfter(text: string, opening: RegExp): string | undefined {
  const match = opening.exec(text);
  if (!match) return undefined;
  const start = match.index + match[0].length;
  let depth = 1;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (c === "'" && text[i - 1] !== '\\') inString = !inString;
    if (inString) continue;
    if (c === '{') depth += 1;
    if (c === '}') depth -= 1;
    if (depth === 0) return text.slice(start, i);
  }
  return undefined;
}

/** `var name = { key: value ... }`: each top-level `key: value` line, the value as written. */
export function objectVar(text: string, name: string): Map<string, string> {
  const body = blockAfter(text, new RegExp(`^var ${name} = \\{`, 'm'));
  if (body === undefined) throw new Error(`no object var ${name}`);
  return entries(body);
}

/** The `key: value` lines of an object body at its top level (nested objects kept as written). */
export function entries(body: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  for (const line of body.split('\n')) {
    const trimmed = line.trim();
    if (depth === 0) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.+)$/.exec(trimmed);
      if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], m[2].trim());
    }
    depth += count(trimmed, '{') + count(trimmed, '[') - count(trimmed, '}') - count(trimmed, ']');
  }
  return out;
}

function count(text: string, c: string): number {
  return text.split(c).length - 1;
}

/** `var name = 'literal'`. */
export function stringVar(text: string, name: string): string | undefined {
  const m = new RegExp(`^var ${name} = '([^'$]*)'$`, 'm').exec(text);
  return m?.[1];
}

/** A plain literal as written in Bicep ('text', 12, true); undefined for an expression. */
export function literal(raw: string): string | number | boolean | undefined {
  const text = /^'([^'$]*)'$/.exec(raw);
  if (text) return text[1];
  if (/^-?\d+$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return undefined;
}

export interface BicepResource {
  symbol: string;
  type: string;
  body: string;
}

/** Every resource of a type (`Microsoft.Web/sites/config`), conditional ones (`= if (...) {`) included, with its body; `existing` ones left out. */
export function resourcesOf(text: string, type: string): BicepResource[] {
  const out: BicepResource[] = [];
  const head = /^resource (\w+) '([^'@]+)@[^']+' = (?:if \([^\n]*\) )?(?:\[\s*for [^\n]*\{|\{)/gm;
  for (let m = head.exec(text); m; m = head.exec(text)) {
    const [opening, symbol = '', found = ''] = m;
    if (found !== type) continue;
    const body = blockAfter(text.slice(m.index), new RegExp(escape(opening)));
    if (body !== undefined) out.push({ symbol, type: found, body });
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** ISO 8601 durations as the templates write them (P14D, PT1M, PT10M, PT30S) and host.json's hh:mm:ss, in ms. */
export function durationMs(text: string): number {
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
  if (iso && text !== 'P' && text !== 'PT') {
    const [, d = '0', h = '0', m = '0', s = '0'] = iso;
    return (((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000;
  }
  const clock = /^(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (clock) {
    const [, h = '0', m = '0', s = '0'] = clock;
    return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000;
  }
  throw new Error(`not a duration: ${text}`);
}

/** The names infra/names.bicep exports, resolved: `tableNames.RUNS_TABLE` to 'runs'. */
export function namesBicep(): Map<string, string | number | boolean> {
  const text = readBicep('names.bicep');
  const out = new Map<string, string | number | boolean>();
  for (const m of text.matchAll(/^var (\w+) = (.+)$/gm)) {
    const [, name = '', raw = ''] = m;
    if (raw === '{') {
      for (const [key, value] of objectVar(text, name)) {
        const v = literal(value);
        if (v !== undefined) out.set(`${name}.${key}`, v);
      }
    } else {
      const v = literal(raw.trim());
      if (v !== undefined) out.set(name, v);
    }
  }
  return out;
}
