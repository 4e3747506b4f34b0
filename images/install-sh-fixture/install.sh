#!/bin/sh
# ============================================================================================
# flatcar-k3s-lab install.sh FIXTURE — this is NOT k3s's install.sh (get.k3s.io).
# A stand-in written for the lab's offline tests from install.sh's documented behaviour: the
# environment variables it reads (K3S_*, INSTALL_K3S_*, GITHUB_URL), the /usr/local/bin write
# test with its /opt/bin fallback, the sha256 check against sha256sum-<arch>.txt, the SELinux
# decisions, the kubectl/crictl/ctr links, the killall/uninstall scripts, and a Type=notify
# k3s.service with its .env file, enabled and started. The harness treats every install.sh as
# input: the same scenario runs the real script when one is given.
#
# Fixture-only knob: LAB_FIXTURE_SELINUX=pr13712 reproduces k3s PR #13712's regression (Flatcar,
# ID_LIKE=coreos, no longer matched: install aborts "Failed to find the k3s-selinux policy");
# the default is the behaviour after PR #14552 (Flatcar takes the coreos branch: a warning).
# Not supported here: openrc, INSTALL_K3S_COMMIT, INSTALL_K3S_PR, installing SELinux RPMs.
# ============================================================================================
set -e
set -o noglob

GITHUB_URL=${GITHUB_URL:-https://github.com/k3s-io/k3s/releases}

info() { echo '[INFO] ' "$@"; }
warn() { echo '[WARN] ' "$@" >&2; }
fatal() { echo '[ERROR] ' "$@" >&2; exit 1; }

# ---- supervisor: this fixture knows systemd only ----
find_supervisor() {
    if [ -x /bin/systemctl ] || command -v systemctl >/dev/null 2>&1; then
        HAS_SYSTEMD=true
        return
    fi
    fatal 'Can not find systemd or openrc to use as a process supervisor for k3s'
}

# One argument per line, single-quoted, for ExecStart continuation lines.
exec_lines() {
    for a in "$@"; do
        q=$(printf '%s' "$a" | sed "s/'/'\\\\''/g")
        printf ' \\\n\t%s' "'$q'"
    done
}

choose_command() {
    case "$1" in
        -*|'')
            if [ -n "${K3S_URL}" ]; then
                [ -n "${K3S_TOKEN}" ] || [ -n "${K3S_TOKEN_FILE}" ] || \
                    fatal "Defaulted k3s exec command to 'agent' because K3S_URL is defined, but K3S_TOKEN or K3S_TOKEN_FILE is not defined."
                K3S_CMD=agent
            else
                K3S_CMD=server
            fi
            ;;
        *)
            K3S_CMD=$1
            shift
            ;;
    esac
    case "${K3S_URL}" in
        ''|https://*) ;;
        *) fatal "Only https:// URLs are supported for K3S_URL (have ${K3S_URL})" ;;
    esac
    K3S_EXEC_LINES="${K3S_CMD}$(exec_lines "$@")"
}

setup_env() {
    choose_command "$@"

    if [ -n "${INSTALL_K3S_NAME}" ]; then
        SYSTEM_NAME=k3s-${INSTALL_K3S_NAME}
    elif [ "${K3S_CMD}" = server ]; then
        SYSTEM_NAME=k3s
    else
        SYSTEM_NAME=k3s-${K3S_CMD}
    fi
    case "${SYSTEM_NAME}" in
        *[!A-Za-z0-9_.@-]*) fatal "Invalid characters for system name: ${SYSTEM_NAME}" ;;
    esac

    SUDO=sudo
    [ "$(id -u)" -eq 0 ] && SUDO=

    SYSTEMD_TYPE=${INSTALL_K3S_TYPE:-notify}

    if [ -n "${INSTALL_K3S_BIN_DIR}" ]; then
        BIN_DIR=${INSTALL_K3S_BIN_DIR}
    else
        # /usr/local/bin unless root cannot write there (Flatcar: /usr is read-only), then /opt/bin if present.
        BIN_DIR=/usr/local/bin
        if ! $SUDO sh -c "touch ${BIN_DIR}/k3s-ro-test && rm -rf ${BIN_DIR}/k3s-ro-test"; then
            [ -d /opt/bin ] && BIN_DIR=/opt/bin
        fi
    fi
    SYSTEMD_DIR=${INSTALL_K3S_SYSTEMD_DIR:-/etc/systemd/system}

    SERVICE_K3S=${SYSTEM_NAME}.service
    UNINSTALL_K3S_SH=${UNINSTALL_K3S_SH:-${BIN_DIR}/${SYSTEM_NAME}-uninstall.sh}
    KILLALL_K3S_SH=${KILLALL_K3S_SH:-${BIN_DIR}/k3s-killall.sh}
    FILE_K3S_SERVICE=${SYSTEMD_DIR}/${SERVICE_K3S}
    FILE_K3S_ENV=${SYSTEMD_DIR}/${SERVICE_K3S}.env

    HASHES_BEFORE=$(installed_hashes)
    [ "${INSTALL_K3S_BIN_DIR_READ_ONLY}" = true ] && INSTALL_K3S_SKIP_DOWNLOAD=true
    INSTALL_K3S_CHANNEL_URL=${INSTALL_K3S_CHANNEL_URL:-https://update.k3s.io/v1-release/channels}
    INSTALL_K3S_CHANNEL=${INSTALL_K3S_CHANNEL:-stable}
    [ -z "${INSTALL_K3S_COMMIT}${INSTALL_K3S_PR}" ] || fatal 'INSTALL_K3S_COMMIT and INSTALL_K3S_PR are not supported by the flatcar-k3s-lab fixture'
    return 0
}

