import { environment } from '../facts.ts';
import type { ConfigRule } from '../types.ts';

/** install.sh ignores names it does not know: `K3STOKEN` is not `K3S_TOKEN`. */
export const envNearMiss: ConfigRule = {
  name: 'env-near-miss',
  description: "an environment name close to one install.sh documents, which install.sh will not read",
  check(t) {
    return environment(t)
      .filter((e) => e.meant !== e.name)
      .map((e) => ({
        rule: 'env-near-miss',
        severity: 'error' as const,
        file: t.file,
        line: e.line,
        message: `${e.unit}: ${e.name} is not read by install.sh; it documents ${e.meant}`,
        fix: `rename ${e.name} to ${e.meant}`,
      }));
  },
};
