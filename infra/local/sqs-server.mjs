// Runs fauxqs (an SQS-compatible server) on loopback only; its own CLI listens on every interface.
import { buildApp } from 'fauxqs';

const app = buildApp({ logger: false, host: 'localhost' });
await app.listen({ port: Number(process.env.SQS_PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
