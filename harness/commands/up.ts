import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { Lab } from '../lab/lab.ts';
import { loadScenario, topologyOf } from '../scenario/model.ts';
import type { Topology } from '../scenario/topology.ts';
import { mirrorMounts, mirrorPaths } from '../services/mirrorLayout.ts';
import type { TftpTree } from '../services/tftpTree.ts';
import type { LabCommand } from './types.ts';

/**
 * pxelinux entries by the shared contract, for a lab brought up without a rendered run
 * directory: a node that PXE-boots gets the same kernel line it would in a real run.
 */
function contractTftpTree(topology: Topology): TftpTree {
  const base = `http://${topology.network.serverIp}:${topology.network.mirrorPort}`;
  const release = base + mirrorPaths.flatcarDir('current');
  return {
    entries: topology.nodes.map((n) => ({
      ip: n.ip,
      entry: {
        kernelUrl: `${release}/flatcar_production_pxe.vmlinuz`,
        initrdUrl: `${release}/flatcar_production_pxe_image.cpio.gz`,
        kernelArgs: [
          'flatcar.first_boot=1',
          `ignition.config.url=${base}${mirrorPaths.ignition(n.name, 'pxe')}`,
          'console=ttyS0,115200n8',
          'flatcar.autologin',
        ],
      },
    })),
  };
}

export const command: LabCommand = {
  name: 'up',
  summary: 'bring a scenario\'s lab network and services up to poke at (--services-only); Ctrl-C tears down',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'services-only': { type: 'boolean', default: false },
        rendered: { type: 'string' },
        'log-dir': { type: 'string' },
      },
    });
    const [name, ...extra] = positionals;
    if (!name || extra.length) throw new UsageError('usage: lab up <scenario> --services-only [--rendered <dir>] [--log-dir <dir>]');
    if (!values['services-only']) throw new UsageError('lab up only brings services up (--services-only); boot nodes with `lab scenario`');
    const scenario = await loadScenario(name);
    const topology = topologyOf(scenario);
    const rendered = values.rendered ? resolve(values.rendered) : undefined;
    if (rendered && !existsSync(join(rendered, 'tftp'))) throw new UsageError(`${rendered}: no tftp/ in it (write it with \`lab render ${name}\`)`);

    const lab = await Lab.up({
      topology,
      ...(rendered ? { tftpRoot: join(rendered, 'tftp') } : { tftpTree: contractTftpTree(topology) }),
      mirrorMounts: mirrorMounts({ renderedDir: rendered ? join(rendered, 'mirror') : undefined }),
      logDir: values['log-dir'] ? resolve(values['log-dir']) : undefined,
    });
    console.log(`lab ${lab.runId} up (${scenario.name}, mirror ${lab.mirrorUrl}); enter it with: ${lab.nsenterCommand} bash   — Ctrl-C tears it down`);
    // Lives until SIGINT/SIGTERM: the lab's own handler tears down and exits 130/143.
    await new Promise<never>(() => setInterval(() => {}, 1 << 30));
    return 0;
  },
};
