import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API } from '../../contract/api';
import { COMMAND_ACTIONS } from '../../domain/commands';
import { needsRole } from '../../domain/lifecycle';
import { ROLES } from '../../domain/operators';
import { allows, may, PERMISSIONS, roleRefusal, rolesFor, type Permission } from '../../domain/permissions';

const ROOT = path.resolve(import.meta.dirname, '../..');
const alice = { name: 'alice', roles: ['planner' as const] };
const bob = { name: 'bob', roles: ['approver' as const] };
const carol = { name: 'carol', roles: ['support' as const] };

describe('the permissions table (domain/permissions.ts)', () => {
  it('names every signed workflow command', () => {
    for (const action of COMMAND_ACTIONS) expect(PERMISSIONS, action).toHaveProperty([action]);
  });

  it('gives every route of the contract its roles: each is an entry of the table, not a list of its own', () => {
    const entries = Object.values(PERMISSIONS) as readonly unknown[];
    for (const [key, route] of Object.entries(API)) expect(entries.includes(route.roles), key).toBe(true);
    expect(API['POST /api/batches'].roles).toBe(rolesFor('batch.plan'));
    expect(API['POST /api/batches/{id}/abort'].roles).toBe(rolesFor('batch.abort'));
    expect(API['GET /api/folders'].roles).toBe(rolesFor('read'));
  });

  it('lets a planner plan and an approver approve, not the other way round; any role reads', () => {
    expect(allows(alice.roles, 'batch.plan')).toBe(true);
    expect(allows(bob.roles, 'batch.plan')).toBe(false);
    expect(allows(bob.roles, 'batch.approve')).toBe(true);
    expect(allows(alice.roles, 'batch.approve')).toBe(false);
    for (const role of ROLES) expect(allows([role], 'read')).toBe(true);
    expect(allows([], 'read')).toBe(false);
    expect(allows([], 'whoami')).toBe(true);
    expect(
      allows(bob.roles, 'batch.abort') &&
        allows(alice.roles, 'batch.abort') &&
        !allows(carol.roles, 'batch.abort'),
    ).toBe(true);
  });

  it('keeps four eyes: who made a change may not approve it, though they may do what is not an approval', () => {
    const both = { name: 'dora', roles: ['planner' as const, 'approver' as const] };
    expect(may(both, 'batch.approve', ['dora'])).toBe(false);
    expect(may(both, 'batch.approve', ['alice'])).toBe(true);
    expect(may(both, 'batch.override_readiness', ['alice', 'dora'])).toBe(false);
    expect(may(both, 'decommission.approve', ['dora'])).toBe(false);
    expect(may(both, 'repair.approve', ['dora'])).toBe(false);
    expect(may(both, 'batch.reject', ['dora'])).toBe(true);
    expect(may(both, 'batch.abort', ['dora'])).toBe(true);
  });

  it('says why in one line, the same line the application layer and the routes answer with', () => {
    expect(roleRefusal(bob, rolesFor('batch.plan'))).toBe(
      "operator 'bob' does not hold the planner role (has: approver)",
    );
    expect(roleRefusal(carol, rolesFor('batch.abort'))).toBe(
      "operator 'carol' does not hold the planner or approver role (has: support)",
    );
    expect(roleRefusal({ name: 'eve', roles: [] }, rolesFor('read'))).toBe(
      "operator 'eve' does not hold the planner or approver or support role (has: none)",
    );
    expect(roleRefusal(alice, rolesFor('batch.plan'))).toBeNull();
  });

  it('is what the lifecycle machines refuse by', () => {
    expect(needsRole({ operator: 'carol', roles: ['support'] }, 'batch.approve')).toBe(
      "operator 'carol' does not hold the approver role (has: support)",
    );
    expect(needsRole({ operator: 'carol', roles: ['support'] }, 'batch.abort')).toBe(
      "operator 'carol' holds neither the planner nor the approver role (has: support)",
    );
    expect(needsRole({ operator: 'bob', roles: ['approver'] }, 'batch.abort')).toBeNull();
  });

  it('is the only place outside the role list where a role is named in a rule', () => {
    // Workflow version 1 only replays histories recorded under its own checks (domain/permissions.ts says so).
    const roots = [
      'app',
      'api',
      'cli',
      'console',
      'contract',
      'domain',
      'http',
      'stores',
      'activities',
      'workflows',
    ];
    const allowed = new Set(['domain/permissions.ts', 'domain/operators.ts']);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (rel !== path.join('workflows', 'v1')) walk(rel);
        } else if (
          rel.endsWith('.ts') &&
          !allowed.has(rel) &&
          /['"`](planner|approver|support)['"`]/.test(fs.readFileSync(path.join(ROOT, rel), 'utf8'))
        )
          offenders.push(rel);
      }
    };
    roots.forEach(walk);
    expect(offenders).toEqual([]);
  });

  it('covers each command the application layer checks', () => {
    const commands: Permission[] = [
      'batch.plan',
      'directory.import',
      'reconcile.run',
      'decommission.schedule',
      'switch_back.request',
      'repair.request',
    ];
    for (const c of commands) expect(rolesFor(c).length, c).toBeGreaterThan(0);
  });
});