installed_hashes() {
    $SUDO sha256sum "${BIN_DIR}/k3s" "${FILE_K3S_SERVICE}" "${FILE_K3S_ENV}" 2>&1 || true
}

skip_binary_download() { [ "${INSTALL_K3S_SKIP_DOWNLOAD}" = true ] || [ "${INSTALL_K3S_SKIP_DOWNLOAD}" = binary ]; }
skip_selinux_download() { [ "${INSTALL_K3S_SKIP_DOWNLOAD}" = true ] || [ "${INSTALL_K3S_SKIP_DOWNLOAD}" = selinux ]; }

detect_arch() {
    ARCH=${ARCH:-$(uname -m)}
    case "$ARCH" in
        amd64|x86_64) ARCH=amd64; SUFFIX= ;;
        arm64|aarch64) ARCH=arm64; SUFFIX=-arm64 ;;
        s390x) ARCH=s390x; SUFFIX=-s390x ;;
        arm*) ARCH=arm; SUFFIX=-armhf ;;
        *) fatal "Unsupported architecture $ARCH" ;;
    esac
}

pick_downloader() {
    for d in curl wget; do
        if [ -x "$(command -v $d)" ]; then
            DOWNLOADER=$d
            return
        fi
    done
    fatal 'Can not find curl or wget for downloading files'
}

fetch() { # fetch FILE URL
    set +e
    case "$DOWNLOADER" in
        curl) curl -o "$1" -sfL "$2" ;;
        wget) wget -qO "$1" "$2" ;;
    esac
    rc=$?
    set -e
    [ "$rc" -eq 0 ] || fatal 'Download failed'
}

sha256_of() {
    h=$(sha256sum "$1")
    echo "${h%%[[:blank:]]*}"
}

make_tmp() {
    TMP_DIR=$(mktemp -d -t k3s-install.XXXXXXXXXX)
    TMP_HASH=${TMP_DIR}/k3s.hash
    TMP_BIN=${TMP_DIR}/k3s.bin
    on_exit() {
        rc=$?
        set +e
        trap - EXIT
        rm -rf "${TMP_DIR}"
        exit $rc
    }
    trap on_exit INT EXIT
}

release_version() {
    if [ -n "${INSTALL_K3S_VERSION}" ]; then
        VERSION_K3S=${INSTALL_K3S_VERSION}
    else
        info "Finding release for channel ${INSTALL_K3S_CHANNEL}"
        url="${INSTALL_K3S_CHANNEL_URL}/${INSTALL_K3S_CHANNEL}"
        case "$DOWNLOADER" in
            curl) VERSION_K3S=$(curl -w '%{url_effective}' -L -s -S "$url" -o /dev/null | sed -e 's|.*/||') ;;
            wget) VERSION_K3S=$(wget -SqO /dev/null "$url" 2>&1 | grep -i Location | sed -e 's|.*/||') ;;
        esac
    fi
    info "Using ${VERSION_K3S} as release"
}

