// A tiny, safe markdown renderer for agent answers and reports: headings, paragraphs, lists (nested,
// ordered, task items), fenced code, blockquotes, rules, GFM tables, and inline code / bold / italic /
// strike / links. It builds React elements only — text is always escaped by React, never injected as
// HTML — and links are kept only for http(s), mailto and same-site paths.
import { Fragment, memo, type ReactNode } from 'react';
import { Link } from './router';

type Align = 'left' | 'center' | 'right' | undefined;
type Block =
  | { t: 'h'; level: number; text: string }
  | { t: 'p'; text: string }
  | { t: 'code'; lang: string; text: string }
  | { t: 'hr' }
  | { t: 'quote'; children: Block[] }
  | { t: 'list'; ordered: boolean; start: number; items: { task: boolean | null; children: Block[]; tight: boolean }[] }
  | { t: 'table'; align: Align[]; head: string[]; rows: string[][] };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const LIST = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;

const indentOf = (line: string) => (/^\s*/.exec(line)?.[0] ?? '').replace(/\t/g, '    ').length;
const isBlank = (line: string) => line.trim() === '';

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  let inCode = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (ch === '`') {
      inCode = !inCode;
      cur += ch;
    } else if (ch === '|' && !inCode) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

function startsBlock(line: string, next: string | undefined): boolean {
  return (
    FENCE.test(line) ||
    HEADING.test(line) ||
    HR.test(line) ||
    QUOTE.test(line) ||
    LIST.test(line) ||
    (line.includes('|') && next !== undefined && TABLE_SEP.test(next) && next.includes('-'))
  );
}

