/** Which k3s release the double stands for, and how it names itself (so no report mistakes it for k3s). */
export const K3S_VERSION = 'v1.32.4+k3s1';
export const DOUBLE_VERSION = '0.1.0';
export const KUBERNETES_VERSION = K3S_VERSION.replace(/\+.*/, '');

export function versionText(): string {
  return [
    `k3s version ${K3S_VERSION} (flatcar-k3s-lab double ${DOUBLE_VERSION})`,
    `lab double: the K3s double of flatcar-k3s-lab standing in for k3s ${K3S_VERSION}; not k3s`,
    `node version ${process.version}`,
  ].join('\n');
}
