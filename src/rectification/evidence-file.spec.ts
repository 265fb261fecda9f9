import { attachmentHeader, cleanFileName, sniffEvidence } from './evidence-file.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n', 'latin1');
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
const zip = (...names: string[]) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(names.join('\0'))]);

describe('evidence files: type by content, names, download header', () => {
  it('takes images, PDF and office documents whose bytes match their name', () => {
    expect(sniffEvidence(PNG, '照片.PNG')).toEqual({ kind: 'png', contentType: 'image/png' });
    expect(sniffEvidence(JPEG, 'a.jpeg')?.kind).toBe('jpeg');
    expect(sniffEvidence(JPEG, 'a.jpg')?.kind).toBe('jpeg');
    expect(sniffEvidence(PDF, '整改报告.pdf')?.contentType).toBe('application/pdf');
    expect(sniffEvidence(zip('[Content_Types].xml', 'word/document.xml'), '方案.docx')?.kind).toBe('docx');
    expect(sniffEvidence(zip('[Content_Types].xml', 'xl/workbook.xml'), '台账.xlsx')?.kind).toBe('xlsx');
    expect(sniffEvidence(OLE, '旧文档.doc')?.contentType).toBe('application/msword');
    expect(sniffEvidence(OLE, '旧表格.xls')?.kind).toBe('xls');
  });

  it('refuses what the bytes do not confirm', () => {
    expect(sniffEvidence(Buffer.from('<html><script>alert(1)</script>'), 'x.png')).toBeNull();
    expect(sniffEvidence(PNG, 'x.html')).toBeNull(); // a PNG under another name
    expect(sniffEvidence(PNG, 'x.pdf')).toBeNull();
    expect(sniffEvidence(PNG, 'noextension')).toBeNull();
    expect(sniffEvidence(zip('evil.exe'), 'x.docx')).toBeNull(); // a zip that is not a document
    expect(sniffEvidence(zip('[Content_Types].xml', 'xl/workbook.xml'), 'x.docx')).toBeNull();
    expect(sniffEvidence(OLE, 'x.msi')).toBeNull();
    expect(sniffEvidence(Buffer.from('MZ\x90\x00'), 'x.exe')).toBeNull();
    expect(sniffEvidence(Buffer.alloc(0), 'x.png')).toBeNull();
  });

  it('keeps a clean name: no folders, no control or direction characters, at most 120 characters', () => {
    expect(cleanFileName('C:\\Users\\张三\\整改照片.png')).toBe('整改照片.png');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('a\u202egnp.exe')).toBe('agnp.exe');
    expect(cleanFileName('  ')).toBe('佐证材料.bin');
    const long = cleanFileName(`${'长'.repeat(300)}.pdf`);
    expect(Array.from(long)).toHaveLength(120);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  it('always downloads as an attachment, with an ASCII fallback and the UTF-8 name', () => {
    expect(attachmentHeader('整改 照片(1).png')).toBe(`attachment; filename="1.png"; filename*=UTF-8''%E6%95%B4%E6%94%B9%20%E7%85%A7%E7%89%87%281%29.png`);
    expect(attachmentHeader('照片.png')).toBe(`attachment; filename="evidence.png"; filename*=UTF-8''%E7%85%A7%E7%89%87.png`);
    expect(attachmentHeader('report "x".pdf')).toBe(`attachment; filename="report__x.pdf"; filename*=UTF-8''report%20%22x%22.pdf`);
  });
});
