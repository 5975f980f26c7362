/**
 * RunScript `Args` read the way PowerShell binds named parameters: `-Name
 * value` pairs, `-Name:value`, values in single quotes (`''` escapes a quote)
 * or double quotes, and bare switches (`-Verbose`, bound to "True"). Names
 * are case-insensitive. Tokens that are not bound to a name are positional.
 */
export interface ParsedArgs {
  /** Lower-case name → value. */
  readonly named: ReadonlyMap<string, string>;
  readonly positional: readonly string[];
}

export type ArgsResult = { ok: true; value: ParsedArgs } | { ok: false; error: string };

interface Token {
  text: string;
  /** The token began with a quote, so it can never be a parameter name. */
  quoted: boolean;
}

function tokenize(input: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    while (i < input.length && /\s/.test(input[i] ?? '')) i++;
    if (i >= input.length) break;
    const quoted = input[i] === "'" || input[i] === '"';
    let text = '';
    while (i < input.length && !/\s/.test(input[i] ?? '')) {
      const ch = input[i] ?? '';
      if (ch === "'" || ch === '"') {
        i++;
        let closed = false;
        while (i < input.length) {
          const c = input[i] ?? '';
          if (c === ch && input[i + 1] === ch) {
            text += ch;
            i += 2;
          } else if (c === ch) {
            i++;
            closed = true;
            break;
          } else if (ch === '"' && c === '`' && i + 1 < input.length) {
            text += input[i + 1] ?? '';
            i += 2;
          } else {
            text += c;
            i++;
          }
        }
        if (!closed) return `The string is missing the terminator: ${ch}.`;
      } else {
        text += ch;
        i++;
      }
    }
    tokens.push({ text, quoted });
  }
  return tokens;
}

const NAME = /^-([A-Za-z_][A-Za-z0-9_]*)(?::([\s\S]*))?$/;

/** Parses an Args string; errors read like PowerShell's. */
export function parsePowerShellArgs(input: string): ArgsResult {
  const tokens = tokenize(input);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  const named = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const m = token.quoted ? null : NAME.exec(token.text);
    if (!m) {
      positional.push(token.text);
      continue;
    }
    const name = m[1] ?? '';
    const key = name.toLowerCase();
    if (named.has(key)) return { ok: false, error: `Cannot bind parameter because parameter '${name}' is specified more than once.` };
    let value: string;
    if (m[2] !== undefined) value = m[2];
    else {
      const next = tokens[i + 1];
      if (next && (next.quoted || !NAME.test(next.text))) {
        value = next.text;
        i++;
      } else value = 'True';
    }
    named.set(key, value);
  }
  return { ok: true, value: { named, positional } };
}

export type FillResult = { ok: true; value: string } | { ok: false; missing: string };

/**
 * Replaces `{Name}` placeholders with the named argument (case-insensitive)
 * or a built-in variable. Strict: a placeholder with no value is an error;
 * otherwise it is left as written.
 */
export function fillTemplate(
  template: string,
  args: ParsedArgs,
  options: { strict: boolean; builtins?: ReadonlyMap<string, string> },
): FillResult {
  let missing: string | undefined;
  const value = template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const key = name.toLowerCase();
    const found = args.named.get(key) ?? options.builtins?.get(key);
    if (found !== undefined) return found;
    missing ??= name;
    return whole;
  });
  if (missing !== undefined && options.strict) return { ok: false, missing };
  return { ok: true, value };
}
