import { inflateSync } from 'node:zlib';

// WinAnsi codes outside Latin-1 that a statement may use; the rest read as Latin-1.
const WIN_ANSI: Record<number, string> = { 0x80: '€', 0x85: '…', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x96: '–', 0x97: '—' };

const decodeHex = (hex: string) =>
  (hex.match(/../g) ?? []).map((h) => parseInt(h, 16)).map((c) => WIN_ANSI[c] ?? String.fromCharCode(c)).join('');

/**
 * The text runs of a PDF written with pdfkit's standard fonts, in the order
 * drawn: its content streams inflated, each `TJ` array's hex strings joined
 * (the numbers between them are kerning, not spaces). Enough to read back what
 * our own documents say; not a general PDF reader.
 */
export function pdfTextRuns(pdf: Buffer): { runs: string[]; pages: number } {
  const text = pdf.toString('latin1');
  const runs: string[] = [];
  const at = /stream\r?\n/g;
  for (let m = at.exec(text); m; m = at.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue; // Not a deflated content stream (a font, say).
    }
    for (const tj of content.matchAll(/\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ/g)) {
      runs.push([...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => decodeHex(h[1]!)).join(''));
    }
  }
  return { runs, pages: (text.match(/\/Type \/Page\b/g) ?? []).length };
}
