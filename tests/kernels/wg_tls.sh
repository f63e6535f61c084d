#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The HTTPS files of the wg_enrol stage, made on the host with openssl:
#
#   tests/kernels/wg_tls.sh DIR
#
# DIR/ca.pem, a throw-away CA; DIR/broker.pem, its certificate for the
# broker at 203.0.113.1 (the CA after it, as a chain); DIR/broker.key
# (mode 0600).
set -euo pipefail

dir=$1
log=$dir/openssl.log
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-keyout "$dir/ca.key" -out "$dir/ca.pem" -subj "/CN=tungate test CA" 2>"$log"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$dir/broker.key" -out "$dir/broker.csr" -subj "/CN=203.0.113.1" 2>>"$log"
printf 'subjectAltName=IP:203.0.113.1\n' >"$dir/broker.ext"
openssl x509 -req -in "$dir/broker.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
	-CAcreateserial -days 2 -extfile "$dir/broker.ext" -out "$dir/srv.pem" 2>>"$log"
cat "$dir/srv.pem" "$dir/ca.pem" >"$dir/broker.pem"
chmod 600 "$dir/broker.key"
rm -f "$dir/ca.key" "$dir/ca.srl" "$dir/broker.csr" "$dir/broker.ext" "$dir/srv.pem" "$log"
