/**
 * Just enough Markdown reading to hold the README and docs/ to the code:
 * headings and their GitHub anchors, relative links, `npm run` scripts, a
 * section's table rows. Not a Markdown parser: fenced code blocks and code
 * spans are set aside before links and headings are read.
 */

/** A relative link: the file it points at (empty for a link inside the same file) and its `#anchor`, if any. */
export interface RelativeLink {
  readonly target: string;
  readonly anchor?: string;
}

const FENCED_BLOCK = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm;
const CODE_SPAN = /`+[^`\n]*`+/g;

/** The text without fenced code blocks (a `# comment` in a shell block is no heading). */
export function withoutFencedCode(markdown: string): string {
  return markdown.replace(FENCED_BLOCK, '');
}

/**
 * GitHub's anchor for a heading: the text as rendered (code spans and links
 * keep their text), lowercased, every character that is not a letter, a
 * digit, a space, `-` or `_` dropped, then each space a `-`.
 */
export function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/** Every heading's anchor, a repeated heading numbered `-1`, `-2`, ... as GitHub does. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutFencedCode(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = githubSlug(match[1] ?? '');
    const times = seen.get(slug) ?? 0;
    anchors.add(times === 0 ? slug : `${slug}-${times}`);
    seen.set(slug, times + 1);
  }
  return anchors;
}

/** Links and images whose target is not absolute (no scheme such as `https:` or `mailto:`). */
export function relativeLinks(markdown: string): RelativeLink[] {
  const prose = withoutFencedCode(markdown).replace(CODE_SPAN, '');
  const links: RelativeLink[] = [];
  for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const href = match[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
    const hash = href.indexOf('#');
    const target = decodeURIComponent(hash === -1 ? href : href.slice(0, hash));
    links.push(hash === -1 ? { target } : { target, anchor: decodeURIComponent(href.slice(hash + 1)) });
  }
  return links;
}

/** The scripts named as `npm run <script>`, in prose and code alike. */
export function npmRunScripts(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/npm run (?:--silent )?([a-z][\w:-]*)/g)].map((m) => (m[1] ?? '').replace(/:$/, '')));
}

/** The text of a `## ` section, from its heading to the next heading of that level or higher. */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line === `## ${heading}`);
  if (start === -1) throw new Error(`no section "## ${heading}"`);
  const end = lines.findIndex((line, i) => i > start && /^#{1,2} /.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** The code spans in the first cell of each table row: the names a reference table documents. */
export function firstCellNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const match of firstCell.matchAll(/`([^`]+)`/g)) names.add(match[1] ?? '');
  }
  return names;
}
