import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { parseDelimited } from '../../shared/src/data/csv.js';

async function parse(text: string, chunkSize: number, delimiter = ',') {
  const bytes = Buffer.from(text);
  const chunks = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out = [];
  for await (const r of parseDelimited(Readable.from(chunks), delimiter)) out.push(r);
  return out;
}

describe('parseDelimited', () => {
  test.each([1, 2, 7, 1 << 16])('chunk size %i gives the same records', async (size) => {
    const text = 'a,b,c\r\n1,"x, y",3\n"multi\nline",2,"say ""hi"""\n\n4,,6';
    expect(await parse(text, size)).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', 'x, y', '3'], line: 2 },
      { fields: ['multi\nline', '2', 'say "hi"'], line: 3 },
      { fields: ['4', '', '6'], line: 6 },
    ]);
  });

  test('tab-separated, trailing empty field, no final newline', async () => {
    expect(await parse('a\tb\n1\t\n', 3, '\t')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1', ''], line: 2 },
    ]);
  });

  test('utf-8 split across chunks stays intact', async () => {
    expect((await parse('name\nCafé crème\n', 1))[1].fields).toEqual(['Café crème']);
  });
});
