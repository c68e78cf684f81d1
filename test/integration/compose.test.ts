import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../config/config';
import { findBinary, TEMPORAL_SERVER_VERSION } from '../../dev/tools';
import { runCli } from '../support/cli';

/* eslint-disable @typescript-eslint/no-explicit-any -- the parsed YAML */
const compose = parse(fs.readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, any>;
};
const services = Object.entries(compose.services);
/** Ours: built from this repository's Dockerfile. */
const ours = services.filter(([, s]) => s.build);
/** One-shot jobs (they run and exit): everything else runs for good. */
const oneShot = (s: any) =>
  ['db', 'sh'].includes(s.command?.[0]) ||
  s.command?.includes('--ensure-schedule') ||
  String(s.entrypoint ?? '').includes('search-attribute');
const envOf = (s: any): Record<string, string> =>
  Array.isArray(s.environment)
    ? Object.fromEntries(s.environment.map((e: string) => e.split('=')))
    : (s.environment ?? {});
/** Set by the runtime, not by config/config.ts. */
const RUNTIME = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX', 'NODE_ENV'];

describe('docker-compose.yml (hardened deployment)', () => {
  it('publishes only the portal and the control API: Temporal, its UI, PostgreSQL and the mail sink stay inside', () => {
    const published = services
      .filter(([, s]) => s.ports?.length)
      .map(([name]) => name)
      .sort();
    expect(published).toEqual(['api', 'portal']);
    expect(compose.services.portal.ports).toEqual(['3000:3000']);
    // The override example only binds to this host, and is not in force unless copied. A copy
    // (docker-compose.override.yml, as the example says) is an operator's own, on their host: git ignores it, so
    // it is never committed or shipped — and its presence in a checkout is no failure.
    const example = fs.readFileSync('docker-compose.override.example.yml', 'utf8');
    for (const line of example.split('\n').filter((l) => l.includes('ports:')))
      expect(line).toMatch(/^#.*"127\.0\.0\.1:/);
    expect(fs.readFileSync('.gitignore', 'utf8').split('\n')).toContain('docker-compose.override.yml');
  });

  it('holds no password, key or token: each comes from .env and compose refuses to start without it', () => {
    const text = fs.readFileSync('docker-compose.yml', 'utf8');
    for (const [name, s] of services) {
      for (const [key, value] of Object.entries(envOf(s))) {
        if (/PASSWORD|PWD|KEY|TOKEN|SECRET/.test(key))
          expect(value, `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        if (/_URL$/.test(key) && /postgres:/.test(String(value)))
          expect(value, `${name}.${key}`).toMatch(/^postgres:\/\/\w+:\$\{[A-Z_]+:\?[^}]+\}@/);
      }
    }
    expect(text).not.toMatch(/postgres:\/\/\w+:\w+@/); // no literal credentials in a URL
    expect(fs.readFileSync('.gitignore', 'utf8').split('\n')).toContain('.env');
    const example = fs.readFileSync('.env.example', 'utf8');
    for (const variable of new Set([...text.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1])))
      expect(example, variable).toMatch(new RegExp(`^${variable}=$`, 'm'));
  });

  it('least privilege: the portal holds neither the owner database URL nor the signing key', () => {
    const portal = envOf(compose.services.portal);
    expect(Object.keys(portal)).not.toContain('DATABASE_URL');
    expect(Object.keys(portal)).not.toContain('COMMAND_SIGNING_KEY');
    expect(portal.PORTAL_DATABASE_URL).toMatch(/^postgres:\/\/ecp_portal:/);
    expect(envOf(compose.services.api).API_DATABASE_URL).toMatch(/^postgres:\/\/ecp_api:/);
    expect(envOf(compose.services.worker).WORKER_DATABASE_URL).toMatch(/^postgres:\/\/ecp_worker:/);
  });

  it('every long-running service restarts unless stopped and has a health check; one-shot jobs do neither', () => {
    for (const [name, s] of services) {
      if (oneShot(s)) {
        expect(s.restart, name).toBeUndefined();
        continue;
      }
      expect(s.restart, name).toBe('unless-stopped');
      expect(s.healthcheck?.test, name).toBeDefined();
    }
  });

  it('pins every image, and Temporal to the server version the project tests against', () => {
    for (const [name, s] of services.filter(([, x]) => x.image && !x.build)) {
      expect(s.image, name).toMatch(/^[\w./-]+:\d[\w.-]*$/);
      expect(s.image, name).not.toMatch(/:latest$/);
    }
    expect(compose.services.temporal.image).toBe(`temporalio/auto-setup:${TEMPORAL_SERVER_VERSION}`);
    const dev = execFileSync(findBinary('temporal', 'TEMPORAL_BIN'), ['--version'], { encoding: 'utf8' });
    expect(dev).toContain(`Server ${TEMPORAL_SERVER_VERSION}`);
    expect(compose.services['temporal-setup'].image).toBe(
      `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`,
    );
    expect(fs.readFileSync('Dockerfile', 'utf8')).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-/m);
  });

  it("every service of ours runs a command the CLI has, with variables config/config.ts knows, and checks its health with the CLI's health command", async () => {
    for (const [name, s] of ours) {
      const help = await runCli([s.command[0], '--help']);
      expect(help.code, `${name}: ecp-cutover ${s.command[0]}`).toBe(0);
      for (const key of Object.keys(envOf(s)))
        expect([...CONFIG_VARIABLES, ...RUNTIME], `${name}.${key}`).toContain(key);
      if (s.healthcheck)
        expect(s.healthcheck.test.slice(0, 4), name).toEqual([
          'CMD',
          'node',
          'bin/ecp-cutover.mjs',
          'health',
        ]);
    }
    const health = await runCli(['health', 'portal'], { PORTAL_PORT: '9' });
    expect(health.code).toBe(1);
    expect(health.stderr).toMatch(/^unhealthy: portal: http:\/\/127\.0\.0\.1:9\/healthz: /);
  });
});
