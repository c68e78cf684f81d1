import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** True if something accepts TCP connections on 127.0.0.1:port. */
export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Ports this process has handed out, so two calls never get the same one, even before the first is bound.
 */
const handedOut = new Set<number>();

const LOWEST = 20_000;
/** The Temporal server keeps its membership ports in a PostgreSQL smallint: every port we pick stays below it. */
const SMALLINT_END = 32_768;

/**
 * Where our ports end: the first port of the kernel's ephemeral range, from which outgoing connections take
 * their local ports, and never above 32767. A host whose ephemeral range starts below 21000 leaves no room
 * under it: there the ports come from 20000–32767 as before, and the race below can come back.
 */
function portsEnd(): number {
  try {
    const first = Number(
      fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    if (Number.isInteger(first) && first > LOWEST + 1_000) return Math.min(first, SMALLINT_END);
  } catch {
    // no /proc
  }
  return SMALLINT_END;
}

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port nobody listens on right now, for a server started a moment later. It comes from below the kernel's
 * ephemeral range: a port from that range can be taken in the meantime as the local end of any outgoing
 * connection (a pool's, a client's), and the server's listen then fails with EADDRINUSE. A fault drill
 * failed once exactly so. (Another process picking the same port in the same moment is left to chance: one
 * in about 12,000 a port.)
 */
export async function freePort(): Promise<number> {
  return freeLowPorts(1);
}

/**
 * `count` consecutive free ports from 20000 up to the kernel's ephemeral range (32767 at most), none handed out
 * before by this process. The Temporal server needs ten in a row.
 */
export async function freeLowPorts(count: number): Promise<number> {
  const end = portsEnd();
  if (count < 1 || count > end - LOWEST)
    throw new Error(`cannot pick ${count} ports between ${LOWEST} and ${end}`);
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = LOWEST + Math.floor(Math.random() * (end - LOWEST - count + 1));
    const range = Array.from({ length: count }, (_, i) => base + i);
    if (range.some((port) => handedOut.has(port))) continue;
    for (const port of range) handedOut.add(port); // before the check: a call made meanwhile must not pick them
    const ok = await Promise.all(range.map(tryListen));
    if (ok.every(Boolean)) return base;
    for (const port of range) handedOut.delete(port);
  }
  throw new Error(`no ${count} consecutive free ports between ${LOWEST} and ${end}`);
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  isAlive?: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (isAlive && !isAlive()) throw new Error(`${what} exited before it was ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready after ${Math.round(timeoutMs / 1000)} s`);
}

/** True while the process runs. A zombie (exited, not yet reaped by init) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

export interface SpawnSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/** Starts a process that outlives us (own process group, output to a log file); returns its pid. */
export function spawnDetached(spec: SpawnSpec, logFile: string): number {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', out, out],
    uid: spec.uid,
    gid: spec.gid,
  });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
  child.unref();
  return child.pid;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopPid(
  pid: number,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}

export function tail(file: string, lines = 5): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
