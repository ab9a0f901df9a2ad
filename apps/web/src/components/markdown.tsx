import { Anchor, Code, List, Text } from '@mantine/core';
import type { ReactNode } from 'react';

// Markdown people type into a conversation, drawn as React elements: every piece of it is
// text in an element, never HTML, so a body holding markup or script shows as the characters
// typed. Links go out only for http(s) and mailto addresses; anything else stays text.

const SAFE_HREF = /^(https?:\/\/|mailto:)/i;
// Underscores emphasise only at word edges, as in CommonMark: snake_case and __dunder__ inside words stay as typed.
const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*|(?<![\p{L}\p{N}_])__[^_\n]+__(?![\p{L}\p{N}_]))|(\*[^*\s][^*\n]*\*|(?<![\p{L}\p{N}_])_[^_\s][^_\n]*_(?![\p{L}\p{N}_]))|(\[[^\]\n]+\]\([^)\s]+\))/gu;

export function safeHref(href: string): string | null {
  const trimmed = href.trim();
  return SAFE_HREF.test(trimmed) ? trimmed : null;
}

function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index;
    if (at > last) out.push(text.slice(last, at));
    const token = m[0];
    const k = `${key}-${n++}`;
    if (m[1]) out.push(<Code key={k}>{token.slice(1, -1)}</Code>);
    else if (m[2]) out.push(<strong key={k}>{inline(token.slice(2, -2), k)}</strong>);
    else if (m[3]) out.push(<em key={k}>{inline(token.slice(1, -1), k)}</em>);
    else {
      const split = token.lastIndexOf('](');
      const label = token.slice(1, split);
      const href = safeHref(token.slice(split + 2, -1));
      out.push(
        href ? (
          <Anchor key={k} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {label}
          </Anchor>
        ) : (
          token
        ),
      );
    }
    last = at + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function lines(text: string, key: string): ReactNode[] {
  return text.split('\n').flatMap((line, i) => (i === 0 ? inline(line, `${key}-${i}`) : [<br key={`${key}-br${i}`} />, ...inline(line, `${key}-${i}`)]));
}

type Block = { kind: 'p' | 'quote' | 'heading'; text: string } | { kind: 'code'; text: string } | { kind: 'ul' | 'ol'; items: string[] };

export function blocks(source: string): Block[] {
  const out: Block[] = [];
  const rows = source.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push({ kind: 'p', text: para.join('\n') });
    para = [];
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (/^\s*```/.test(row)) {
      flush();
      const code: string[] = [];
      for (i++; i < rows.length && !/^\s*```/.test(rows[i]!); i++) code.push(rows[i]!);
      out.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(row);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(row);
    if (bullet || numbered) {
      flush();
      const kind = bullet ? 'ul' : 'ol';
      const prev = out[out.length - 1];
      const item = (bullet ?? numbered)![1]!;
      if (prev && prev.kind === kind) prev.items.push(item);
      else out.push({ kind, items: [item] });
      continue;
    }
    const heading = /^\s*#{1,6}\s+(.*)$/.exec(row);
    if (heading) {
      flush();
      out.push({ kind: 'heading', text: heading[1]! });
      continue;
    }
    const quote = /^\s*>\s?(.*)$/.exec(row);
    if (quote) {
      flush();
      const prev = out[out.length - 1];
      if (prev && prev.kind === 'quote') prev.text += `\n${quote[1]}`;
      else out.push({ kind: 'quote', text: quote[1]! });
      continue;
    }
    if (!row.trim()) flush();
    else para.push(row);
  }
  flush();
  return out;
}

/** Markdown as text elements: paragraphs, lists, quotes, headings, code, emphasis and http(s) links. */
export function Markdown({ source }: { source: string }) {
  return (
    <div style={{ overflowWrap: 'anywhere' }} data-testid="markdown">
      {blocks(source).map((b, i) => {
        const key = `b${i}`;
        switch (b.kind) {
          case 'p':
            return (
              <Text key={key} size="sm" mb={4}>
                {lines(b.text, key)}
              </Text>
            );
          case 'heading':
            return (
              <Text key={key} size="sm" fw={700} mb={4}>
                {inline(b.text, key)}
              </Text>
            );
          case 'quote':
            return (
              <Text key={key} size="sm" c="dimmed" mb={4} pl="sm" style={{ borderLeft: '3px solid var(--mantine-color-default-border)' }}>
                {lines(b.text, key)}
              </Text>
            );
          case 'code':
            return (
              <Code key={key} block mb={4}>
                {b.text}
              </Code>
            );
          case 'ul':
          case 'ol':
            return (
              <List key={key} type={b.kind === 'ol' ? 'ordered' : 'unordered'} size="sm" mb={4}>
                {b.items.map((item, j) => (
                  <List.Item key={`${key}-${j}`}>{inline(item, `${key}-${j}`)}</List.Item>
                ))}
              </List>
            );
        }
      })}
    </div>
  );
}
