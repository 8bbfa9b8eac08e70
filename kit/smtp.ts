// A real SMTP server on loopback (the smtp-server package) that keeps what it receives, for tests and benchmarks of the
// mail Latch sends. It can be stopped and started again on the same port, as a mail server that goes down.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { mailboxes, parseMail, sentTo, waitForMail, type ReceivedMail } from './mailbox.js';

export class SmtpInbox {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          void parseMail(Buffer.concat(chunks)).then((mail) => {
            this.received.push(mail);
            done();
          }, done);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Down: connections are refused until `start` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Mail `serverUrl` sends comes here (kit/mailbox.ts): `register` reads its sign-up codes from this inbox. */
  serves(serverUrl: string): void {
    mailboxes.set(serverUrl, async () => this.received);
  }

  /** The first message to `to` that `matches`, already received or still to come. */
  next(to: string, matches: (mail: ReceivedMail) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedMail> {
    return waitForMail(async () => this.received, (mail) => sentTo(mail, to) && matches(mail), timeoutMs);
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => sentTo(mail, address));
  }
}
