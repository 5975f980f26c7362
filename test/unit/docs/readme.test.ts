import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../../shared/config.js';
import { firstCellNames, githubSlug, headingAnchors, npmRunScripts, relativeLinks, section } from '../../helpers/markdown.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');
const guides = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const scripts = new Set(Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts));

/** `QUEUE_ALERTS`, `QUEUE_ACTIONS`, ...: one per queue, which one row may cover by naming the pattern. */
const QUEUE_SETTING = /^QUEUE_[A-Z]+$/;

describe("the README's Configuration table", () => {
  const documented = firstCellNames(section(read('README.md'), 'Configuration'));

  it.each(Object.keys(settingsSchema.shape))('documents the setting %s', (setting) => {
    const coveredByPattern = QUEUE_SETTING.test(setting) && documented.has('QUEUE_<NAME>');
    expect(documented.has(setting) || coveredByPattern, `${setting}: no row in the README's Configuration table`).toBe(true);
  });

  it('names no setting the code does not read', () => {
    const settings = new Set(Object.keys(settingsSchema.shape));
    const unknown = [...documented].filter((name) => !name.includes('<') && !settings.has(name));
    expect(unknown).toEqual([]);
  });
});

describe.each(guides)('%s', (file) => {
  const text = read(file);

  it('names only npm scripts package.json has', () => {
    expect([...npmRunScripts(text)].filter((script) => !scripts.has(script))).toEqual([]);
  });

  it('links only to files that exist, and to headings they have', () => {
    const broken = relativeLinks(text).flatMap(({ target, anchor }) => {
      const resolved = target === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), target);
      const shown = `${target}${anchor === undefined ? '' : `#${anchor}`}`;
      if (!existsSync(resolved)) return [`${shown}: no such file`];
      if (anchor === undefined || !resolved.endsWith('.md')) return [];
      return headingAnchors(readFileSync(resolved, 'utf8')).has(anchor) ? [] : [`${shown}: no such heading`];
    });
    expect(broken).toEqual([]);
  });
});

describe('reading the guides', () => {
  it.each([
    ['Pacing (`npm run bench:pacing`)', 'pacing-npm-run-benchpacing'],
    ['Several files at once (`--concurrent N`)', 'several-files-at-once---concurrent-n'],
    ['Work whose message was lost: the reconciliation sweep', 'work-whose-message-was-lost-the-reconciliation-sweep'],
    ['Signing in, in Azure', 'signing-in-in-azure'],
    ['Status at a glance (`GET /api/status`)', 'status-at-a-glance-get-apistatus'],
    ['the [delivery contract](architecture.md)', 'the-delivery-contract'],
  ])('anchors the heading %s as GitHub does', (heading, anchor) => {
    expect(githubSlug(heading)).toBe(anchor);
  });

  it('numbers a repeated heading and ignores headings in code blocks', () => {
    expect([...headingAnchors('# A\n\n```sh\n# not a heading\n```\n\n## Figures\n\n## Figures\n')]).toEqual(['a', 'figures', 'figures-1']);
  });

  it('reads relative links and images outside code, not absolute ones', () => {
    const markdown =
      '[a](docs/a.md#x) ![i](images/i.png) [w](https://example.org) [s](#here) `[c](not/a/link.md)`\n```\n[d](nor/this.md)\n```\n';
    expect(relativeLinks(markdown)).toEqual([
      { target: 'docs/a.md', anchor: 'x' },
      { target: 'images/i.png' },
      { target: '', anchor: 'here' },
    ]);
  });
});
