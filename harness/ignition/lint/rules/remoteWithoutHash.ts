import type { ConfigRule, Finding } from '../types.ts';

/** A remote file without verification.hash is whatever the server returns that day. */
export const remoteWithoutHash: ConfigRule = {
  name: 'remote-without-hash',
  description: 'a remote file with no verification hash (warning)',
  check(t) {
    return t.source.files.flatMap((f): Finding[] => {
      const source = f.contents?.source;
      if (!source || source.value.startsWith('data:') || f.contents?.hash) return [];
      return [
        {
          rule: 'remote-without-hash',
          severity: 'warning',
          file: t.file,
          line: source.loc.line,
          message: `${f.path.value} is fetched from ${source.value} with no verification hash`,
          fix: t.source.dialect === 'clc' ? 'add remote.verification.hash {function: sha512, sum: …}' : 'add verification: {hash: sha512-…}',
        },
      ];
    });
  },
};
