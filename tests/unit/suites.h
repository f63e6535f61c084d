/* SPDX-License-Identifier: GPL-2.0-only */
/* Every Check suite of build/unit-tests, one SUITE(name) line each: name_suite(). */
SUITE(pcap)
SUITE(bpf_load)
SUITE(addr)
SUITE(db)
SUITE(sync)
SUITE(bpf_encap)
SUITE(ops)
SUITE(gcra)
SUITE(bpf_police)
SUITE(migrate)
SUITE(usage)
SUITE(kernel)