download_and_verify() {
    if skip_binary_download; then
        info 'Skipping k3s download and verify'
        [ -x "${BIN_DIR}/k3s" ] || fatal "Executable k3s binary not found at ${BIN_DIR}/k3s"
        return
    fi
    detect_arch
    pick_downloader
    make_tmp
    release_version

    HASH_URL=${GITHUB_URL}/download/${VERSION_K3S}/sha256sum-${ARCH}.txt
    info "Downloading hash ${HASH_URL}"
    fetch "${TMP_HASH}" "${HASH_URL}"
    HASH_EXPECTED=$(grep " k3s${SUFFIX}\$" "${TMP_HASH}" | head -n 1)
    HASH_EXPECTED=${HASH_EXPECTED%%[[:blank:]]*}

    if [ -x "${BIN_DIR}/k3s" ] && [ "$(sha256_of "${BIN_DIR}/k3s")" = "${HASH_EXPECTED}" ]; then
        info 'Skipping binary downloaded, installed k3s matches hash'
        return
    fi

    BIN_URL=${GITHUB_URL}/download/${VERSION_K3S}/k3s${SUFFIX}
    info "Downloading binary ${BIN_URL}"
    fetch "${TMP_BIN}" "${BIN_URL}"

    info 'Verifying binary download'
    HASH_BIN=$(sha256_of "${TMP_BIN}")
    [ "${HASH_EXPECTED}" = "${HASH_BIN}" ] || fatal "Download sha256 does not match ${HASH_EXPECTED}, got ${HASH_BIN}"

    chmod 755 "${TMP_BIN}"
    info "Installing k3s to ${BIN_DIR}/k3s"
    $SUDO chown root:root "${TMP_BIN}"
    $SUDO mv -f "${TMP_BIN}" "${BIN_DIR}/k3s"
}

setup_selinux() {
    case "${INSTALL_K3S_CHANNEL}" in
        *testing) rpm_channel=testing ;;
        *latest) rpm_channel=latest ;;
        *) rpm_channel=stable ;;
    esac
    rpm_site=rpm.rancher.io
    [ "${rpm_channel}" = testing ] && rpm_site=rpm-testing.rancher.io

    [ -r /etc/os-release ] && . /etc/os-release
    coreos_like=false
    if [ "${VARIANT_ID:-}" = coreos ] || [ "${VARIANT_ID:-}" = iot ] || \
       { { [ "${ID:-}" = fedora ] || [ "${ID_LIKE:-}" = fedora ]; } && [ -n "${OSTREE_VERSION:-}" ]; }; then
        coreos_like=true
    fi
    # PR #13712 dropped the ID_LIKE=coreos match (Flatcar); PR #14552 restored it.
    if [ "${ID_LIKE:-}" = coreos ] && [ "${LAB_FIXTURE_SELINUX:-}" != pr13712 ]; then
        coreos_like=true
    fi

    major=${VERSION_ID%%.*}
    if expr "${ID_LIKE:-}" : '.*suse.*' >/dev/null; then
        rpm_target=sle; rpm_site_infix=microos; package_installer=zypper
    elif [ "$coreos_like" = true ]; then
        rpm_target=coreos; rpm_site_infix=coreos; package_installer=rpm-ostree
    elif [ -z "${VERSION_ID:-}" ] || [ "$major" = 7 ] || { [ "${ID:-}" = amzn ] && [ "$major" = 2 ]; }; then
        rpm_target=el7; rpm_site_infix=centos/7; package_installer=yum
    elif [ "$major" = 8 ] || [ "$major" = V10 ] || { [ "$major" -eq "$major" ] 2>/dev/null && [ "$major" -gt 36 ]; }; then
        rpm_target=el8; rpm_site_infix=centos/8; package_installer=yum
    else
        rpm_target=el9; rpm_site_infix=centos/9; package_installer=yum
    fi
    [ "${package_installer}" = rpm-ostree ] && [ -x /bin/yum ] && package_installer=yum
    [ "${package_installer}" = yum ] && [ -x /usr/bin/dnf ] && package_installer=dnf

    selinux_rpm=k3s-selinux-1.2-2.${rpm_target}.noarch.rpm
    policy_hint="please install:
    ${package_installer} install -y container-selinux
    ${package_installer} install -y https://${rpm_site}/k3s/${rpm_channel}/common/${rpm_site_infix}/noarch/${selinux_rpm}
