import { fileTypeFromBuffer } from 'file-type';

/** How many leading bytes of an upload to hold back and sniff before streaming the rest to storage. */
export const SNIFF_BYTES = 64 * 1024;

export interface AllowedType {
  /** Stable name, stored with the file. */
  kind: string;
  mime: string;
  /** Lower-case extensions a name of this type may end with. */
  extensions: readonly string[];
}

const type = (kind: string, mime: string, ...extensions: string[]): AllowedType => ({ kind, mime, extensions });

/** What may be uploaded: documents, spreadsheets, images and archives people hand work over in. */
export const ALLOWED_TYPES: readonly AllowedType[] = [
  type('pdf', 'application/pdf', 'pdf'),
  type('png', 'image/png', 'png'),
  type('jpeg', 'image/jpeg', 'jpg', 'jpeg'),
  type('gif', 'image/gif', 'gif'),
  type('webp', 'image/webp', 'webp'),
  type('csv', 'text/csv', 'csv'),
  type('text', 'text/plain', 'txt'),
  type('docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'),
  type('xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'),
  type('pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'),
  type('odt', 'application/vnd.oasis.opendocument.text', 'odt'),
  type('ods', 'application/vnd.oasis.opendocument.spreadsheet', 'ods'),
  type('zip', 'application/zip', 'zip'),
];

/** A sniffed type: what the bytes are, whatever the name says. */
export interface Sniffed {
  ext: string;
  mime: string;
}

const TEXT: Sniffed = { ext: 'txt', mime: 'text/plain' };

/**
 * What the leading bytes of a file are, from their magic numbers (file-type),
 * or plain text when no binary signature matches and the bytes hold no
 * control characters; undefined when neither.
 */
export async function sniffType(firstBytes: Uint8Array): Promise<Sniffed | undefined> {
  const bytes = firstBytes.subarray(0, SNIFF_BYTES);
  if (bytes.length === 0) return undefined;
  const found = await fileTypeFromBuffer(bytes);
  if (found) {
    if (found.mime === 'application/zip') return officeFromZipEntries(bytes) ?? { ext: found.ext, mime: found.mime };
    return { ext: found.ext, mime: found.mime };
  }
  if (!looksLikeText(bytes)) return undefined;
  return markupIn(bytes) ?? TEXT;
}

export type UploadCheck =
  | { ok: true; type: AllowedType; sniffed: Sniffed }
  | { ok: false; reason: 'unknown_type' | 'type_not_allowed' | 'extension_mismatch'; sniffed?: Sniffed; message: string };

/**
 * The upload rule: the bytes must be a type on the allow-list, and the name's
 * extension must be one of that type's, so a file always opens as what it is
 * (a PDF named report.png, or an HTML page named notes.txt, is refused).
 * Pass the sanitized name.
 */
export async function checkUpload(fileName: string, firstBytes: Uint8Array): Promise<UploadCheck> {
  const sniffed = await sniffType(firstBytes);
  if (!sniffed) return { ok: false, reason: 'unknown_type', message: 'the file is not of a type that can be uploaded' };
  const ext = extensionOf(fileName);
  // Text has no signature, so its extension says which text it is.
  const candidates = sniffed.mime === TEXT.mime ? ALLOWED_TYPES.filter((t) => t.mime.startsWith('text/')) : ALLOWED_TYPES.filter((t) => t.mime === sniffed.mime);
  if (candidates.length === 0) {
    return { ok: false, reason: 'type_not_allowed', sniffed, message: `${sniffed.mime} files cannot be uploaded` };
  }
  const match = candidates.find((t) => ext !== undefined && t.extensions.includes(ext));
  if (!match) {
    const expected = candidates.flatMap((t) => t.extensions.map((e) => `.${e}`)).join(', ');
    return { ok: false, reason: 'extension_mismatch', sniffed, message: `the file is ${sniffed.mime}, so its name must end in ${expected}` };
  }
  return { ok: true, type: match, sniffed };
}

export function extensionOf(fileName: string): string | undefined {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(fileName);
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * Text: no NUL and no C0 control other than tab, line feed, form feed and
 * carriage return (DEL included). UTF-8 and the 8-bit code pages
 * spreadsheets export CSV in both pass; binary formats practically never do.
 */
function looksLikeText(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) return false;
    if (b === 0x7f) return false;
  }
  return true;
}

const MARKUP: [RegExp, Sniffed][] = [
  [/^<(?:!doctype\s+html|html|head|body|script|iframe|object|embed|meta|link|style)[\s>/]/i, { ext: 'html', mime: 'text/html' }],
  [/^<svg[\s>/]/i, { ext: 'svg', mime: 'image/svg+xml' }],
  [/^<\?xml[\s?]/i, { ext: 'xml', mime: 'application/xml' }],
];

/** Text that a browser would render as a page or run as an image is markup, whatever its name says. */
function markupIn(bytes: Uint8Array): Sniffed | undefined {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return MARKUP.find(([pattern]) => pattern.test(head))?.[1];
}

const OFFICE_DIRS: [string, Sniffed][] = [
  ['word/', { ext: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }],
  ['xl/', { ext: 'xlsx', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
  ['ppt/', { ext: 'pptx', mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' }],
];

/**
 * file-type recognises Office files by [Content_Types].xml, which some writers
 * (openpyxl, so pandas' to_excel) put last, past any sniffed prefix. The local
 * headers of the first entries still name the package's folders: one family
 * of them (and no other) together with an OOXML part is taken as that format.
 */
function officeFromZipEntries(bytes: Uint8Array): Sniffed | undefined {
  const names = zipEntryNames(bytes);
  const isPackage = names.some((n) => n === '[Content_Types].xml' || n.startsWith('_rels/') || n.startsWith('docProps/'));
  if (!isPackage) return undefined;
  const families = OFFICE_DIRS.filter(([dir]) => names.some((n) => n.startsWith(dir)));
  return families.length === 1 ? families[0]![1] : undefined;
}

/** Entry names from the local file headers that lie wholly within the bytes. */
function zipEntryNames(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names: string[] = [];
  let at = 0;
  while (at + 30 <= bytes.length && view.getUint32(at, true) === 0x04034b50 && names.length < 1000) {
    const flags = view.getUint16(at + 6, true);
    const compressedSize = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const extraLength = view.getUint16(at + 28, true);
    if (at + 30 + nameLength > bytes.length) break;
    names.push(Buffer.from(bytes.subarray(at + 30, at + 30 + nameLength)).toString('utf8'));
    // A streamed entry (bit 3) gives its size only after the data: the walk cannot go on.
    if (flags & 0x08) break;
    at += 30 + nameLength + extraLength + compressedSize;
  }
  return names;
}
