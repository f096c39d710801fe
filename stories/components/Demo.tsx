import type { ReactNode } from 'react';

/** A demo's frame: what it shows, in a sentence or two, then the live UI. */
export function Demo({ title, children, intro }: { title: string; intro: ReactNode; children: ReactNode }) {
  return (
    <div className="demo">
      <h2>{title}</h2>
      <div className="note">{intro}</div>
      {children}
    </div>
  );
}
