/** Longest name kept, in UTF-8 bytes: file systems allow 255, and a download adds " (1)" and the like. */
export const MAX_NAME_BYTES = 200;

// Bidi overrides and isolates can make "invoice\u202Efdp.exe" read as "invoiceexe.pdf";
// zero-width and other format characters disguise names. Joiners inside emoji and
// scripts that need them (U+200C, U+200D) stay.
const FORMAT_CHARS = /(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\uFFF9-\uFFFB]/gu;
// Characters Windows refuses in names, and look-alikes of the path separators.
const FORBIDDEN = /[<>:"|?*\u2215\u2044\u29F5\u29F8\u29F9\uFE68\uFF0F\uFF3C]/g;
const RESERVED_WINDOWS = /^(con|prn|aux|nul|com[0-9\u00B9\u00B2\u00B3]|lpt[0-9\u00B9\u00B2\u00B3]|conin\$|conout\$)(\s*\.|\s*$)/i;
const EXTENSION = /\.[\p{L}\p{N}]{1,16}$/u;

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * A name that is safe to store, show and offer as a download name: the last
 * path segment only, no control, bidi or invisible characters, nothing
 * Windows refuses or treats as a device, at most MAX_NAME_BYTES, with its
 * extension kept when it has to be shortened. Never empty.
 */
export function sanitizeFileName(raw: string): string {
  // Lone surrogates go first, so NFC never sees broken text.
  let name = String(raw ?? '').replace(/\p{Cs}/gu, '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(FORMAT_CHARS, '').replace(FORBIDDEN, '_');
  name = name.replace(/\s+/gu, ' ');
  // Leading dots hide a file (".htaccess") and ".." is a path; Windows drops trailing dots and spaces.
  name = name.replace(/^[\s.]+/u, '').replace(/[\s.]+$/u, '');
  if (RESERVED_WINDOWS.test(name)) name = `_${name}`;
  if (name === '' || /^[_\s]*$/u.test(name)) name = 'file';
  return truncateKeepingExtension(name, MAX_NAME_BYTES);
}

function truncateKeepingExtension(name: string, maxBytes: number): string {
  if (utf8Length(name) <= maxBytes) return name;
  const ext = EXTENSION.exec(name)?.[0] ?? '';
  const stem = name.slice(0, name.length - ext.length);
  const budget = maxBytes - utf8Length(ext);
  let kept = '';
  // Whole graphemes only, so an accent or an emoji is never cut in half.
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(stem)) {
    if (utf8Length(kept + segment) > budget) break;
    kept += segment;
  }
  kept = kept.replace(/[\s.]+$/u, '');
  return (kept === '' ? 'file' : kept) + ext;
}

// Only raster images are shown in the browser: no browser runs them. Everything
// else (HTML, SVG, XML, scripts, and PDFs, whose viewers run scripts) is downloaded.
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * The Content-Disposition for serving a stored file (RFC 6266): `inline` only
 * for raster images, `attachment` for everything else. A non-ASCII name goes
 * in filename* (RFC 5987, UTF-8), with an ASCII look-alike in filename for
 * clients that do not read filename*.
 */
export function contentDispositionFor(name: string, mime: string): string {
  const safe = sanitizeFileName(name);
  const disposition = INLINE_TYPES.has(mime.split(';')[0]!.trim().toLowerCase()) ? 'inline' : 'attachment';
  const fallback = asciiFallback(safe);
  if (fallback === safe) return `${disposition}; filename="${fallback}"`;
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(safe)}`;
}

/**
 * Headers for a download response. nosniff keeps the browser to the type we
 * name; the sandbox CSP means that even a file the browser does render cannot
 * run script or reach the API with the user's cookies.
 */
export function downloadHeaders(name: string, mime: string, size?: number): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': mime,
    'content-disposition': contentDispositionFor(name, mime),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'private, no-store',
  };
  if (size !== undefined) headers['content-length'] = String(size);
  return headers;
}

/** Printable ASCII without the characters a quoted-string would need to escape. */
function asciiFallback(name: string): string {
  const plain = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7E]/g, '_')
    .replace(/["\\%]/g, '_');
  return plain.replace(/_+/g, '_');
}

/** RFC 5987 attr-char: encodeURIComponent leaves ' ( ) * unencoded, which the grammar does not allow. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
