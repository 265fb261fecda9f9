import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

// the zip reader exceljs itself ships, resolved from exceljs's location (the version it expects)
const requireFromExceljs = createRequire(createRequire(import.meta.url).resolve('exceljs'));
const unzipper = requireFromExceljs('unzipper') as { Parse(options: { forceStream: boolean }): NodeJS.ReadWriteStream & Readable };

/**
 * Whether a whole zip (an XLSX held in memory) inflates to at most `maxBytes`, found by inflating it once and
 * counting, stopping at the limit: a workbook loaded whole (exceljs `xlsx.load`) must be checked first, since a few
 * kilobytes can inflate to gigabytes. Throws what `fail` makes past the limit.
 */
export async function assertInflatesWithin(buf: Buffer, maxBytes: number, fail: (maxBytes: number) => Error): Promise<void> {
  const zip = unzipper.Parse({ forceStream: true });
  const source = Readable.from([buf]);
  source.pipe(zip);
  let total = 0;
  try {
    for await (const item of zip) {
      const entry = item as unknown as Readable;
      for await (const chunk of entry) {
        total += (chunk as Buffer).length;
        if (total > maxBytes) throw fail(maxBytes);
      }
    }
  } finally {
    source.destroy();
    zip.destroy();
  }
}
