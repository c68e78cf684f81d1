import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freeLowPorts, freePort } from '../../dev/process';

// The stacks that tests, drills and benchmarks start pick their ports first and bind them a moment later. A
// port from the kernel's ephemeral range can be taken in between as the local end of an outgoing connection,
// and a fault drill once failed to start with EADDRINUSE exactly so.
const [ephemeralFirst] = fs
  .readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
  .trim()
  .split(/\s+/)
  .map(Number);

describe('ports for the stacks started by tests, drills and benchmarks', () => {
  it('come from below the ephemeral range, so no outgoing connection can take one before it is bound', async () => {
    for (let i = 0; i < 50; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(ephemeralFirst);
    }
  });

  it('are never handed out twice by one process, even to calls made at the same moment', async () => {
    const single = await Promise.all(Array.from({ length: 200 }, () => freePort()));
    const base = await freeLowPorts(10);
    const all = [...single, ...Array.from({ length: 10 }, (_, i) => base + i)];
    expect(new Set(all).size).toBe(all.length);
  });
});
