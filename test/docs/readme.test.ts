/**
 * What a newcomer reads first stays short, starts with the two commands, and links only to what exists:
 * every relative link (and its #anchor) in the README, CONTRIBUTING, CHANGELOG and docs/*.md resolves. Each
 * guide is also a Storybook page rendered from the same file (stories/docs/*.mdx), so there is one source.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGES, forStorybook } from '../../stories/docs/pages.js';

const root = resolve(import.meta.dirname, '../..');
const README_MAX_BYTES = 12 * 1024;

const pages = [
  'README.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

function read(page: string): string {
  return readFileSync(join(root, page), 'utf8');
}

/** The text a reader sees as prose: no fenced code, no inline code, no HTML comments. */
function prose(markdown: string): string {
  return markdown
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes (duplicates get -1, -2...). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading = ''] of prose(markdown.replace(/`([^`\n]*)`/g, '$1')).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = heading
      .toLowerCase()
      .replace(/<[^>]*>/g, (tag) => tag.replace(/[<>/]/g, ''))
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Relative link targets of a page: `[text](target)` and `![alt](target)`, outside code. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map(([, target = '']) => target)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('?'));
}

describe('README', () => {
  const readme = read('README.md');

  it(`is at most ${README_MAX_BYTES / 1024} KB`, () => {
    expect(Buffer.byteLength(readme, 'utf8')).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  it('opens with the two commands: npm install && npm start, and npm test', () => {
    const opening = readme.split('\n').slice(0, 6).join('\n');
    expect(opening).toContain('npm install && npm start');
    expect(opening).toMatch(/^npm test\b/m);
  });

  it('links the screenshot, which exists', () => {
    expect(relativeLinks(readme)).toContain('docs/jwt-renewal.png');
  });
});

describe.each(pages)('%s', (page) => {
  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const target of relativeLinks(read(page))) {
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), decodeURIComponent(path));
      if (!file.startsWith(root + '/') || !existsSync(file)) {
        broken.push(`${target}: no file ${relative(root, file)}`);
      } else if (anchor !== undefined && file.endsWith('.md') && statSync(file).isFile() && !anchors(readFileSync(file, 'utf8')).has(anchor)) {
        broken.push(`${target}: no heading #${anchor} in ${relative(root, file)}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the link checker', () => {
  it('sees a broken link, a broken anchor, and skips code and absolute URLs', () => {
    const sample = '# A `b` (c)\n[x](missing.md) [y](#nope) [z](#a-b-c) [w](https://example.com) `[v](gone.md)`\n```\n[u](gone.md)\n```\n';
    expect(relativeLinks(sample)).toEqual(['missing.md', '#nope', '#a-b-c']);
    expect([...anchors(sample)]).toEqual(['a-b-c']);
  });
});

/** Storybook's docs id of an MDX page: its title, lower case, every run of other characters a dash. */
function docsId(title: string): string {
  return `${title.split('/').map((part) => part.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')).join('-')}--docs`;
}

describe('the guides in Storybook', () => {
  const mdxDir = join(root, 'stories/docs');
  const rendered = new Map<string, string>();
  for (const name of readdirSync(mdxDir).filter((file) => file.endsWith('.mdx'))) {
    const mdx = readFileSync(join(mdxDir, name), 'utf8');
    const source = /from '\.\.\/\.\.\/([^']+\.md)\?raw'/.exec(mdx)?.[1];
    const title = /<Meta title="([^"]+)"/.exec(mdx)?.[1];
    if (source && title) rendered.set(source, docsId(title));
  }

  it.each(pages.filter((page) => page !== 'CONTRIBUTING.md'))('%s is rendered by an MDX page, under the id the links use', (page) => {
    expect(rendered.get(page)).toBeDefined();
    expect(PAGES[page]).toBe(rendered.get(page));
  });

  it('maps no page that no MDX renders', () => {
    expect(Object.keys(PAGES).filter((page) => !rendered.has(page))).toEqual([]);
  });

  it('turns links between rendered pages into Storybook links, other files into text, and keeps images it knows', () => {
    const markdown = '[a](renewal.md#clocks) [b](../README.md) [c](../etc/api/x.api.md) [d](#here) [e](https://x.test) ![f](jwt-renewal.png)';
    expect(forStorybook(markdown, 'docs/failures.md', { 'docs/jwt-renewal.png': '/assets/shot.png' })).toBe(
      '[a](?path=/docs/guides-renewal--docs#clocks) [b](?path=/docs/guides-readme--docs) c [d](#here) [e](https://x.test) ![f](/assets/shot.png)',
    );
  });
});
