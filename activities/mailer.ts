import net from 'node:net';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** Stable per notice, so that a copy sent twice (see deliverNotices) is recognisable downstream. */
  messageId: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string; response: string }>;
  close(): void;
}

/** SMTP through one pooled nodemailer transport per process (pooling is ~9x faster on loopback). */
export function createSmtpMailer(smtpUrl: string): Mailer {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    pool: true,
    maxConnections: 5,
    // Our own sockets with Nagle off: SMTP is chatty, and with Nagle and delayed ACKs each message waited
    // ~40 ms (measured on loopback: 105 msg/s with Nagle, 1,700 msg/s without).
    getSocket: (
      opts: { host?: string; port?: number },
      done: (err: null, socket?: { connection: net.Socket }) => void,
    ) => {
      const socket = net.connect({ host: opts.host, port: opts.port! });
      socket.setNoDelay(true);
      // On failure, let nodemailer connect by itself: it then reports the error through its own paths
      // (handing it the error here left some queued sends unsettled).
      const failed = () => done(null);
      socket.once('error', failed);
      socket.once('connect', () => {
        socket.off('error', failed);
        done(null, { connection: socket });
      });
    },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
      });
      return { messageId: info.messageId, response: info.response };
    },
    close: () => transport.close(),
  };
}
