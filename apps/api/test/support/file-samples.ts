import { crc32, deflateRawSync, deflateSync } from 'node:zlib';

// Small but well-formed files of each uploadable kind, built byte by byte, so
// tests need no binary fixtures and every byte's purpose is visible.

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.from(type, 'ascii');
  return Buffer.concat([u32be(data.length), head, data, u32be(crc32(Buffer.concat([head, data])))]);
}

/** A 1×1 RGB PNG. */
export function png(): Buffer {
  const ihdr = Buffer.concat([u32be(1), u32be(1), Buffer.from([8, 2, 0, 0, 0])]);
  const idat = deflateSync(Buffer.from([0, 0xff, 0x80, 0x00]));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A JFIF header and end marker: what every JPEG starts with. */
export function jpeg(): Buffer {
  const app0 = Buffer.concat([Buffer.from([0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0', 'ascii'), Buffer.from([1, 1, 0, 0, 1, 0, 1, 0, 0])]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, Buffer.from([0xff, 0xd9])]);
}

/** A 1×1 GIF89a; `trailer` lets a test append what a polyglot would hide after it. */
export function gif(trailer = ''): Buffer {
  return Buffer.concat([
    Buffer.from('GIF89a', 'ascii'),
    Buffer.from([1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]),
    Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b]),
    Buffer.from(trailer, 'utf8'),
  ]);
}

/** A RIFF/WEBP container with a lossless VP8L chunk header. */
export function webp(): Buffer {
  const vp8l = Buffer.concat([Buffer.from('VP8L', 'ascii'), u32(5), Buffer.from([0x2f, 0, 0, 0, 0]), Buffer.from([0])]);
  const body = Buffer.concat([Buffer.from('WEBP', 'ascii'), vp8l]);
  return Buffer.concat([Buffer.from('RIFF', 'ascii'), u32(body.length), body]);
}

export function pdf(): Buffer {
  return Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
}

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  /** Deflate (method 8, what office suites write) or store (method 0). */
  store?: boolean;
}

/** A zip archive with local headers, a central directory and its end record. */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data, 'utf8');
    const packed = entry.store ? raw : deflateRawSync(raw);
    const name = Buffer.from(entry.name, 'utf8');
    const method = entry.store ? 0 : 8;
    const crc = crc32(raw);
    const common = Buffer.concat([u16(20), u16(0x0800), u16(method), u16(0), u16(0x21), u32(crc), u32(packed.length), u32(raw.length), u16(name.length), u16(0)]);
    const local = Buffer.concat([u32(0x04034b50), common, name, packed]);
    centrals.push(Buffer.concat([u32(0x02014b50), u16(20), common, u16(0), u16(0), u16(0), u32(0), u32(offset), name]));
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(directory.length), u32(offset), u16(0)]);
  return Buffer.concat([...locals, directory, end]);
}

const RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="MAIN"/></Relationships>`;

function contentTypes(part: string, mainType: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${part}" ContentType="${mainType}"/></Types>`;
}

const OOXML = {
  docx: { part: 'word/document.xml', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml' },
  xlsx: { part: 'xl/workbook.xml', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml' },
  pptx: { part: 'ppt/presentation.xml', type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml' },
} as const;

/**
 * An Office Open XML package. Word and LibreOffice write [Content_Types].xml
 * first; openpyxl (pandas' to_excel) writes it last, after the sheets, which
 * `contentTypesLast` and a large `filler` part reproduce.
 */
export function ooxml(kind: keyof typeof OOXML, { contentTypesLast = false, filler = 0 } = {}): Buffer {
  const { part, type } = OOXML[kind];
  const dir = part.split('/')[0]!;
  const types: ZipEntry = { name: '[Content_Types].xml', data: contentTypes(part, type) };
  const rest: ZipEntry[] = [
    { name: 'docProps/app.xml', data: '<Properties/>' },
    { name: `${dir}/big-part.xml`, data: pseudoRandomText(filler), store: true },
    { name: part, data: '<root/>' },
    { name: '_rels/.rels', data: RELS.replace('MAIN', part) },
  ];
  return zip(contentTypesLast ? [...rest, types] : [types, ...rest]);
}

/** An OpenDocument package: the uncompressed "mimetype" entry comes first, as the standard requires. */
export function opendocument(kind: 'odt' | 'ods'): Buffer {
  const mime = kind === 'odt' ? 'application/vnd.oasis.opendocument.text' : 'application/vnd.oasis.opendocument.spreadsheet';
  return zip([
    { name: 'mimetype', data: mime, store: true },
    { name: 'content.xml', data: '<office:document-content/>' },
    { name: 'META-INF/manifest.xml', data: '<manifest:manifest/>' },
  ]);
}

/** A plain zip of two text files. */
export function plainZip(): Buffer {
  return zip([
    { name: 'notes/readme.txt', data: 'hello' },
    { name: 'notes/todo.txt', data: 'world' },
  ]);
}

function pseudoRandomText(n: number): string {
  let x = 12345;
  let s = '';
  while (s.length < n) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += String.fromCharCode(97 + (x % 26));
  }
  return s;
}
