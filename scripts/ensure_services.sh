#!/usr/bin/env bash
# Start PostgreSQL and Redis on 127.0.0.1 when they are not answering, and install the system
# packages the suite needs (Debian's chromium for browser tests, gdcmanon for the benchmark,
# gettext for translation catalogues) when they are missing.
set -euo pipefail

need_packages=()
command -v chromium >/dev/null 2>&1 || need_packages+=(chromium)
command -v gdcmanon >/dev/null 2>&1 || need_packages+=(libgdcm-tools)
command -v msgfmt >/dev/null 2>&1 || need_packages+=(gettext)
# A CJK font, so that browser-test screenshots of Chinese pages show the characters.
fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk" || need_packages+=(fonts-wqy-microhei)
if [ ${#need_packages[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${need_packages[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "Starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
