import { PermanentError } from '../errors.js';

/**
 * Long text (a JSON record) in one Table Storage entity. A string property
 * holds at most 32K UTF-16 characters and an entity at most 1 MiB, so the
 * text is split across numbered properties and their count is stored with
 * them. Each store names its properties (`layout`); the split never cuts a
 * surrogate pair.
 */
export interface TextLayout {
  /** The property holding how many parts there are. */
  countProp: string;
  /** The property holding part `i`. */
  partProp: (i: number) => string;
}

const PART_CHARS = 32_000;
/** 15 parts of 32K characters stay well inside an entity's 1 MiB. */
export const MAX_TEXT_PARTS = 15;

/** `text` as properties of `layout`; `what` names the record in the error when it is too long. */
export function textProps(text: string, layout: TextLayout, what: string): Record<string, string | number> {
  const parts: string[] = [];
  for (let start = 0; start < text.length || parts.length === 0;) {
    let end = Math.min(start + PART_CHARS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1; // never split a surrogate pair
    parts.push(text.slice(start, end));
    start = end;
  }
  if (parts.length > MAX_TEXT_PARTS) {
    throw new PermanentError(`${what} is ${text.length} characters of JSON; a table entity holds at most ${MAX_TEXT_PARTS * PART_CHARS}`);
  }
  const props: Record<string, string | number> = { [layout.countProp]: parts.length };
  parts.forEach((part, i) => {
    props[layout.partProp(i)] = part;
  });
  return props;
}

/** The text stored by textProps in `row`; `where` names the row in the error when a part is missing. */
export function textFrom(row: Record<string, unknown>, layout: TextLayout, where: string): string {
  const count = row[layout.countProp];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_TEXT_PARTS) {
    throw new PermanentError(`${where} has no valid ${layout.countProp}`);
  }
  let text = '';
  for (let i = 0; i < count; i++) {
    const part = row[layout.partProp(i)];
    if (typeof part !== 'string') throw new PermanentError(`${where} lacks part ${i} (${layout.partProp(i)})`);
    text += part;
  }
  return text;
}
