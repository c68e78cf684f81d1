import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as the sink received it. */
export interface SunkMessage {
  id: number;
  receivedAt: string;
  envelopeFrom: string;
  envelopeTo: string[];
  messageId: string | null;
  subject: string;
  text: string;
}

export interface SmtpSink {
  smtpPort: number;
  webPort: number | null;
  messages(): SunkMessage[];
  close(): Promise<void>;
}

/**
 * A development SMTP server that accepts everything on loopback and keeps it: in memory, and appended to
 * `storeFile` (JSON lines) when given, so the dev stack's mail survives `dev down`/`dev up`. With a web
 * port it lists what it received at /api/messages (JSON) and / (a simple page). `headersOnly` keeps only the
 * envelope and the Message-ID (no MIME parsing, no text): a faster sink for benchmarks with large mail volumes.
 */
export async function startSmtpSink(
  opts: {
    smtpPort?: number;
    webPort?: number;
    storeFile?: string;
    host?: string;
    headersOnly?: boolean;
  } = {},
): Promise<SmtpSink> {
  if (opts.storeFile) fs.mkdirSync(path.dirname(opts.storeFile), { recursive: true });
  const messages: SunkMessage[] =
    opts.storeFile && fs.existsSync(opts.storeFile)
      ? fs
          .readFileSync(opts.storeFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as SunkMessage)
      : [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // A stopped sink drops its open connections after 1 s (clients see 421 and retry), not 30 s.
    closeTimeout: 1000,
    logger: false,
    size: 10 * 1024 * 1024,
    async onData(stream, session, callback) {
      try {
        const parsed = opts.headersOnly ? await readMessageId(stream) : await simpleParser(stream);
        const message: SunkMessage = {
          id: messages.length + 1,
          receivedAt: new Date().toISOString(),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          messageId: parsed.messageId ?? null,
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
        };
        messages.push(message);
        if (opts.storeFile) fs.appendFileSync(opts.storeFile, JSON.stringify(message) + '\n');
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.smtpPort ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  // A client that goes away mid-conversation (a killed worker: ECONNRESET) is that connection's problem,
  // not the sink's: without a listener the error event would crash the process.
  smtp.on('error', () => undefined);
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let web: http.Server | undefined;
  if (opts.webPort !== undefined) {
    web = http.createServer((req, res) => {
      if (req.url?.startsWith('/api/messages')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(messages));
      } else if (req.url === '/' || req.url === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(renderPage(messages));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not found: try /api/messages' }));
      }
    });
    await new Promise<void>((resolve, reject) => {
      web!.once('error', reject);
      web!.listen(opts.webPort, opts.host ?? '127.0.0.1', () => resolve());
    });
  }
  return {
    smtpPort,
    webPort: web ? (web.address() as AddressInfo).port : null,
    messages: () => messages,
    async close() {
      await new Promise<void>((r) => smtp.close(() => r()));
      if (web) await new Promise<void>((r) => web!.close(() => r()));
    },
  };
}

/** The Message-ID header of a raw message, reading the whole stream (the client waits for our answer). */
async function readMessageId(
  stream: NodeJS.ReadableStream,
): Promise<{ messageId?: string; subject?: string; text?: string }> {
  let head = '';
  for await (const chunk of stream) if (head.length < 8192) head += chunk.toString('latin1');
  const m = /^message-id:\s*(<[^>\r\n]+>)/im.exec(head.split(/\r?\n\r?\n/)[0]);
  return { messageId: m?.[1] };
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function renderPage(messages: SunkMessage[]): string {
  const rows = [...messages]
    .reverse()
    .slice(0, 500)
    .map(
      (m) =>
        `<details><summary>#${m.id} ${esc(m.receivedAt)} → ${esc(m.envelopeTo.join(', '))}: <b>${esc(m.subject)}</b></summary><pre>${esc(m.text)}</pre></details>`,
    );
  return `<!doctype html><meta charset="utf-8"><title>SMTP sink</title><h1>SMTP sink: ${messages.length} message(s)</h1>${rows.join('\n')}`;
}