function parseBlocks(lines: string[]): Block[] {
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i]!.trim().startsWith(marker) && lines[i]!.trim().replace(/[`~]/g, '') === '')) body.push(lines[i++]!);
      i++; // closing fence (or end of text)
      out.push({ t: 'code', lang: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push({ t: 'h', level: heading[1]!.length, text: heading[2] ?? '' });
      i++;
      continue;
    }
    if (HR.test(line)) {
      out.push({ t: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const inner: string[] = [];
      while (i < lines.length && !isBlank(lines[i]!)) {
        const q = QUOTE.exec(lines[i]!);
        inner.push(q ? q[1]! : lines[i]!);
        i++;
      }
      out.push({ t: 'quote', children: parseBlocks(inner) });
      continue;
    }
    const next = lines[i + 1];
    if (line.includes('|') && next !== undefined && TABLE_SEP.test(next) && next.includes('-')) {
      const head = splitRow(line);
      const align: Align[] = splitRow(next).map((c) => {
        const l = c.startsWith(':');
        const r = c.endsWith(':');
        return l && r ? 'center' : r ? 'right' : l ? 'left' : undefined;
      });
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && !isBlank(lines[i]!) && lines[i]!.includes('|')) rows.push(splitRow(lines[i++]!));
      out.push({ t: 'table', align, head, rows });
      continue;
    }
    if (LIST.test(line)) {
      i = parseList(lines, i, out);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !isBlank(lines[i]!) && (para.length === 0 || !startsBlock(lines[i]!, lines[i + 1]))) para.push(lines[i++]!.trim());
    out.push({ t: 'p', text: para.join('\n') });
  }
  return out;
}

function parseList(lines: string[], start: number, out: Block[]): number {
  const first = LIST.exec(lines[start]!)!;
  const base = indentOf(first[1]!);
  const ordered = /\d/.test(first[2]!);
  const list: Extract<Block, { t: 'list' }> = { t: 'list', ordered, start: ordered ? parseInt(first[2]!, 10) : 1, items: [] };
  let i = start;
  let item: { lines: string[]; contentIndent: number; looseAfter: boolean } | null = null;
  const raw: { lines: string[]; loose: boolean }[] = [];
  while (i < lines.length) {
    const line = lines[i]!;
    const m = LIST.exec(line);
    if (m && indentOf(m[1]!) <= base + 1 && indentOf(m[1]!) >= base - 1) {
      if (/\d/.test(m[2]!) !== ordered) break;
      item = { lines: [m[3]!], contentIndent: indentOf(m[1]!) + m[2]!.length + 1, looseAfter: false };
      raw.push({ lines: item.lines, loose: false });
      i++;
      continue;
    }
    if (!item) break;
    if (isBlank(line)) {
      let j = i + 1;
      while (j < lines.length && isBlank(lines[j]!)) j++;
      const nextLine = lines[j];
      if (nextLine === undefined) break;
      const nm = LIST.exec(nextLine);
      const continues = indentOf(nextLine) > base || (nm && indentOf(nm[1]!) <= base + 1 && /\d/.test(nm[2]!) === ordered);
      if (!continues) break;
      if (indentOf(nextLine) > base) item.lines.push('');
      else raw[raw.length - 1]!.loose = true;
      i = j;
      continue;
    }
    if (indentOf(line) > base) {
      const strip = Math.min(indentOf(line), item.contentIndent);
      item.lines.push(line.replace(/\t/g, '    ').slice(strip));
      i++;
      continue;
    }
    // lazy paragraph continuation
    if (!startsBlock(line, lines[i + 1])) {
      item.lines.push(line.trim());
      i++;
      continue;
    }
    break;
  }
  for (const r of raw) {
    let task: boolean | null = null;
    const tm = /^\[([ xX])\]\s+/.exec(r.lines[0] ?? '');
    if (tm) {
      task = tm[1] !== ' ';
      r.lines[0] = r.lines[0]!.slice(tm[0].length);
    }
    const children = parseBlocks(r.lines);
    list.items.push({ task, children, tight: !r.loose && children.filter((b) => b.t === 'p').length <= 1 });
  }
  out.push(list);
  return i;
}

// ---- inline ----

const INLINE =
  /\\([\\`*_{}[\]()#+\-.!|~<>])|(`+)([\s\S]*?[^`])\2(?!`)|\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__|~~(?=\S)([\s\S]*?\S)~~|\*(?=[^\s*])([\s\S]*?[^\s*])\*|(?<![\w])_(?=[^\s_])([\s\S]*?[^\s_])_(?![\w])|!?\[([^\]\n]+)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?(?:\s+["'][^"'\n]*["'])?\s*\)|<((?:https?:\/\/|mailto:)[^>\s]+)>|(https?:\/\/[^\s<]*[^\s<.,;:!?)\]'"*_])|( {2,}|\\)\n|\n/;

export function safeHref(url: string): string | null {
  const u = url.trim();
  if (/^(https?:|mailto:)/i.test(u)) return u;
  if (/^\/(?!\/)/.test(u) || u.startsWith('#')) return u;
  return null;
}

function renderLink(href: string, children: ReactNode, key: string): ReactNode {
  const safe = safeHref(href);
  if (!safe) return <Fragment key={key}>{children}</Fragment>;
  if (safe.startsWith('/'))
    return (
      <Link key={key} href={safe}>
        {children}
      </Link>
    );
  return (
    <a key={key} href={safe} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

export function inline(text: string, key = 'i'): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  let n = 0;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    const k = `${key}.${n++}`;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[3] !== undefined) out.push(<code key={k}>{m[3].replace(/^ (.+) $/, '$1')}</code>);
    else if (m[4] !== undefined || m[5] !== undefined) out.push(<strong key={k}>{inline((m[4] ?? m[5])!, k)}</strong>);
    else if (m[6] !== undefined) out.push(<del key={k}>{inline(m[6], k)}</del>);
    else if (m[7] !== undefined || m[8] !== undefined) out.push(<em key={k}>{inline((m[7] ?? m[8])!, k)}</em>);
    else if (m[9] !== undefined) out.push(renderLink(m[10]!, inline(m[9], k), k));
    else if (m[11] !== undefined) out.push(renderLink(m[11], m[11].replace(/^mailto:/, ''), k));
    else if (m[12] !== undefined) out.push(renderLink(m[12], m[12], k));
    else out.push(<br key={k} />);
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

function renderBlocks(blocks: Block[], key: string, tight = false): ReactNode[] {
  return blocks.map((b, idx) => {
    const k = `${key}.${idx}`;
    switch (b.t) {
      case 'h': {
        const Tag = `h${Math.min(6, b.level + 1)}` as 'h2';
        return <Tag key={k}>{inline(b.text, k)}</Tag>;
      }
      case 'p':
        return tight ? <Fragment key={k}>{inline(b.text, k)}</Fragment> : <p key={k}>{inline(b.text, k)}</p>;
      case 'code':
        return (
          <pre key={k} className="md-code" data-lang={b.lang || undefined}>
            <code>{b.text}</code>
          </pre>
        );
      case 'hr':
        return <hr key={k} />;
      case 'quote':
        return <blockquote key={k}>{renderBlocks(b.children, k)}</blockquote>;
      case 'list': {
        const items = b.items.map((it, j) => (
          <li key={`${k}.${j}`} className={it.task !== null ? 'md-task' : undefined}>
            {it.task !== null && <input type="checkbox" checked={it.task} readOnly disabled aria-label={it.task ? 'done' : 'to do'} />}
            {renderBlocks(it.children, `${k}.${j}`, it.tight)}
          </li>
        ));
        return b.ordered ? (
          <ol key={k} start={b.start !== 1 ? b.start : undefined}>
            {items}
          </ol>
        ) : (
          <ul key={k}>{items}</ul>
        );
      }
      case 'table':
        return (
          <div key={k} className="table-wrap">
            <table className="md-table">
              <thead>
                <tr>
                  {b.head.map((h, j) => (
                    <th key={j} style={b.align[j] ? { textAlign: b.align[j] } : undefined}>
                      {inline(h, `${k}.h${j}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {b.rows.map((row, r) => (
                  <tr key={r}>
                    {b.head.map((_, j) => (
                      <td key={j} style={b.align[j] ? { textAlign: b.align[j] } : undefined}>
                        {inline(row[j] ?? '', `${k}.${r}.${j}`)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
    }
  });
}

export function parseMarkdown(text: string): Block[] {
  return parseBlocks(text.replace(/\r\n?/g, '\n').split('\n'));
}

export const Markdown = memo(function Markdown({ text, className }: { text: string; className?: string }) {
  return <div className={className ? `md ${className}` : 'md'}>{renderBlocks(parseMarkdown(text), 'b')}</div>;
});
