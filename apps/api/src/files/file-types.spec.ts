import { fileTypeFromBuffer } from 'file-type';
import { gif, jpeg, ooxml, opendocument, pdf, plainZip, png, webp, zip } from '../../test/support/file-samples.js';
import { ALLOWED_TYPES, checkUpload, extensionOf, SNIFF_BYTES, sniffType } from './file-types.js';

const text = (s: string, encoding: BufferEncoding = 'utf8') => Buffer.from(s, encoding);

describe('sniffType', () => {
  it.each([
    ['pdf', pdf(), 'application/pdf'],
    ['png', png(), 'image/png'],
    ['jpeg', jpeg(), 'image/jpeg'],
    ['gif', gif(), 'image/gif'],
    ['webp', webp(), 'image/webp'],
    ['docx', ooxml('docx'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['xlsx', ooxml('xlsx'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['pptx', ooxml('pptx'), 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ['odt', opendocument('odt'), 'application/vnd.oasis.opendocument.text'],
    ['ods', opendocument('ods'), 'application/vnd.oasis.opendocument.spreadsheet'],
    ['zip', plainZip(), 'application/zip'],
    ['UTF-8 text', text('naïve café, 東京\r\n'), 'text/plain'],
    ['CSV with a BOM', text('\uFEFFname,amount\nAda,12\n'), 'text/plain'],
    ['Windows-1252 CSV', text('caf\u00e9;12\r\n', 'latin1'), 'text/plain'],
  ])('knows %s from its bytes', async (_name, bytes, mime) => {
    expect((await sniffType(bytes))?.mime).toBe(mime);
  });

  it('knows an xlsx whose [Content_Types].xml comes after the sniffed bytes (openpyxl, pandas)', async () => {
    const bytes = ooxml('xlsx', { contentTypesLast: true, filler: 2 * SNIFF_BYTES });
    const head = bytes.subarray(0, SNIFF_BYTES);
    // file-type alone sees only a zip here; the entries' folders tell the rest.
    expect((await fileTypeFromBuffer(head))?.mime).toBe('application/zip');
    expect((await sniffType(head))?.mime).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect((await sniffType(ooxml('docx', { contentTypesLast: true, filler: 2 * SNIFF_BYTES })))?.ext).toBe('docx');
  });

  it('does not take a zip with office-like folders but no package parts for Office', async () => {
    expect((await sniffType(zip([{ name: 'xl/readme.txt', data: 'x' }])))?.mime).toBe('application/zip');
    // Two families at once is no single format.
    const mixed = zip([
      { name: '_rels/.rels', data: 'x' },
      { name: 'xl/a.xml', data: 'x' },
      { name: 'word/b.xml', data: 'x' },
    ]);
    expect((await sniffType(mixed))?.mime).toBe('application/zip');
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><script>alert(1)</script>', 'text/html'],
    ['an HTML fragment after a BOM and blank lines', '\uFEFF\n\n  <script>alert(1)</script>', 'text/html'],
    ['an SVG image', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'image/svg+xml'],
    ['XML', '<?xml version="1.0"?><a/>', 'application/xml'],
  ])('sees markup in %s', async (_name, content, mime) => {
    expect((await sniffType(text(content)))?.mime).toBe(mime);
  });

  it('finds nothing in empty or binary bytes without a signature', async () => {
    expect(await sniffType(Buffer.alloc(0))).toBeUndefined();
    expect(await sniffType(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x10, 0x80]))).toBeUndefined();
    expect(await sniffType(text('almost text\u0000'))).toBeUndefined();
    expect(await sniffType(text('escape \u001b[31m red'))).toBeUndefined();
  });

  it('looks at the first SNIFF_BYTES only', async () => {
    const big = Buffer.concat([png(), Buffer.alloc(4 * 1024 * 1024, 0x41)]);
    expect((await sniffType(big))?.mime).toBe('image/png');
    const textThenBinary = Buffer.concat([Buffer.alloc(SNIFF_BYTES, 0x61), Buffer.from([0, 0, 0])]);
    expect((await sniffType(textThenBinary))?.mime).toBe('text/plain');
  });
});

describe('checkUpload', () => {
  it.each([
    ['report.pdf', pdf(), 'pdf'],
    ['photo.png', png(), 'png'],
    ['photo.jpg', jpeg(), 'jpeg'],
    ['photo.JPEG', jpeg(), 'jpeg'],
    ['anim.gif', gif(), 'gif'],
    ['image.webp', webp(), 'webp'],
    ['letter.docx', ooxml('docx'), 'docx'],
    ['budget.xlsx', ooxml('xlsx'), 'xlsx'],
    ['export.xlsx', ooxml('xlsx', { contentTypesLast: true, filler: 2 * SNIFF_BYTES }), 'xlsx'],
    ['deck.pptx', ooxml('pptx'), 'pptx'],
    ['letter.odt', opendocument('odt'), 'odt'],
    ['sheet.ods', opendocument('ods'), 'ods'],
    ['bundle.zip', plainZip(), 'zip'],
    ['contacts.csv', text('name,email\nAda,ada@example.com\n'), 'csv'],
    ['notes.txt', text('remember the milk'), 'text'],
    ['Notes.TXT', text('remember the milk'), 'text'],
  ])('accepts %s', async (name, bytes, kind) => {
    const result = await checkUpload(name, bytes);
    expect(result).toMatchObject({ ok: true, type: { kind } });
  });

  it('every allowed type is reachable from real bytes', async () => {
    const samples = [pdf(), png(), jpeg(), gif(), webp(), ooxml('docx'), ooxml('xlsx'), ooxml('pptx'), opendocument('odt'), opendocument('ods'), plainZip()];
    const mimes = new Set((await Promise.all(samples.map(sniffType))).map((s) => s?.mime));
    mimes.add('text/plain');
    mimes.add('text/csv');
    expect(ALLOWED_TYPES.map((t) => t.mime).filter((m) => !mimes.has(m))).toEqual([]);
  });

  it.each([
    ['a PDF named as an image', 'invoice.png', pdf()],
    ['an image named as a PDF', 'scan.pdf', png()],
    ['a spreadsheet named as a document', 'budget.docx', ooxml('xlsx')],
    ['a spreadsheet named as a plain zip', 'budget.zip', ooxml('xlsx')],
    ['a plain zip named as a spreadsheet', 'budget.xlsx', plainZip()],
    ['an odt named as docx', 'letter.docx', opendocument('odt')],
    ['a PDF with no extension', 'report', pdf()],
    ['a PDF behind a double extension', 'report.pdf.exe', pdf()],
    ['text named as a script', 'payload.js', text('alert(document.cookie)')],
    ['text named as HTML', 'page.html', text('just words')],
    ['text named as a PDF', 'fake.pdf', text('%NOT a pdf')],
  ])('refuses %s: the name must agree with the bytes', async (_case, name, bytes) => {
    expect(await checkUpload(name, bytes)).toMatchObject({ ok: false, reason: 'extension_mismatch' });
  });

  it.each([
    ['an HTML page named .txt', 'notes.txt', text('<html><body onload="alert(1)">')],
    ['an SVG named .png', 'logo.png', text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['an SVG named .csv', 'data.csv', text('<svg onload=alert(1)>')],
    ['XML named .txt', 'data.txt', text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')],
    ['a Windows program named .pdf', 'evil.exe.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('PE\0\0')])],
    ['an ELF binary', 'tool.txt', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['a gzip archive', 'backup.zip', Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
  ])('refuses %s: the type is not allowed', async (_case, name, bytes) => {
    const result = await checkUpload(name, bytes);
    expect(result).toMatchObject({ ok: false, reason: 'type_not_allowed' });
  });

  it('refuses bytes of no known type, and an empty file', async () => {
    expect(await checkUpload('data.bin', Buffer.from([0, 1, 2, 3, 250, 251, 252]))).toMatchObject({ ok: false, reason: 'unknown_type' });
    expect(await checkUpload('empty.txt', Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'unknown_type' });
  });

  it('explains a mismatch with the extensions the bytes allow', async () => {
    expect(await checkUpload('photo.gif', jpeg())).toMatchObject({ message: 'the file is image/jpeg, so its name must end in .jpg, .jpeg' });
  });

  it('accepts a GIF that carries script after its image data as the GIF it is (served as an image, never run)', async () => {
    expect(await checkUpload('cat.gif', gif('<script>alert(1)</script>'))).toMatchObject({ ok: true, type: { mime: 'image/gif' } });
  });
});

describe('extensionOf', () => {
  it('takes the last extension, lower-cased', () => {
    expect(extensionOf('a.tar.GZ')).toBe('gz');
    expect(extensionOf('noext')).toBeUndefined();
    expect(extensionOf('trailing.')).toBeUndefined();
    expect(extensionOf('.hidden')).toBe('hidden');
  });
});
