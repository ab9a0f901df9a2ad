import fc from 'fast-check';
import { contentDispositionFor, downloadHeaders, MAX_NAME_BYTES, sanitizeFileName } from './file-names.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((g) => g.segment);

describe('sanitizeFileName', () => {
  it.each([
    ['keeps an ordinary name', 'Quarterly report 2026.pdf', 'Quarterly report 2026.pdf'],
    ['keeps letters of any script', 'Отчёт 東京 تقرير.docx', 'Отчёт 東京 تقرير.docx'],
    ['keeps an emoji with joiners whole', '👩‍💻 notes.txt', '👩‍💻 notes.txt'],
    ['composes to NFC', 'cafe\u0301.txt', 'café.txt'],
    ['takes the last part of a POSIX path', '../../etc/passwd', 'passwd'],
    ['takes the last part of a Windows path', 'C:\\Users\\ada\\Desktop\\plan.xlsx', 'plan.xlsx'],
    ['takes the last part of a mixed path', 'a/b\\c/d.txt', 'd.txt'],
    ['removes NUL and other controls', 'a\u0000b\u0007c\u007fd\u009be.txt', 'abcde.txt'],
    ['removes line breaks (no header injection)', 'a\r\nSet-Cookie: x=1.txt', 'aSet-Cookie_ x=1.txt'],
    ['removes a right-to-left override', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['removes bidi isolates and marks', '\u2067report\u2069\u200F\u061C.pdf', 'report.pdf'],
    ['removes zero-width characters', 'pa\u200Byp\u2060al\uFEFF.pdf', 'paypal.pdf'],
    ['removes private-use characters', 'a\uE000b.txt', 'ab.txt'],
    ['removes lone surrogates', 'a\uD800b\uDC00c.txt', 'abc.txt'],
    ['replaces characters Windows refuses', 'a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['replaces look-alikes of the path separators', 'x\u2215y\uFF0Fz\uFF3Cw.txt', 'x_y_z_w.txt'],
    ['collapses white space of any kind', 'a \t\u00A0\u3000  b.txt', 'a b.txt'],
    ['drops leading dots (hidden files, "..")', '.htaccess', 'htaccess'],
    ['drops trailing dots and spaces (Windows)', 'name. . ', 'name'],
    ['prefixes a reserved device name', 'CON', '_CON'],
    ['prefixes a reserved name with an extension', 'con.txt', '_con.txt'],
    ['prefixes a reserved name with spaces before its extension', 'nul .txt', '_nul .txt'],
    ['prefixes COM and LPT ports, superscripts too', 'LPT1.pdf', '_LPT1.pdf'],
    ['prefixes COM¹', 'com\u00B9.log', '_com\u00B9.log'],
    ['leaves names that only start like a device', 'CONTRACT.pdf', 'CONTRACT.pdf'],
    ['answers "file" for nothing', '', 'file'],
    ['answers "file" for a path with no name', 'folder/', 'file'],
    ['answers "file" for dots only', '..', 'file'],
    ['answers "file" for invisible characters only', '\u202E\u200B', 'file'],
    ['answers "file" for forbidden characters only', '???', 'file'],
  ])('%s', (_case, input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it('caps a long name at MAX_NAME_BYTES and keeps its extension', () => {
    const out = sanitizeFileName(`${'a'.repeat(500)}.pdf`);
    expect(bytes(out)).toBe(MAX_NAME_BYTES);
    expect(out.endsWith('.pdf')).toBe(true);
  });

  it('cuts multi-byte names on whole characters, never half of one', () => {
    for (const unit of ['é', '東', '😀', 'q\u0301', '👨‍👩‍👧']) {
      const stem = unit.repeat(200);
      const out = sanitizeFileName(`${stem}.docx`);
      expect(bytes(out)).toBeLessThanOrEqual(MAX_NAME_BYTES);
      expect(out.endsWith('.docx')).toBe(true);
      const kept = out.slice(0, -'.docx'.length);
      expect(kept.length).toBeGreaterThan(0);
      // Only whole copies of the unit remain.
      expect(graphemes(kept).every((g) => g === unit.normalize('NFC'))).toBe(true);
    }
  });

  it('does not take a long tail after the last dot for an extension', () => {
    const out = sanitizeFileName(`a.${'b'.repeat(300)}`);
    expect(bytes(out)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(out.startsWith('a.b')).toBe(true);
  });

  it('always gives a short, visible, single-segment name, and a second pass changes nothing', () => {
    const nasty = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.string({ unit: fc.constantFrom('.', '/', '\\', ' ', '\u202E', '\u200B', 'a', 'é', '😀', 'C', 'O', 'N', ':', '\u0000', '\n'), maxLength: 60 }),
    );
    fc.assert(
      fc.property(nasty, (input) => {
        const out = sanitizeFileName(input);
        expect(out.length).toBeGreaterThan(0);
        expect(bytes(out)).toBeLessThanOrEqual(MAX_NAME_BYTES);
        expect(out).not.toMatch(/[/\\<>:"|?*]/);
        expect(out).not.toMatch(/[\p{Cc}\u202A-\u202E\u2066-\u2069\u200B\u200E\u200F\uFEFF]/u);
        expect(out).not.toMatch(/^[.\s]|[.\s]$/u);
        expect(out).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\s*\.|$)/i);
        expect(sanitizeFileName(out)).toBe(out);
      }),
      { numRuns: 2_000 },
    );
  });
});

/** The name a client reads from the header: filename* when present (RFC 6266 §4.3), else filename. */
function nameFrom(header: string): string {
  const star = /filename\*=UTF-8''([^;]+)/.exec(header);
  if (star) return decodeURIComponent(star[1]!);
  return /filename="([^"]*)"/.exec(header)![1]!;
}

describe('contentDispositionFor', () => {
  it('quotes a plain ASCII name as is', () => {
    expect(contentDispositionFor('report.pdf', 'application/pdf')).toBe('attachment; filename="report.pdf"');
  });

  it.each(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'IMAGE/PNG; foo=bar'])('shows %s inline', (mime) => {
    expect(contentDispositionFor('a.png', mime)).toMatch(/^inline; /);
  });

  it.each([
    'text/html',
    'application/xhtml+xml',
    'image/svg+xml',
    'application/xml',
    'text/xml',
    'text/javascript',
    'application/javascript',
    'application/pdf',
    'text/plain',
    'text/csv',
    'application/zip',
    'application/octet-stream',
    'multipart/x-mixed-replace',
    '',
  ])('downloads %j as an attachment', (mime) => {
    expect(contentDispositionFor('x.bin', mime)).toMatch(/^attachment; /);
  });

  it('encodes a non-ASCII name per RFC 5987, with an ASCII fallback', () => {
    const header = contentDispositionFor('Résumé – final.pdf', 'application/pdf');
    expect(header).toBe(`attachment; filename="Resume _ final.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20final.pdf`);
    expect(nameFrom(header)).toBe('Résumé – final.pdf');
  });

  it("percent-encodes ' ( ) * in filename*, which encodeURIComponent would leave", () => {
    const header = contentDispositionFor("l'été (1).txt", 'text/plain');
    expect(header).toContain(`filename*=UTF-8''l%27%C3%A9t%C3%A9%20%281%29.txt`);
    expect(nameFrom(header)).toBe("l'été (1).txt");
  });

  it('sanitizes the name first, so nothing can break out of the header', () => {
    for (const evil of ['a"; filename="evil.html', 'x\r\nContent-Type: text/html\r\n\r\n<script>', '..\\..\\boot.ini', 'say "hi"\\.txt', '%22%0d%0a.txt']) {
      const header = contentDispositionFor(evil, 'application/octet-stream');
      expect(header).not.toMatch(/[\r\n]/);
      expect(header).toMatch(/^attachment; filename="[\x20\x21\x23-\x5b\x5d-\x7e]*"(; filename\*=UTF-8''[A-Za-z0-9!#$&+.^_`|~%-]+)?$/);
      expect(nameFrom(header)).toBe(sanitizeFileName(evil));
    }
  });

  it('gives the name the same way for any input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (input) => {
        const header = contentDispositionFor(input, 'application/pdf');
        expect(header).toMatch(/^attachment; filename="[\x20\x21\x23-\x5b\x5d-\x7e]*"(; filename\*=UTF-8''[A-Za-z0-9!#$&+.^_`|~%-]+)?$/);
        expect(nameFrom(header)).toBe(sanitizeFileName(input));
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('downloadHeaders', () => {
  it('names the type, forbids sniffing and sandboxes whatever the browser renders', () => {
    expect(downloadHeaders('cat.gif', 'image/gif', 42)).toEqual({
      'content-type': 'image/gif',
      'content-disposition': 'inline; filename="cat.gif"',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'private, no-store',
      'content-length': '42',
    });
    expect(downloadHeaders('page.html', 'text/html')['content-disposition']).toBe('attachment; filename="page.html"');
  });
});
