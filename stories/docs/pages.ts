/**
 * The repository's markdown files that Storybook renders (one stories/docs/*.mdx each), by the docs id of
 * their page: a link between two of them stays a link inside Storybook. Add a line when you add a page
 * (test/docs/readme.test.ts checks both ways). No Storybook import here, so that Node can check it.
 */
export const PAGES: Readonly<Record<string, string>> = {
  'README.md': 'guides-readme--docs',
  'CHANGELOG.md': 'guides-changelog--docs',
  'docs/api.md': 'guides-api-reference--docs',
  'docs/renewal.md': 'guides-renewal--docs',
  'docs/failures.md': 'guides-failures-and-recovery--docs',
  'docs/server.md': 'guides-server-and-token-endpoint--docs',
  'docs/react-lib.md': 'guides-with-react-lib--docs',
  'docs/without-react.md': 'guides-without-react--docs',
  'docs/testing.md': 'guides-testing-your-app--docs',
  'docs/troubleshooting.md': 'guides-troubleshooting--docs',
  'docs/guarantees.md': 'guides-guarantees--docs',
  'docs/engine.md': 'guides-engine--docs',
  'docs/sdk-behaviour.md': 'guides-sdk-behaviour--docs',
  'docs/local-cloud.md': 'guides-local-cloud--docs',
  'docs/head-start.md': 'guides-head-start--docs',
  'docs/recipes/nextjs.md': 'guides-recipes-next-js--docs',
  'docs/recipes/express.md': 'guides-recipes-express--docs',
  'docs/recipes/vite.md': 'guides-recipes-vite--docs',
  'docs/recipes/devtools.md': 'guides-recipes-devtools--docs',
};

/** `docs/renewal.md` + `../README.md#x` -> `README.md#x`: a link resolved against the file it is written in. */
export function resolveLink(file: string, target: string): string {
  const parts = file.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/**
 * The markdown as Storybook should show it: links to another rendered page go to that page, links to
 * any other file of the repository become plain text (Storybook serves no files), images come from `images`.
 */
export function forStorybook(markdown: string, file: string, images: Readonly<Record<string, string>> = {}): string {
  return markdown.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)\)/g, (link, bang: string, text: string, target: string) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('?') || target.startsWith('#')) return link;
    const [path = '', anchor] = target.split('#');
    const resolved = resolveLink(file, path);
    if (bang) return images[resolved] ? `![${text}](${images[resolved]})` : '';
    const page = PAGES[resolved];
    return page ? `[${text}](?path=/docs/${page}${anchor ? `#${anchor}` : ''})` : text;
  });
}
