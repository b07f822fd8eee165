package dev.palisade.kernel.nflog;

/**
 * One packet logged by an nftables {@code log group N prefix "..."} rule: the prefix (Palisade
 * encodes verdict, direction and local identity group in it) and the packet's IPv4 5-tuple.
 * Ports are 0 for protocols without them.
 */
public record NflogEvent(int group, String prefix, String src, String dst, int protocol, int srcPort, int dstPort,
    long timestampMillis) {}
