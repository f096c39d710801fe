import { Markdown } from '@storybook/addon-docs/blocks';
import { forStorybook } from './pages.js';

/** One markdown file of the repository, rendered in Storybook's Docs: the file is the one source. */
export function Guide({ source, file, images }: { source: string; file: string; images?: Readonly<Record<string, string>> }) {
  return <Markdown>{forStorybook(source, file, images)}</Markdown>;
}
