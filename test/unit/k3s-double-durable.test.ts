import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDurably } from '../../images/k3s-double/src/durable.ts';

describe('K3s double: durable state files', () => {
  it('replaces a file whole through a synced temp file and leaves no temp behind', () => {
    const d = mkdtempSync(join(tmpdir(), 'durable-'));
    try {
      const f = join(d, 'token');
      writeFileSync(f, 'old\n');
      writeDurably(f, 'K10abc::server:secret\n', 0o600);
      expect(readFileSync(f, 'utf8')).toBe('K10abc::server:secret\n');
      expect(statSync(f).mode & 0o777).toBe(0o600);
      expect(readdirSync(d)).toEqual(['token']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