"

    if [ "${INSTALL_K3S_SKIP_SELINUX_RPM}" = true ] || skip_selinux_download || [ ! -d /usr/share/selinux ]; then
        info 'Skipping installation of SELinux RPM'
        return
    fi

    # The real script asks api.github.com for the newest k3s-selinux; the lab has no route there,
    # so the fixture goes straight to the outcome the real script reaches offline.
    info 'Finding available k3s-selinux versions'
    warn "Failed to get available versions of k3s-selinux..defaulting to ${selinux_rpm}"
    if [ -r /etc/redhat-release ] || [ -r /etc/centos-release ] || [ -r /etc/oracle-release ] || \
       [ -r /etc/fedora-release ] || [ -r /etc/system-release ] || [ "${ID_LIKE%%[ ]*}" = suse ]; then
        fatal 'the flatcar-k3s-lab install.sh fixture does not install SELinux RPMs'
    fi

    policy_error=fatal
    if [ "${INSTALL_K3S_SELINUX_WARN}" = true ] || [ "${VARIANT_ID:-}" = coreos ] || [ "${VARIANT_ID:-}" = iot ] || \
       { [ "${ID_LIKE:-}" = coreos ] && [ "${LAB_FIXTURE_SELINUX:-}" != pr13712 ]; }; then
        policy_error=warn
    fi

    if ! $SUDO chcon -u system_u -r object_r -t container_runtime_exec_t "${BIN_DIR}/k3s" >/dev/null 2>&1; then
        if $SUDO grep '^\s*SELINUX=enforcing' /etc/selinux/config >/dev/null 2>&1; then
            $policy_error "Failed to apply container_runtime_exec_t to ${BIN_DIR}/k3s, ${policy_hint}"
        fi
    elif [ ! -f /usr/share/selinux/packages/k3s.pp ]; then
        if [ -x /usr/sbin/transactional-update ] || [ "${rpm_target}" = coreos ]; then
            warn 'Please reboot your machine to activate the changes and avoid data loss.'
        else
            $policy_error "Failed to find the k3s-selinux policy, ${policy_hint}"
        fi
    fi
}

create_symlinks() {
    [ "${INSTALL_K3S_BIN_DIR_READ_ONLY}" = true ] && return
    [ "${INSTALL_K3S_SYMLINK}" = skip ] && return
    for cmd in kubectl crictl ctr; do
        if [ -e "${BIN_DIR}/${cmd}" ] && [ "${INSTALL_K3S_SYMLINK}" != force ]; then
            info "Skipping ${BIN_DIR}/${cmd} symlink to k3s, already exists"
            continue
        fi
        found=$(command -v ${cmd} 2>/dev/null || true)
        if [ -n "${found}" ] && [ "${INSTALL_K3S_SYMLINK}" != force ]; then
            info "Skipping ${BIN_DIR}/${cmd} symlink to k3s, command exists in PATH at ${found}"
        else
            info "Creating ${BIN_DIR}/${cmd} symlink to k3s"
            $SUDO ln -sf k3s "${BIN_DIR}/${cmd}"
        fi
    done
}

create_killall() {
    [ "${INSTALL_K3S_BIN_DIR_READ_ONLY}" = true ] && return
    info "Creating killall script ${KILLALL_K3S_SH}"
    $SUDO tee "${KILLALL_K3S_SH}" >/dev/null <<'KILLALL'
#!/bin/sh
# k3s-killall.sh (flatcar-k3s-lab fixture): stop every k3s unit, then every process k3s started.
[ "$(id -u)" -eq 0 ] || exec sudo --preserve-env=K3S_DATA_DIR "$0" "$@"
K3S_DATA_DIR=${K3S_DATA_DIR:-/var/lib/rancher/k3s}
set -x
for unit in /etc/systemd/system/k3s*.service; do
    [ -s "$unit" ] && systemctl stop "$(basename "$unit")"
done
# Whatever still runs from the data dir or as etcd for it (the K3s double's datastore).
ps -e -o pid= -o args= | grep -E "${K3S_DATA_DIR}|containerd-shim" | grep -v grep | while read -r pid _; do
    kill -9 "$pid" 2>/dev/null || true
done
while read -r _ m _; do
    case "$m" in /run/k3s*|/var/lib/kubelet/pods*|/run/netns/cni-*) echo "$m" ;; esac
done < /proc/self/mounts | sort -r | while read -r m; do
    umount -f "$m" && rm -rf "$m"
done
for link in cni0 flannel.1 flannel-v6.1 kube-ipvs0 flannel-wg flannel-wg-v6; do
    ip link delete "$link" 2>/dev/null || true
done
rm -rf /var/lib/cni/
KILLALL
    $SUDO chmod 755 "${KILLALL_K3S_SH}"
    $SUDO chown root:root "${KILLALL_K3S_SH}"
}

