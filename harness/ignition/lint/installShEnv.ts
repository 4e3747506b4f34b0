/**
 * The environment install.sh documents (its header comment and docs.k3s.io's "Environment Variables"
 * page), and what install.sh passes on to k3s (`K3S_*`). Used to catch near-miss names that
 * install.sh silently ignores, like the seed's K3STOKEN and INSTALLK3S_EXEC.
 */
export const installShVariables: readonly string[] = [
  'INSTALL_K3S_SKIP_DOWNLOAD',
  'INSTALL_K3S_FORCE_RESTART',
  'INSTALL_K3S_SYMLINK',
  'INSTALL_K3S_SKIP_ENABLE',
  'INSTALL_K3S_SKIP_START',
  'INSTALL_K3S_VERSION',
  'INSTALL_K3S_COMMIT',
  'INSTALL_K3S_PR',
  'INSTALL_K3S_BIN_DIR',
  'INSTALL_K3S_BIN_DIR_READ_ONLY',
  'INSTALL_K3S_SYSTEMD_DIR',
  'INSTALL_K3S_EXEC',
  'INSTALL_K3S_NAME',
  'INSTALL_K3S_TYPE',
  'INSTALL_K3S_SELINUX_WARN',
  'INSTALL_K3S_SKIP_SELINUX_RPM',
  'INSTALL_K3S_CHANNEL_URL',
  'INSTALL_K3S_CHANNEL',
  'INSTALL_K3S_MIRROR',
  'GITHUB_URL',
  'GITHUB_TOKEN',
  'UNINSTALL_K3S_SH',
  'KILLALL_K3S_SH',
];

/** K3S_* variables the k3s docs name for install.sh / k3s itself. */
export const k3sVariables: readonly string[] = [
  'K3S_URL',
  'K3S_TOKEN',
  'K3S_TOKEN_FILE',
  'K3S_AGENT_TOKEN',
  'K3S_AGENT_TOKEN_FILE',
  'K3S_CONFIG_FILE',
  'K3S_NODE_NAME',
  'K3S_KUBECONFIG_OUTPUT',
  'K3S_KUBECONFIG_MODE',
  'K3S_DATASTORE_ENDPOINT',
  'K3S_RESOLV_CONF',
  'K3S_CLUSTER_INIT',
  'K3S_SELINUX',
];

export const documentedVariables: readonly string[] = [...installShVariables, ...k3sVariables];
