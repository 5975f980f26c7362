import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatedSource, openSource, sha256Of } from '../../../simulator/content.js';

async function drain(source: ReturnType<typeof generatedSource>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of openSource(source)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('seeded file content', () => {
  it('streams exactly sizeBytes bytes whose SHA-256 matches sha256Of', async () => {
    // Prepare
    const source = generatedSource('seed-1', 3 * 1024 * 1024 + 7);
    // Act
    const bytes = await drain(source);
    // Assess
    expect(bytes.length).toBe(3 * 1024 * 1024 + 7);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256Of(source));
  });

  it('is deterministic per seed and differs between seeds', async () => {
    // Act
    const [a, b, c] = await Promise.all([
      drain(generatedSource('x', 4096)),
      drain(generatedSource('x', 4096)),
      drain(generatedSource('y', 4096)),
    ]);
    // Assess
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('a prefix of a longer file equals the shorter file with the same seed', async () => {
    // Act
    const [short, long] = await Promise.all([drain(generatedSource('p', 1000)), drain(generatedSource('p', 2_000_000))]);
    // Assess
    expect(long.subarray(0, 1000).equals(short)).toBe(true);
  });
});
