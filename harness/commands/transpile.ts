/** `lab transpile [--strict] [--files-dir DIR] [FILE] < in.yaml > out.ign` — used exactly like `ct` or `butane`. */
import { readFileSync } from 'node:fs';
import { ConfigError, formatDiagnostic } from '../ignition/diagnostics.ts';
import { ignitionJson, transpile } from '../ignition/transpile.ts';
import type { LabCommand } from './types.ts';

const usage = 'usage: lab transpile [--strict] [--files-dir DIR] [FILE] (reads stdin without FILE; writes Ignition JSON to stdout)';

export const command: LabCommand = {
  name: 'transpile',
  summary: 'Butane (variant: flatcar) or ct YAML -> Ignition 3.x JSON, like ct < in.yaml > out.ign',
  async run(argv) {
    let strict = false;
    let filesDir: string | undefined;
    let file: string | undefined;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg === '--strict') strict = true;
      else if (arg === '--files-dir' || arg === '-d') filesDir = argv[++i];
      else if (arg === '--help' || arg === '-h') {
        console.log(usage);
        return 0;
      } else if (!arg.startsWith('-') && !file) file = arg;
      else {
        console.error(`lab transpile: unknown argument '${arg}'\n${usage}`);
        return 2;
      }
    }
    let text: string;
    try {
      text = readFileSync(file ?? 0, 'utf8');
    } catch (err) {
      console.error(`lab transpile: cannot read ${file ?? 'stdin'}: ${(err as Error).message}`);
      return 2;
    }
    try {
      const result = transpile(text, { file: file ?? 'stdin', filesDir });
      for (const w of result.warnings) console.error(formatDiagnostic(w));
      if (strict && result.warnings.length) {
        console.error(`lab transpile: ${result.warnings.length} warning(s) and --strict: no output`);
        return 1;
      }
      process.stdout.write(ignitionJson(result.ignition));
      return 0;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const d of err.diagnostics) console.error(formatDiagnostic(d));
      return 1;
    }
  },
};
