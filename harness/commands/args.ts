import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * parseArgs with the command's own one-line errors. A value that starts with a dash (`--timeout-scale
 * -1`) is taken as the option's value, so the check of the value says what is wrong with it
 * instead of parseArgs calling the option ambiguous.
 */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O) {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const help = `(see: lab ${command} --help)`;
    const opt = /'(-[^' ]+)/.exec(e.message ?? '')?.[1] ?? '';
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option '${opt}' ${help}`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const wantsValue = options[opt.replace(/^--?/, '')]?.type === 'string';
      throw new UsageError(wantsValue ? `${opt} needs a value ${help}` : `${opt} takes no value ${help}`);
    }
    throw new UsageError(`${(e.message ?? String(err)).split('\n')[0]} ${help}`);
  }
}
