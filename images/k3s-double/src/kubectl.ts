/**
 * `k3s kubectl` (and `kubectl` through install.sh's link): the few commands a person or the lab uses to
 * look at nodes — get nodes/node [NAME] [-o wide|json|name], version, get --raw PATH.
 * Anything else says plainly that the double does not implement it.
 */
import { existsSync } from 'node:fs';
import { httpsRequest } from './https.ts';
import { readKubeconfig } from './kubeconfig.ts';
import { fatal } from './log.ts';
import { K3S_VERSION } from './version.ts';
import { age, nodeRoles, nodeStatus } from './nodeView.ts';

export { nodeRoles, nodeStatus };

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

export function formatNodes(nodes: any[], output: string | undefined): string {
  if (output === 'name') return nodes.map((n) => `node/${n.metadata.name}\n`).join('');
  const wide = output === 'wide';
  const head = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', ...(wide ? ['INTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION'] : [])];
  const rows = nodes.map((n) => [
    n.metadata.name,
    nodeStatus(n),
    nodeRoles(n),
    age(n.metadata.creationTimestamp),
    n.status?.nodeInfo?.kubeletVersion ?? '',
    ...(wide
      ? [
          n.status?.addresses?.find((a: any) => a.type === 'InternalIP')?.address ?? '<none>',
          n.status?.nodeInfo?.osImage ?? '',
          n.status?.nodeInfo?.kernelVersion ?? '',
        ]
      : []),
  ]);
  return table([head, ...rows]);
}

export async function runKubectl(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let kubeconfig = env.KUBECONFIG || (existsSync('/etc/rancher/k3s/k3s.yaml') ? '/etc/rancher/k3s/k3s.yaml' : '');
  let output: string | undefined;
  let raw: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.split(/=(.*)/s);
    const value = () => inline ?? argv[++i] ?? fatal(`flag needs an argument: ${flag}`);
    if (flag === '--kubeconfig') kubeconfig = value();
    else if (flag === '-o' || flag === '--output') output = value();
    else if (flag === '--raw') raw = value();
    else if (flag === '-n' || flag === '--namespace' || flag === '--request-timeout') value();
    else if (flag === '-A' || flag === '--all-namespaces') continue;
    else if (a.startsWith('-')) fatal(`lab double: kubectl flag ${a} is not implemented`);
    else words.push(a);
  }
  const [verb, kind, name] = words;
  if (verb === 'version' && output === undefined) {
    process.stdout.write(`Client Version: ${K3S_VERSION} (lab double)\n`);
  }
  if (!kubeconfig) fatal('no kubeconfig: set KUBECONFIG, pass --kubeconfig, or run where /etc/rancher/k3s/k3s.yaml exists');
  const kc = readKubeconfig(kubeconfig);
  const get = async (path: string) => {
    const r = await httpsRequest(`${kc.server}${path}`, { ca: kc.ca, cert: kc.cert, key: kc.key }).catch((e: Error) =>
      fatal(`The connection to the server ${new URL(kc.server).host} was refused - did you specify the right host or port? (${e.message})`),
    );
    if (r.status >= 400) {
      let msg = r.body.trim();
      try {
        msg = JSON.parse(r.body).message ?? msg;
      } catch {}
      fatal(`Error from server (${r.status}): ${msg}`);
    }
    return r.body;
  };

  if (verb === 'get' && raw) {
    process.stdout.write((await get(raw)).replace(/\n?$/, '\n'));
    return 0;
  }
  if (verb === 'version') {
    const v = JSON.parse(await get('/version'));
    if (output === 'json') process.stdout.write(JSON.stringify({ clientVersion: { gitVersion: K3S_VERSION }, serverVersion: v }, null, 2) + '\n');
    else process.stdout.write(`Server Version: ${v.gitVersion}\n`);
    return 0;
  }
  if (verb === 'get' && (kind === 'nodes' || kind === 'node' || kind === 'no')) {
    if (name) {
      const node = JSON.parse(await get(`/api/v1/nodes/${encodeURIComponent(name)}`));
      process.stdout.write(output === 'json' ? JSON.stringify(node, null, 2) + '\n' : formatNodes([node], output));
      return 0;
    }
    const list = JSON.parse(await get('/api/v1/nodes'));
    if (output === 'json') process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    else if (list.items.length === 0) process.stderr.write('No resources found\n');
    else process.stdout.write(formatNodes(list.items, output));
    return 0;
  }
  fatal(`lab double: "kubectl ${words.join(' ')}" is not implemented (supported: get nodes|node [NAME] [-o wide|json|name], get --raw PATH, version)`);
}
