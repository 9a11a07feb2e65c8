#!/usr/bin/env bash
# Installs the Debian packages the test suite and benchmarks drive (real clients and reference
# servers), only those missing; uses sudo when not root.
set -euo pipefail
need=()
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v redis-server >/dev/null || need+=(redis-server)
command -v memcached >/dev/null || [ -x /usr/bin/memcached ] || need+=(memcached)
command -v memcslap >/dev/null || command -v memcaslap >/dev/null || need+=(libmemcached-tools)
/usr/bin/python3 -c 'import pymemcache' 2>/dev/null || need+=(python3-pymemcache)
/usr/bin/python3 -c 'import redis' 2>/dev/null || need+=(python3-redis)
/usr/bin/python3 -c 'import rq' 2>/dev/null || need+=(python3-rq)
/usr/bin/python3 -c 'import celery' 2>/dev/null || need+=(python3-celery)
/usr/bin/python3 -c 'import pylibmc' 2>/dev/null || need+=(python3-pylibmc)
/usr/bin/python3 -c 'import boto3' 2>/dev/null || need+=(python3-boto3)
command -v aws >/dev/null || need+=(awscli)
command -v openssl >/dev/null || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages: ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
