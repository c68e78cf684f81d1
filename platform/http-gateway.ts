import type { PlatformName } from '../domain/intake-rules';
import { PlatformRefusal, type FolderState, type PlatformGateway } from './gateway';

/**
 * PlatformGateway over the simulator's HTTP admin API. A 4xx is a PlatformRefusal (permanent); a 5xx, a
 * timeout or a refused connection is a plain Error, which the activity's retry policy retries.
 */
export function createHttpGateway(baseUrl: string, timeoutMs = 10_000): PlatformGateway {
  async function call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    const res = await fetch(`${baseUrl}${path}`, { method, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status >= 400 && res.status < 500) {
      throw new PlatformRefusal(res.status, String(body.code ?? res.status), `${method} ${path}: ${String(body.message ?? res.statusText)}`);
    }
    if (!res.ok) throw new Error(`${method} ${path}: platform answered ${res.status} ${String(body.message ?? '')}`.trim());
    return body as T;
  }
  const folder = (p: PlatformName, code: string) => `/${p}/admin/folders/${encodeURIComponent(code)}`;
  return {
    folderState: (p, code) => call<FolderState>('GET', folder(p, code)),
    freeze: (p, code) => call<FolderState>('POST', `${folder(p, code)}/freeze`),
    enable: (p, code) => call<FolderState>('POST', `${folder(p, code)}/enable`),
    disable: (p, code) => call<FolderState>('POST', `${folder(p, code)}/disable`),
    probe: (p, code) => call<{ accepts: boolean }>('POST', `${folder(p, code)}/probe`),
    handOver: (from, code) => call<{ handedOver: number; verified: number }>('POST', `${folder(from, code)}/handover`),
    handBack: (to, code) => call<{ returned: number }>('POST', `${folder(to, code)}/handback`),
    lastLegacyAcceptance: async () => (await call<{ at: string | null }>('GET', '/legacy/admin/last-accepted')).at,
    decommissionLegacy: () => call<{ readOnly: boolean; openFolders: number }>('POST', '/legacy/admin/decommission'),
  };
}
