#!/bin/bash
# Runs in the installed lab OS at every boot (written there by Ignition from config.ign) and
# prints one line per Flatcar fidelity item to the serial console:
#   LAB-CHECK <item> PASS|FAIL <detail>
# then LAB-CHECK-END with what the harness needs to tell a first boot from a later one.
# /opt/lab-check.key holds the SSH public key Ignition was asked to install for core.
set -u
key=$(cat /opt/lab-check.key)
check() {
    local name=$1 detail=$2
    shift 2
    if "$@" >/dev/null 2>&1; then verdict "$name" "$detail" 0; else verdict "$name" "$detail" 1; fi
}
verdict() {
    if [ "$3" -eq 0 ]; then echo "LAB-CHECK $1 PASS $2"; else echo "LAB-CHECK $1 FAIL $2"; fi
}
osr=/etc/os-release
check os-release-id "ID=flatcar, ID_LIKE=coreos" bash -c "grep -qx 'ID=flatcar' $osr && grep -qx 'ID_LIKE=coreos' $osr"
check os-release-version "$(grep ^VERSION_ID= $osr)" grep -Eqx 'VERSION_ID=[0-9]+\.[0-9]+\.[0-9]+' $osr
check os-release-board "$(grep ^FLATCAR_BOARD= $osr)" grep -Eq '^FLATCAR_BOARD="?amd64-usr"?$' $osr
check flatcar-release "/usr/share/flatcar/release" grep -q '^FLATCAR_RELEASE_VERSION=' /usr/share/flatcar/release
ro_err=$(touch /usr/local/bin/k3s-ro-test 2>&1)
[[ "$ro_err" == *"Read-only file system"* && ! -e /usr/local/bin/k3s-ro-test ]]
verdict usr-read-only "touch said: ${ro_err##*: }" $?
check opt-bin-exists "/opt/bin" test -d /opt/bin
[[ ":$PATH:" == *:/opt/bin:* ]]
verdict opt-bin-unit-path "unit PATH=$PATH" $?
login_path=$(su - core -c 'echo $PATH' 2>/dev/null)
[[ ":$login_path:" == *:/opt/bin:* ]]
verdict opt-bin-login-path "login PATH=$login_path" $?
check selinux-permissive "getenforce=$(getenforce 2>&1)" bash -c '[ "$(getenforce)" = Permissive ]'
check selinux-share "/usr/share/selinux" test -d /usr/share/selinux
cp /usr/bin/true /opt/bin/k3s-chcon-test
chcon_out=$(chcon -u system_u -r object_r -t container_runtime_exec_t /opt/bin/k3s-chcon-test 2>&1)
check selinux-chcon "context=$(stat -c %C /opt/bin/k3s-chcon-test 2>&1) ${chcon_out}" bash -c "stat -c %C /opt/bin/k3s-chcon-test | grep -q ':container_runtime_exec_t:'"
rm -f /opt/bin/k3s-chcon-test
check no-rpm-tools "no yum, dnf, rpm-ostree, /etc/redhat-release" bash -c '! command -v yum && ! command -v dnf && ! command -v rpm-ostree && [ ! -e /etc/redhat-release ]'
for tool in bash curl wget gpg sha256sum systemctl; do
    check "tool-$tool" "$(command -v $tool)" command -v "$tool"
done
check install-disk "/ on $(findmnt -no SOURCE /), /usr on $(findmnt -no SOURCE /usr)" bash -c '[ "$(findmnt -no SOURCE /)" = /dev/sda9 ] && [ "$(findmnt -no SOURCE /usr)" = /dev/sda3 ]'
check install-disk-scsi "$(readlink -f /sys/block/sda/device | sed 's|.*/\(virtio[0-9]*\)/.*|\1|')" bash -c 'readlink -f /sys/block/sda/device | grep -q /virtio'
check usr-squashfs-ro "$(findmnt -no FSTYPE,OPTIONS /usr | cut -c1-30)" bash -c 'findmnt -no FSTYPE,OPTIONS /usr | grep -Eq "^squashfs +ro"'
check nodejs "$(node --version 2>&1)" bash -c 'node --version | grep -q "^v18\."'
check etcd "$(etcd --version 2>&1 | head -n1)" bash -c 'etcd --version | grep -q "etcd Version: 3\."'
check etcdctl "$(ETCDCTL_API=3 etcdctl version 2>&1 | head -n1)" bash -c 'ETCDCTL_API=3 etcdctl version | grep -q "etcdctl version: 3\."'
check etcd-unit-off "the K3s double runs its own etcd" bash -c '! systemctl is-enabled etcd.service'
check core-user "$(id core 2>&1)" bash -c 'id -u core | grep -qx 500'
cat /home/core/.ssh/authorized_keys /home/core/.ssh/authorized_keys.d/* 2>/dev/null | grep -qF "$key"
verdict core-ssh-key "Ignition's key for core" $?
check sshd "ssh.service $(systemctl is-active ssh.service)" systemctl is-active ssh.service
check networkd "$(ip -4 -o addr show scope global | awk '{print $2, $4}' | head -n1)" bash -c 'systemctl is-active systemd-networkd && ip -4 -o addr show scope global | grep -q " 10\.0\.0\."'
check machine-id "$(cat /etc/machine-id)" grep -Eqx '[0-9a-f]{32}' /etc/machine-id
# The image carries nothing of its build host: no static hostname (the name comes from DHCP: the
# e2e's DHCP server hands out lab-os-e2e), no build host's name server, no Debian banner.
check no-static-hostname "/etc/hostname $( [ -e /etc/hostname ] && cat /etc/hostname || echo absent)" test ! -e /etc/hostname
# networkd sets it once the lease is in: give it a few seconds after network-online.
for _ in $(seq 30); do [ "$(hostname)" = lab-os-e2e ] && break; sleep 1; done
check dhcp-hostname "hostname=$(hostname)" bash -c '[ "$(hostname)" = lab-os-e2e ]'
check no-build-host-resolver "$(grep -c '^nameserver' /etc/resolv.conf) name server(s)" bash -c '! grep -q "^nameserver" /etc/resolv.conf'
check banner-not-debian "issue: $(head -n1 /etc/issue)" bash -c '! grep -qi debian /etc/issue /etc/issue.net && ! run-parts --test /etc/update-motd.d | grep -q uname && ! grep -q "Debian GNU/Linux system are free software" /etc/motd'
runs=$(wc -l </var/lib/lab/ignition-runs 2>/dev/null || echo 0)
first=no
grep -qw 'flatcar.first_boot=[^ ]*' /proc/cmdline && first=yes
ign_lines=$(journalctl -b -o cat 2>/dev/null | grep -c 'Ignition finished successfully')
echo "LAB-CHECK-END first_boot_arg=$first ignition_runs=$runs ignition_log_lines=$ign_lines"
