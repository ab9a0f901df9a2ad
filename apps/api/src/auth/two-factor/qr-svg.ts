import { encode } from 'uqr';

// The quiet zone the QR standard asks for around the symbol; scanners struggle without it.
const QUIET_ZONE = 4;

/**
 * `text` as a QR code in SVG, for the dashboard to show inline. Built from the module matrix alone:
 * the markup holds only fixed text and numbers, so nothing from `text` (or anyone's input) is in it.
 */
export function qrSvg(text: string): string {
  // Medium error correction: survives a glare or a smudge on a screen photo, and keeps the symbol small.
  const { data, size } = encode(text, { ecc: 'M', border: 0 });
  const side = size + 2 * QUIET_ZONE;
  let dark = '';
  for (let y = 0; y < size; y++) {
    const row = data[y]!;
    // One rectangle per horizontal run of dark modules keeps the path a few KB.
    for (let x = 0; x < size; ) {
      if (!row[x]) {
        x++;
        continue;
      }
      let end = x;
      while (end < size && row[end]) end++;
      dark += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h${end - x}v1h-${end - x}z`;
      x = end;
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges" role="img" aria-label="QR code">` +
    `<path fill="#fff" d="M0 0h${side}v${side}h-${side}z"/>` +
    `<path fill="#000" d="${dark}"/>` +
    `</svg>`
  );
}
