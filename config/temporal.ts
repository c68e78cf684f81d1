import fs from 'node:fs';
import { Connection, Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Config } from './config';

/** Client TLS (mTLS) options from TEMPORAL_TLS_*, or undefined for plain gRPC. */
export function temporalTls(
  config: Pick<Config, 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA'>,
) {
  if (!config.TEMPORAL_TLS_CERT || !config.TEMPORAL_TLS_KEY) return undefined;
  return {
    clientCertPair: {
      crt: fs.readFileSync(config.TEMPORAL_TLS_CERT),
      key: fs.readFileSync(config.TEMPORAL_TLS_KEY),
    },
    ...(config.TEMPORAL_TLS_CA ? { serverRootCACertificate: fs.readFileSync(config.TEMPORAL_TLS_CA) } : {}),
  };
}

export async function connectWorker(config: Config): Promise<NativeConnection> {
  // Loaded here only: a client (the CLI, the control API) never needs the worker's native core.
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect({ address: config.TEMPORAL_ADDRESS, tls: temporalTls(config) });
}

export async function connectClient(config: Config): Promise<Client> {
  const connection = await Connection.connect({
    address: config.TEMPORAL_ADDRESS,
    tls: temporalTls(config),
    connectTimeout: '5s',
  });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
