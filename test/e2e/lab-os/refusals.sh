#!/bin/bash
# Runs in the live PXE system before the installer: flatcar-install must refuse each bad case with
# exactly one line, a non-zero exit, and /dev/sda untouched. Prints to the serial console:
#   LAB-REFUSAL <case> exit=<code> lines=<n> untouched=<yes|no> msg=<the line>
# Argument: the mirror base URL (http://10.0.0.5:8080).
set -u
base=$1
blank() { cmp -s -n 1048576 /dev/sda /dev/zero; }
try() {
    local name=$1
    shift
    local err code untouched=no
    err=$(flatcar-install "$@" 2>&1 >/dev/null)
    code=$?
    blank && untouched=yes
    echo "LAB-REFUSAL $name exit=$code lines=$(printf '%s\n' "$err" | grep -c .) untouched=$untouched msg=$(printf '%s' "$err" | head -n1)"
}
echo '{"ignition":{"version":"3.3.0"}}' >/tmp/empty.ign
blank && echo "LAB-REFUSAL-START disk-blank=yes" || echo "LAB-REFUSAL-START disk-blank=no"
try bad-signature -d /dev/sda -i /tmp/empty.ign -b "$base/bad-signature/amd64-usr"
try missing-signature -d /dev/sda -i /tmp/empty.ign -b "$base/missing-signature/amd64-usr"
try missing-image -d /dev/sda -i /tmp/empty.ign -b "$base/missing-image/amd64-usr"
try missing-device -d /dev/sdz -i /tmp/empty.ign -b "$base/flatcar/amd64-usr"
# SELinux in the live system, as on a PXE-booted Flatcar: install.sh takes the same branch here.
cp /usr/bin/true /opt/bin/k3s-chcon-live 2>/dev/null || { mkdir -p /opt/bin && cp /usr/bin/true /opt/bin/k3s-chcon-live; }
chcon -u system_u -r object_r -t container_runtime_exec_t /opt/bin/k3s-chcon-live >/dev/null 2>&1 && chcon=ok || chcon=failed
echo "LAB-LIVE selinux=$(getenforce 2>&1) chcon=$chcon context=$(stat -c %C /opt/bin/k3s-chcon-live 2>&1)"
rm -f /opt/bin/k3s-chcon-live
echo "LAB-REFUSAL-END"
