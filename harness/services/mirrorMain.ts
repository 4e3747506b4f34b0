// Entry point of the mirror as a lab helper process: `node --import tsx mirrorMain.ts <config.json>`,
// started inside the lab namespace so it listens on the lab's server address and nowhere else.
import { readFileSync } from 'node:fs';
import { startMirror, type MirrorOptions } from './mirror.ts';

const configFile = process.argv[2];
if (!configFile) {
  console.error('usage: mirrorMain.ts <config.json>');
  process.exit(2);
}
const opts = JSON.parse(readFileSync(configFile, 'utf8')) as MirrorOptions;
const mirror = await startMirror(opts);
console.log(`ready ${mirror.url}`);

let closing = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    mirror.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
