/**
 * The K3s double's entry: one executable standing in for k3s (see images/k3s-double/README.md).
 * Multi-call like k3s: the name it runs under (kubectl, crictl, ctr links) picks the tool.
 */
import { basename } from 'node:path';
import { flagSets, parseFlags } from './args.ts';
import { runAgent } from './agent.ts';
import { runKubectl } from './kubectl.ts';
import { FatalError, log, scrub } from './log.ts';
import { runServer } from './server/run.ts';
import { versionText, K3S_VERSION } from './version.ts';

const USAGE = `NAME:
   k3s - Kubernetes, but small and simple (flatcar-k3s-lab double standing in for ${K3S_VERSION})

USAGE:
   k3s [global options] command [command options] [arguments...]

COMMANDS:
   server   Run management server
   agent    Run node agent
   kubectl  Run kubectl (get nodes, version, get --raw)
   crictl   Not implemented by the lab double
   ctr      Not implemented by the lab double

GLOBAL OPTIONS:
   --version, -v  print the version
`;

function notImplemented(tool: string, argv: string[]): number {
  if (argv[0] === '--version' || argv[0] === 'version' || argv[0] === '-v') {
    process.stdout.write(`${tool} version ${K3S_VERSION} (flatcar-k3s-lab double: ${tool} is not implemented)\n`);
    return 0;
  }
  process.stderr.write(`${tool}: the flatcar-k3s-lab K3s double runs no containers; "${tool} ${argv.join(' ')}" is not implemented\n`);
  return 1;
}

async function main(argv: string[], invokedAs: string): Promise<number> {
  if (invokedAs === 'kubectl') return runKubectl(argv);
  if (invokedAs === 'crictl' || invokedAs === 'ctr') return notImplemented(invokedAs, argv);

  const [cmd, ...rest] = argv;
  if ((cmd === 'server' || cmd === 'agent') && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`k3s ${cmd} (lab double): flags as k3s ${K3S_VERSION}; see images/k3s-double/README.md in flatcar-k3s-lab\n`);
    return 0;
  }
  switch (cmd) {
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(versionText() + '\n');
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 1 : 0;
    case 'server':
      await runServer(parseFlags(rest, flagSets.server), rest);
      return -1; // keeps running
    case 'agent':
      await runAgent(parseFlags(rest, flagSets.agent), rest);
      return -1;
    case 'kubectl':
      return runKubectl(rest);
    case 'crictl':
    case 'ctr':
      return notImplemented(cmd, rest);
    default:
      process.stderr.write(`Incorrect Usage. No command "${cmd}" in the lab double\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2), basename(process.argv[1] ?? 'k3s')).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof FatalError) log('fatal', err.message);
    else log('fatal', scrub(err instanceof Error ? (err.stack ?? err.message) : String(err)));
    process.exit(1);
  },
);
