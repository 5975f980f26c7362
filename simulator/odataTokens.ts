import { DATE_TIME_PREFIX, parseIsoTicks } from './time.js';

/** Lexer of the OData `$filter` subset (see odata.ts). */
export class ODataFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ODataFilterError';
  }
}

export type Token =
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'num'; readonly v: number }
  | { readonly t: 'date'; readonly v: bigint; readonly raw: string }
  | { readonly t: 'id'; readonly v: string }
  | { readonly t: 'punct'; readonly v: string };

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    if (rest.startsWith("'")) {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ODataFilterError(`Unterminated string literal at position ${i}.`);
        if (text[j] === "'" && text[j + 1] === "'") {
          v += "'";
          j += 2;
        } else if (text[j] === "'") break;
        else v += text[j++] ?? '';
      }
      tokens.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    const date = DATE_TIME_PREFIX.exec(rest);
    if (date && !/^[\w.]/.test(rest.slice(date[0].length))) {
      const ticks = parseIsoTicks(date[0]);
      if (ticks === undefined) throw new ODataFilterError(`Invalid date-time literal '${date[0]}'.`);
      tokens.push({ t: 'date', v: ticks, raw: date[0] });
      i += date[0].length;
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?(?![\w.])/.exec(rest);
    if (num) {
      tokens.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (id) {
      tokens.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    if ('(),:/'.includes(rest[0] ?? '')) {
      tokens.push({ t: 'punct', v: rest[0] ?? '' });
      i += 1;
      continue;
    }
    throw new ODataFilterError(`Syntax error at position ${i} in $filter: unexpected '${rest[0] ?? ''}'.`);
  }
  return tokens;
}
