# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Boots a test kernel in qemu (TCG) with its initramfs: source it, then
#
#   boot_guest LOG TIMEOUT KERNEL INITRD APPEND [QEMU OPTION...]
#
# The console goes to LOG, with carriage returns dropped to LOG.txt. An
# emulated boot that never reaches /init (TCG has been seen to trip over
# the kernel patching its own code) is tried again, up to three times.
# Returns qemu's exit status; BOOT_SMP and BOOT_MEM (default 2 and 2048)
# size the machine, BOOT_NETNS names a network namespace to run qemu in
# (for its tap device).

boot_guest() {
	local log=$1 limit=$2 kernel=$3 initrd=$4 append=$5 try rc
	shift 5
	for try in 1 2 3; do
		${BOOT_NETNS:+nsenter --net=/run/netns/$BOOT_NETNS} \
			timeout "$limit" qemu-system-x86_64 -machine q35 -accel tcg \
			-cpu max -smp "${BOOT_SMP:-2}" -m "${BOOT_MEM:-2048}" \
			-display none -monitor none -no-reboot \
			-serial "file:$log" -kernel "$kernel" -initrd "$initrd" \
			-append "console=ttyS0 panic=-1 quiet $append" \
			"$@" </dev/null
		rc=$?
		tr -d '\r' <"$log" >"$log.txt"
		grep -q '^TG: kernel ' "$log.txt" && break
		echo "boot $try did not reach /init; console tail:"
		tail -n 5 "$log.txt" | sed 's/^/    /'
	done
	return $rc
}