create_uninstall() {
    [ "${INSTALL_K3S_BIN_DIR_READ_ONLY}" = true ] && return
    info "Creating uninstall script ${UNINSTALL_K3S_SH}"
    $SUDO tee "${UNINSTALL_K3S_SH}" >/dev/null <<UNINSTALL
#!/bin/sh
# ${SYSTEM_NAME}-uninstall.sh (flatcar-k3s-lab fixture)
set -x
[ "\$(id -u)" -eq 0 ] || exec sudo --preserve-env=K3S_DATA_DIR "\$0" "\$@"
K3S_DATA_DIR=\${K3S_DATA_DIR:-/var/lib/rancher/k3s}
${KILLALL_K3S_SH}
systemctl disable ${SYSTEM_NAME}
systemctl reset-failed ${SYSTEM_NAME}
systemctl daemon-reload
rm -f ${FILE_K3S_SERVICE} ${FILE_K3S_ENV}
trap 'rm -f ${UNINSTALL_K3S_SH}' EXIT
if ls ${SYSTEMD_DIR}/k3s*.service >/dev/null 2>&1; then
    set +x; echo 'Additional k3s services installed, skipping uninstall of k3s'; set -x
    exit
fi
for cmd in kubectl crictl ctr; do
    [ -L ${BIN_DIR}/\$cmd ] && rm -f ${BIN_DIR}/\$cmd
done
rm -rf /etc/rancher/k3s /run/k3s /run/flannel "\${K3S_DATA_DIR}" /var/lib/kubelet
rm -f ${BIN_DIR}/k3s ${KILLALL_K3S_SH}
UNINSTALL
    $SUDO chmod 755 "${UNINSTALL_K3S_SH}"
    $SUDO chown root:root "${UNINSTALL_K3S_SH}"
}

systemd_disable() {
    $SUDO systemctl disable "${SYSTEM_NAME}" >/dev/null 2>&1 || true
    $SUDO rm -f "/etc/systemd/system/${SERVICE_K3S}" "/etc/systemd/system/${SERVICE_K3S}.env" || true
}

create_env_file() {
    info "env: Creating environment file ${FILE_K3S_ENV}"
    $SUDO touch "${FILE_K3S_ENV}"
    $SUDO chmod 0600 "${FILE_K3S_ENV}"
    { env | grep -E '^(K3S|CONTAINERD)_' || true; env | grep -Ei '^(NO|HTTP|HTTPS)_PROXY' || true; } | $SUDO tee "${FILE_K3S_ENV}" >/dev/null
}

create_service_file() {
    info "systemd: Creating service file ${FILE_K3S_SERVICE}"
    $SUDO tee "${FILE_K3S_SERVICE}" >/dev/null <<UNIT
[Unit]
Description=Lightweight Kubernetes
Documentation=https://k3s.io
Wants=network-online.target
After=network-online.target

[Install]
WantedBy=multi-user.target

[Service]
Type=${SYSTEMD_TYPE}
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
EnvironmentFile=-${FILE_K3S_ENV}
KillMode=process
Delegate=yes
User=root
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
Restart=always
RestartSec=5s
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStartPre=-/sbin/modprobe overlay
ExecStart=${BIN_DIR}/k3s \\
    ${K3S_EXEC_LINES}

UNIT
    $SUDO restorecon -R -i "${FILE_K3S_SERVICE}" "${FILE_K3S_ENV}" 2>/dev/null || true
}

enable_and_start() {
    [ "${INSTALL_K3S_SKIP_ENABLE}" = true ] && return
    info "systemd: Enabling ${SYSTEM_NAME} unit"
    $SUDO systemctl enable "${FILE_K3S_SERVICE}" >/dev/null
    $SUDO systemctl daemon-reload >/dev/null

    [ "${INSTALL_K3S_SKIP_START}" = true ] && return
    if [ "${HASHES_BEFORE}" = "$(installed_hashes)" ] && [ "${INSTALL_K3S_FORCE_RESTART}" != true ]; then
        info 'No change detected so skipping service start'
        return
    fi
    info "systemd: Starting ${SYSTEM_NAME}"
    $SUDO systemctl restart "${SYSTEM_NAME}"
}

# INSTALL_K3S_EXEC's words come first, then the script's own arguments.
set -- ${INSTALL_K3S_EXEC} "$@"

find_supervisor
setup_env "$@"
download_and_verify
setup_selinux
create_symlinks
create_killall
create_uninstall
systemd_disable
create_env_file
create_service_file
enable_and_start
