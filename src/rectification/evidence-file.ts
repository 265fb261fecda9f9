import { stripControl } from '../web/html.js';

/** One evidence file at most this large (整改佐证: a photo, a scan, a document). */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
/** Files one problem may hold: evidence, not an archive. */
export const MAX_EVIDENCE_FILES = 20;

export interface EvidenceType {
  /** what the file is, by its bytes */
  kind: 'png' | 'jpeg' | 'gif' | 'webp' | 'pdf' | 'docx' | 'xlsx' | 'pptx' | 'doc' | 'xls' | 'ppt';
  /** the type it is served with, from its bytes, never from what the uploader said */
  contentType: string;
}

const TYPES: Record<EvidenceType['kind'], { contentType: string; ext: string[] }> = {
  png: { contentType: 'image/png', ext: ['png'] },
  jpeg: { contentType: 'image/jpeg', ext: ['jpg', 'jpeg'] },
  gif: { contentType: 'image/gif', ext: ['gif'] },
  webp: { contentType: 'image/webp', ext: ['webp'] },
  pdf: { contentType: 'application/pdf', ext: ['pdf'] },
  docx: { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: ['docx'] },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: ['xlsx'] },
  pptx: { contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ext: ['pptx'] },
  doc: { contentType: 'application/msword', ext: ['doc'] },
  xls: { contentType: 'application/vnd.ms-excel', ext: ['xls'] },
  ppt: { contentType: 'application/vnd.ms-powerpoint', ext: ['ppt'] },
};

const starts = (b: Buffer, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * What an uploaded file is, by its first bytes (magic numbers), and only when its name's extension says the same:
 * a script named .png or a PNG named .html is refused. Office Open XML files are zip archives; they count as
 * documents only when they hold the parts of one ([Content_Types].xml and word/, xl/ or ppt/). The old binary
 * Office formats share one container (OLE2), so there the extension picks which of the three it is.
 */
export function sniffEvidence(buf: Buffer, name: string): EvidenceType | null {
  const ext = extensionOf(name);
  let kind: EvidenceType['kind'] | null = null;
  if (starts(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) kind = 'png';
  else if (starts(buf, [0xff, 0xd8, 0xff])) kind = 'jpeg';
  else if (starts(buf, ascii('GIF87a')) || starts(buf, ascii('GIF89a'))) kind = 'gif';
  else if (starts(buf, ascii('RIFF')) && starts(buf, ascii('WEBP'), 8)) kind = 'webp';
  else if (starts(buf, ascii('%PDF-'))) kind = 'pdf';
  else if (starts(buf, [0x50, 0x4b, 0x03, 0x04]) && buf.includes('[Content_Types].xml')) {
    if (ext === 'docx' && buf.includes('word/')) kind = 'docx';
    else if (ext === 'xlsx' && buf.includes('xl/')) kind = 'xlsx';
    else if (ext === 'pptx' && buf.includes('ppt/')) kind = 'pptx';
  } else if (starts(buf, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) && (ext === 'doc' || ext === 'xls' || ext === 'ppt')) kind = ext;
  if (!kind || !TYPES[kind].ext.includes(ext)) return null;
  return { kind, contentType: TYPES[kind].contentType };
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * A file name fit to keep and show: no folders, no control or direction-changing characters, at most 120 characters
 * (the extension kept); an empty one becomes 佐证材料.<ext>.
 */
export function cleanFileName(raw: string, fallbackExt = 'bin'): string {
  const base = stripControl(raw.replace(/^.*[/\\]/, '')).replace(/[\r\n\t]/g, ' ').trim();
  const chars = Array.from(base);
  if (!chars.length || base === '.' || base === '..') return `佐证材料.${fallbackExt}`;
  if (chars.length <= 120) return base;
  const ext = extensionOf(base);
  const keep = ext && ext.length <= 10 ? `.${ext}` : '';
  return `${chars.slice(0, 120 - keep.length).join('')}${keep}`;
}

/** Content-Disposition for a download: always an attachment; an ASCII name for old clients and the UTF-8 one. */
export function attachmentHeader(name: string): string {
  const ext = /\.[A-Za-z0-9]{1,10}$/.exec(name)?.[0] ?? '';
  const base = name.slice(0, name.length - ext.length).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[_.]+|_+$/g, '');
  const fallback = `${/[A-Za-z0-9]/.test(base) ? base : 'evidence'}${ext}`;
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
