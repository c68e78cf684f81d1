import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Faults } from '../faults';
import { HttpError } from './errors';

/**
 * The simulator's HTTP layer: Fastify with a zod schema per route, and one place for everything a hostile caller
 * can send. Every answer that is not a success is `{ code, message }` with a 4xx — bad percent-encoding, a path
 * too long, a body that is not JSON or not UTF-8, too large, of the wrong type, or failing its schema; a 5xx only
 * for a failure of our own, which says nothing internal.
 */
export type SimApp = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  import('fastify').FastifyBaseLogger,
  ZodTypeProvider
>;

/** The largest file the platform takes; a request body is at most its base64 and a little JSON. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const MAX_BODY_BYTES = Math.ceil((MAX_FILE_BYTES * 4) / 3) + 64 * 1024;
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createApp(opts: {
  faults: Faults;
  adminToken: string;
  log?: (line: string) => void;
}): SimApp {
  const app = Fastify({
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: 300 },
    requestTimeout: 120_000,
    connectionTimeout: 0,
    logger: false,
    frameworkErrors: (err, _req, reply) => {
      // Reached before routing: a path that is not valid percent-encoding, or a segment too long to be anything.
      const message =
        err.code === 'FST_ERR_BAD_URL'
          ? 'the path is not a valid URL path (bad % encoding?)'
          : 'the path is too long';
      void (reply as FastifyReply).code(400).send({ code: 'bad_request', message });
    },
    clientErrorHandler: answerClientError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // JSON, read as bytes: invalid UTF-8 is refused rather than turned into replacement characters and stored.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    let textBody: string;
    try {
      textBody = utf8.decode(body as Buffer);
    } catch {
      return done(new HttpError(400, 'bad_request', 'the body is not valid UTF-8'), undefined);
    }
    try {
      done(null, JSON.parse(textBody));
    } catch {
      done(new HttpError(400, 'bad_request', 'body must be JSON'), undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const path = pathOf(req);
    if (path === '/_faults' || path === '/healthz') return;
    const { delayMs, fail } = opts.faults.decide(req.method, path);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    if (fail)
      return reply.code(503).send({ code: 'unavailable', message: 'injected fault: platform unavailable' });
  });
  // The admin and fault APIs, known routes or not, answer nobody without the credential (the path as routed:
  // percent-decoded, so that an encoded letter does not slip past).
  const admin = requireAdmin(opts.adminToken);
  app.addHook('onRequest', async (req, reply) => {
    if (ADMIN_PATH.test(decodedPath(req))) return admin(req, reply);
  });
  // A request answered before its body was read (refused as too large, or without a session): the rest is read
  // and discarded, so that the client, still writing, reads the answer. Closing at once would reset the connection,
  // and a reset can throw away an answer the client has not read yet. Past MAX_DRAIN more, the connection goes.
  app.addHook('onResponse', async (req) => {
    if (req.raw.complete) return;
    let drained = 0;
    req.raw.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > MAX_DRAIN_BYTES) req.raw.destroy();
    });
    req.raw.resume();
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, code, message, headers } = answerFor(err);
    if (status >= 500)
      opts.log?.(`simulator: ${req.method} ${req.url.slice(0, 200)} failed: ${err.stack ?? String(err)}`);
    void reply.code(status).headers(headers).send({ code, message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({
      code: 'not_found',
      message: `no route ${req.method} ${pathOf(req).slice(0, 100)}: the platforms are under /legacy/... and /ecp2/...`,
    });
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
    return payload;
  });
  return app;
}

/** The path of a request as sent (still percent-encoded), without its query. */
export const pathOf = (req: FastifyRequest) => req.url.split('?')[0];

const ADMIN_PATH = /^\/+(?:_faults|(?:legacy|ecp2)\/+admin)(?:\/|$)/i;
function decodedPath(req: FastifyRequest): string {
  try {
    return decodeURIComponent(pathOf(req));
  } catch {
    return pathOf(req); // not valid percent-encoding: the router refuses it
  }
}

function answerFor(err: FastifyError): {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
} {
  if (err instanceof HttpError)
    return { status: err.status, code: err.code, message: err.message, headers: err.headers };
  if (hasZodFastifySchemaValidationErrors(err))
    return { status: 400, code: 'bad_request', message: validationMessage(err), headers: {} };
  const known: Record<string, [number, string, string]> = {
    FST_ERR_CTP_BODY_TOO_LARGE: [
      413,
      'too_large',
      `a request body is at most ${MAX_BODY_BYTES} bytes (a file at most ${MAX_FILE_BYTES})`,
    ],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send the body as application/json'],
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
      400,
      'bad_request',
      'the body is not as long as its Content-Length says',
    ],
    FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'bad_request', 'body must be JSON'],
    FST_ERR_CTP_INVALID_JSON_BODY: [400, 'bad_request', 'body must be JSON'],
  };
  const hit = known[err.code];
  if (hit) return { status: hit[0], code: hit[1], message: hit[2], headers: {} };
  // Any other refusal of Fastify's own: its status, never its words (they may echo what was sent).
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return { status: err.statusCode, code: 'bad_request', message: 'the request is malformed', headers: {} };
  return {
    status: 500,
    code: 'internal',
    message: 'the platform failed; nothing was stored: try again later',
    headers: {},
  };
}

/** The first problem with a request, in the words of its schema ("participant must be a 5-digit participant code"). */
function validationMessage(err: {
  validationContext?: string;
  validation: { message?: string; instancePath: string; keyword: string; params?: unknown }[];
}): string {
  const first = err.validation[0];
  if (first.keyword === 'unrecognized_keys') {
    const keys = ((first.params as { keys?: string[] })?.keys ?? [])
      .map((k) => `'${k.slice(0, 40)}'`)
      .join(', ');
    return `unknown field(s) ${keys} in the ${err.validationContext ?? 'request'}`;
  }
  if (first.keyword === 'invalid_type' && first.instancePath === '')
    return `the ${err.validationContext === 'body' ? 'body must be a JSON object' : 'request is malformed'}`;
  return first.message ?? 'the request is malformed';
}

/** A request Node's parser refused (a bad request line, headers too large): a 4xx with {code, message}, then close. */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  const body = JSON.stringify({
    code: 'bad_request',
    message: status === 431 ? 'the request headers are too large' : 'the request is not valid HTTP',
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * The admin credential check, for the admin and fault APIs: the bearer token the gateway holds, compared in
 * constant time. A hook of the admin routes, run before their body is read.
 */
export function requireAdmin(adminToken: string) {
  const expected = Buffer.from(`Bearer ${adminToken}`);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const got = Buffer.from(String(req.headers.authorization ?? ''));
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      return reply
        .code(401)
        .send({ code: 'unauthorized', message: 'the admin API needs the platform admin credential' });
    }
  };
}
