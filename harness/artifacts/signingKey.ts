import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The lab's image signing key: made once, kept in the cache outside any recipe-hash directory. */
export interface SigningKey {
  dir: string;
  gnupgHome: string;
  /** ASCII-armoured public key: baked into the image for flatcar-install, and an output. */
  publicKey: string;
  fingerprint: string;
}

const uid = 'Flatcar lab OS image signing (lab stand-in) <lab-os@flatcar-k3s-lab.invalid>';

export async function ensureSigningKey(dir: string): Promise<SigningKey> {
  const key = keyAt(dir);
  if (existsSync(key.publicKey) && existsSync(join(dir, 'fingerprint'))) {
    return { ...key, fingerprint: readFileSync(join(dir, 'fingerprint'), 'utf8').trim() };
  }
  // Build it aside and rename, so an interrupted run never leaves half a key behind.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const home = join(tmp, 'gnupg');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  try {
    await gpg(home, ['--passphrase', '', '--pinentry-mode', 'loopback', '--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
    const { stdout: armored } = await gpg(home, ['--armor', '--export', uid]);
    writeFileSync(join(tmp, 'public.asc'), `${armored}\n`);
    const { stdout: colons } = await gpg(home, ['--with-colons', '--fingerprint', uid]);
    const fpr = colons.split('\n').find((l) => l.startsWith('fpr:'))?.split(':')[9];
    if (!fpr) throw new Error('gpg made a key but printed no fingerprint');
    writeFileSync(join(tmp, 'fingerprint'), `${fpr}\n`);
  } finally {
    await stopAgent(home);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { ...keyAt(dir), fingerprint: readFileSync(join(dir, 'fingerprint'), 'utf8').trim() };
}

/** A detached binary signature, as Flatcar publishes next to its images (`<file>.sig`). */
export async function signDetached(key: SigningKey, file: string): Promise<string> {
  const sig = `${file}.sig`;
  try {
    await gpg(key.gnupgHome, ['--yes', '--detach-sign', '--local-user', key.fingerprint, '--output', sig, file]);
  } finally {
    await stopAgent(key.gnupgHome);
  }
  return sig;
}

function keyAt(dir: string): Omit<SigningKey, 'fingerprint'> {
  return { dir, gnupgHome: join(dir, 'gnupg'), publicKey: join(dir, 'public.asc') };
}

function gpg(home: string, args: string[]) {
  return execa('gpg', ['--batch', '--quiet', '--no-tty', '--homedir', home, ...args]);
}

// gpg starts an agent for secret-key work; nothing a run starts may outlive it.
async function stopAgent(home: string): Promise<void> {
  await execa('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { reject: false });
}
