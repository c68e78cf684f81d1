import type { PlatformName } from '../domain/intake-rules';
import {
  PlatformRefusal,
  type ClientConnectParticipant,
  type FolderState,
  type PlatformGateway,
} from './gateway';

/**
 * PlatformGateway over the simulator's HTTP admin API, with the admin credential the platform gave us. A 4xx
 * is a PlatformRefusal (permanent); a 5xx, a timeout or a refused connection is a plain Error, which the
 * activity's retry policy retries.
 */
export function createHttpGateway(
  baseUrl: string,
  adminToken: string | undefined,
  timeoutMs = 10_000,
): PlatformGateway {
  async function call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        ...(adminToken ? { authorization: `Bearer ${adminToken}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status >= 400 && res.status < 500) {
      throw new PlatformRefusal(
        res.status,
        String(answer.code ?? res.status),
        `${method} ${path}: ${String(answer.message ?? res.statusText)}`,
      );
    }
    if (!res.ok)
      throw new Error(
        `${method} ${path}: platform answered ${res.status} ${String(answer.message ?? '')}`.trim(),
      );
    return answer as T;
  }
  const folder = (p: PlatformName, code: string) => `/${p}/admin/folders/${encodeURIComponent(code)}`;
  return {
    folderState: (p, code) => call<FolderState>('GET', folder(p, code)),
    freeze: (p, code) => call<FolderState>('POST', `${folder(p, code)}/freeze`),
    enable: (p, code) => call<FolderState>('POST', `${folder(p, code)}/enable`),
    disable: (p, code) => call<FolderState>('POST', `${folder(p, code)}/disable`),
    probe: (p, code) => call<{ accepts: boolean }>('POST', `${folder(p, code)}/probe`),
    handOver: (from, code) =>
      call<{ handedOver: number; verified: number }>('POST', `${folder(from, code)}/handover`),
    handBack: (to, code) => call<{ returned: number }>('POST', `${folder(to, code)}/handback`),
    retireLegacy: (code) => call<FolderState>('POST', `${folder('legacy', code)}/retire`),
    lastLegacyAcceptance: async () =>
      (await call<{ at: string | null }>('GET', '/legacy/admin/last-accepted')).at,
    decommissionLegacy: () =>
      call<{ readOnly: boolean; openFolders: number }>('POST', '/legacy/admin/decommission'),
    async *clientConnect() {
      for (let after = ''; ;) {
        const page = await call<{ participants: ClientConnectParticipant[] }>(
          'GET',
          `/ecp2/admin/client-connect?after=${after}&limit=1000`,
        );
        if (page.participants.length === 0) return;
        yield* page.participants;
        after = page.participants[page.participants.length - 1].code;
      }
    },
    clientConnectParticipant: (code) =>
      call<ClientConnectParticipant>('GET', `/ecp2/admin/client-connect/${encodeURIComponent(code)}`),
    async loadClientConnect(participants) {
      for (let i = 0; i < participants.length; i += 500)
        await call('PUT', '/ecp2/admin/client-connect', { participants: participants.slice(i, i + 500) });
    },
  };
}
