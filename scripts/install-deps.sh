#!/usr/bin/env bash
# Installs the Debian packages Palisade's build, lab and tests use, only when something is missing.
# Run as root on Debian 12 (bookworm). Idempotent: a second run installs nothing.
set -euo pipefail

# package -> why
PACKAGES=(
  openjdk-17-jdk-headless   # build and run
  maven                     # build
  nftables                  # nft CLI (used by tests for cross-checks and by operators)
  libnftables1              # the library the agent drives through JNR
  conntrack                 # conntrack CLI (reference listener in benchmarks)
  libnetfilter-conntrack3   # the library the flow observer drives through JNR
  libnetfilter-log1         # NFLOG: drops and would-drops reach the agent
  libnetfilter-queue1       # NFQUEUE: the agent holds DNS answers until their addresses are in the fqdn sets
  iptables                  # the hold's NFQUEUE rule: kernels without CONFIG_NFT_QUEUE (ours) still have the xt NFQUEUE target
  iproute2                  # ip netns / veth for the lab
  iperf3                    # line-rate harness
  netcat-openbsd            # manual probes
  tcpdump                   # debugging NFLOG (tcpdump -i nflog:100)
  procps                    # ps/pkill for cleanup
  python3                   # test summary script
  gcc                       # builds the CNI plugin (scripts/build-cni.sh) for PalisadeCniTest and the process lab
  libc6-dev                 # its headers and libc.a: the plugin links statically (gcc only recommends it)
  fonts-dejavu-core         # text in bench/line-rate.png (the JDK draws with fontconfig's fonts)
  ca-certificates           # Maven Central over HTTPS
)
if [ "${PALISADE_BROWSER:-0}" = 1 ]; then
  PACKAGES+=(chromium chromium-driver)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root to install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
