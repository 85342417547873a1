// Agent answers and reports as markdown, through markdown-to-jsx (GFM: tables, task lists, strike-through).
// Sanitized: raw HTML is never interpreted (it shows as text), links keep only http(s), mailto and same-site
// targets, images render as their alt text (no requests to hosts a report names). Headings move down one
// level (the page's own title is the h1). Tables and code blocks scroll on their own and take keyboard focus.
import MarkdownToJsx from 'markdown-to-jsx/react';
import { memo, type ComponentProps, type ReactNode } from 'react';
import { Link } from './router';

/** The URL if it is safe to link to (http(s), mailto, same-site path or fragment), else null. */
export function safeHref(url: string): string | null {
  const u = url.trim();
  if (/^(https?:|mailto:)/i.test(u)) return u;
  if (/^\/(?!\/)/.test(u) || u.startsWith('#')) return u;
  return null;
}

function SafeLink({ href, children }: { href?: string; children?: ReactNode }) {
  const safe = href ? safeHref(href) : null;
  if (!safe) return <>{children}</>;
  if (safe.startsWith('/')) return <Link href={safe}>{children}</Link>;
  return (
    <a href={safe} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

/** A wide table scrolls inside its own region, which keyboard users can focus and scroll. */
function ScrollTable(props: ComponentProps<'table'>) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Table">
      <table {...props} className="md-table" />
    </div>
  );
}

function CodeBlock(props: ComponentProps<'pre'>) {
  return <pre {...props} className="md-code" tabIndex={0} />;
}

const shifted = (tag: 'h2' | 'h3' | 'h4' | 'h5' | 'h6') =>
  function Heading(props: ComponentProps<'h2'>) {
    const Tag = tag;
    return <Tag {...props} />;
  };

const OPTIONS = {
  disableParsingRawHTML: true,
  ignoreHTMLBlocks: true,
  sanitizer: (value: string, _tag: string, attribute: string) => (attribute === 'href' || attribute === 'src' ? safeHref(value) : value),
  overrides: {
    a: { component: SafeLink },
    img: { component: ({ alt }: { alt?: string }) => <>{alt ?? ''}</> },
    table: { component: ScrollTable },
    pre: { component: CodeBlock },
    h1: { component: shifted('h2') },
    h2: { component: shifted('h3') },
    h3: { component: shifted('h4') },
    h4: { component: shifted('h5') },
    h5: { component: shifted('h6') },
  },
  forceBlock: true,
  wrapper: null,
};

export const Markdown = memo(function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className ? `md ${className}` : 'md'}>
      <MarkdownToJsx options={OPTIONS}>{text}</MarkdownToJsx>
    </div>
  );
});
