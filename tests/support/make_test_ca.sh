#!/usr/bin/env bash
# A test certificate authority and a server certificate it signed for 127.0.0.1 and
# localhost, for the HTTPS tests and benchmarks (never for production).
#   make_test_ca.sh DIR  ->  DIR/ca.pem, DIR/server.pem, DIR/server.key
set -euo pipefail
DIR=$1
mkdir -p "$DIR"
cd "$DIR"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=formscan test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
