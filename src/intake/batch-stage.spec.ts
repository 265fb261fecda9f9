import { COPY_NULL, CopyWriter, STAGE_COLUMNS, STAGE_COPY, STAGE_PREPARE } from './batch-stage.js';

/** COPY text back into rows of fields (null for \N), as PostgreSQL's text format reads it. */
function readCopy(payload: Buffer): (string | null)[][] {
  const text = payload.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) =>
      line.split('\t').map((f) => (f === COPY_NULL ? null : f.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c))),
    );
}

describe('COPY text of a staged batch', () => {
  it('escapes backslash, tab and line breaks, and keeps every other character', () => {
    const w = new CopyWriter();
    const odd = 'a\\b\tc\nd\r\ne "q" \'s\' ，中文 𠀀 \u2028 NULL \\N';
    w.text(odd).nullable(null).nullable(undefined).nullable('').plain('2026-12-07T01:02:03.000Z').end();
    expect(readCopy(w.done())).toEqual([[odd, null, null, '', '2026-12-07T01:02:03.000Z']]);
  });

  it('writes arrays as literals PostgreSQL reads back element for element', () => {
    const w = new CopyWriter();
    w.textArray(['a,b', '{x}', 'say "hi"', 'back\\slash', 'NULL', ' ', '']).textArray([]).textArray(null).intArray([1, -2, 30]).intArray([]).end();
    const [row] = readCopy(w.done());
    expect(row).toEqual(['{"a,b","{x}","say \\"hi\\"","back\\\\slash","NULL"," ",""}', '{}', null, '{1,-2,30}', '{}']);
  });

  it('writes JSON with its backslashes kept, and JSON null or a missing value as NULL', () => {
    const w = new CopyWriter();
    const v = { text: 'line\nbreak\ttab "quote" \\ back', n: 0.1 + 0.2, list: [1, null] };
    w.json(v).json(null).json(undefined).jsonText('null').jsonText('{"a":"\\\\u0041"}').end();
    const [row] = readCopy(w.done());
    expect(JSON.parse(row[0] as string)).toEqual(v);
    expect(row.slice(1)).toEqual([null, null, null, '{"a":"\\\\u0041"}']);
  });

  it('writes numbers and booleans as JSON would have carried them', () => {
    const w = new CopyWriter();
    w.number(0.30000000000000004).number(1e-7).number(Number.NaN).number(null).bool(true).bool(false).bool(null).end();
    expect(readCopy(w.done())).toEqual([['0.30000000000000004', '1e-7', null, null, 't', 'f', null]]);
  });

  it('keeps field order across short and long fields, and grows past its first buffer', () => {
    const w = new CopyWriter(16);
    const long = '长'.repeat(5000);
    const rows: string[][] = [];
    for (let i = 0; i < 50; i++) {
      const row = [String(i), `s${i}`, i % 2 ? long : 'short', 'x'.repeat(300), 'end'];
      row.forEach((f) => w.text(f));
      w.end();
      rows.push(row);
    }
    expect(readCopy(w.done())).toEqual(rows);
  });

  it('refuses text with a lone surrogate, as the JSON batch was refused', () => {
    expect(() => new CopyWriter().text('a\ud800b')).toThrow(/lone UTF-16 surrogate/);
    expect(() => new CopyWriter().text('😀')).not.toThrow();
  });

  it('names each staging column once, in the COPY and in the table', () => {
    const names = STAGE_COLUMNS.map(([c]) => c);
    expect(new Set(names).size).toBe(names.length);
    for (const c of names) {
      expect(STAGE_COPY).toContain(c);
      expect(STAGE_PREPARE).toContain(c);
    }
  });
});
