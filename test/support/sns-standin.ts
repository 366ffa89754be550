import { execFileSync } from 'node:child_process';
import { createSign, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianPeer } from './debian-peers.js';

export const SNS_HOST = 'sns.us-east-1.amazonaws.com';

/**
 * A stand-in for SNS on loopback: serves the signing certificate and answers subscription confirmations, over TLS
 * with a certificate for the real SNS host name. `agent` routes the HTTPS client there while TLS verification stays on,
 * so the real `sns-payload-validator` runs unchanged. Keys and certificates are made with openssl for each run.
 */
export class SnsStandin {
  readonly confirmations: string[] = [];
  readonly certPath = `/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
  agent!: https.Agent;
  private dir = mkdtempSync(join(tmpdir(), 'openclaw-sns-'));
  private server?: https.Server;
  private signingKey = '';

  async start(): Promise<this> {
    const program = debianPeer('openssl');
    const openssl = (...args: string[]) => execFileSync(program, args, { cwd: this.dir, stdio: 'ignore' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      'tls.key',
      '-out',
      'tls.crt',
      '-subj',
      `/CN=${SNS_HOST}`,
      '-addext',
      `subjectAltName=DNS:${SNS_HOST}`,
    );
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      'signing.key',
      '-out',
      'signing.crt',
      '-subj',
      '/CN=sns.amazonaws.com',
    );
    const tlsCert = readFileSync(join(this.dir, 'tls.crt'));
    const signingCert = readFileSync(join(this.dir, 'signing.crt'), 'utf8');
    this.signingKey = readFileSync(join(this.dir, 'signing.key'), 'utf8');

    this.server = https.createServer({ key: readFileSync(join(this.dir, 'tls.key')), cert: tlsCert }, (req, res) => {
      const url = new URL(req.url ?? '/', `https://${SNS_HOST}`);
      if (url.pathname === this.certPath) {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(signingCert);
      } else if (url.searchParams.get('Action') === 'ConfirmSubscription') {
        this.confirmations.push(url.toString());
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            '<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:us-east-1:123456789012:alarms:1</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>',
          );
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as { port: number }).port;

    class LoopbackAgent extends https.Agent {
      override createConnection(
        options: tls.ConnectionOptions,
        callback?: (error: Error | null, socket: Duplex) => void,
      ): Duplex {
        const socket = tls.connect({
          ...options,
          host: '127.0.0.1',
          port,
          servername: options.servername ?? SNS_HOST,
          ca: tlsCert,
        });
        if (callback) socket.once('secureConnect', () => callback(null, socket));
        return socket;
      }
    }
    this.agent = new LoopbackAgent({ keepAlive: false });
    return this;
  }

  get signingCertUrl() {
    return `https://${SNS_HOST}${this.certPath}`;
  }

  /** An SNS HTTPS message signed the way SNS signs it (canonical `key\nvalue\n` pairs, RSA-SHA1 or RSA-SHA256). */
  sign(
    fields: {
      Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
      TopicArn: string;
      Message: string;
      Subject?: string;
      SubscribeURL?: string;
    },
    version: '1' | '2' = '1',
  ) {
    const envelope: Record<string, string> = {
      Type: fields.Type,
      MessageId: randomUUID(),
      TopicArn: fields.TopicArn,
      ...(fields.Subject ? { Subject: fields.Subject } : {}),
      Message: fields.Message,
      Timestamp: new Date().toISOString(),
      SignatureVersion: version,
      SigningCertURL: this.signingCertUrl,
      UnsubscribeURL: `https://${SNS_HOST}/?Action=Unsubscribe&SubscriptionArn=${fields.TopicArn}:1`,
    };
    if (fields.Type !== 'Notification') {
      envelope.Token = randomBytes(32).toString('hex');
      envelope.SubscribeURL =
        fields.SubscribeURL ??
        `https://${SNS_HOST}/?Action=ConfirmSubscription&TopicArn=${fields.TopicArn}&Token=${envelope.Token}`;
    }
    const keys =
      fields.Type === 'Notification'
        ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
        : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
    const canonical = keys
      .filter((key) => key in envelope)
      .map((key) => `${key}\n${envelope[key]}\n`)
      .join('');
    envelope.Signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
      .update(canonical)
      .sign(this.signingKey, 'base64');
    return envelope;
  }

  async stop(): Promise<void> {
    this.agent?.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
