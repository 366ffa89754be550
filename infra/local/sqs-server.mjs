// Runs fauxqs (an SQS-compatible server) on loopback only. With SQS_DATA_DIR set, every queue and message is written
// through to fauxqs' own SQLite store before a request is answered, so a kill -9 of the runtime loses nothing that
// was queued. fauxqs' startFauxqs() wires that persistence but listens on every interface; this wires the same parts
// (they are not exported, hence the paths into its dist folder, pinned by the version in package.json) and binds
// 127.0.0.1.
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// fauxqs loads node:sqlite even without persistence. It arrives in Node 22.5; on Node 20 the same synchronous API
// comes from better-sqlite3.
if (
  !(await import('node:sqlite').then(
    () => true,
    () => false,
  ))
)
  register('./sqlite-compat.mjs', import.meta.url);

const dist = dirname(fileURLToPath(import.meta.resolve('fauxqs')));
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { buildApp } = await load('app.js');
const { SqsStore } = await load('sqs/sqsStore.js');
const { SnsStore } = await load('sns/snsStore.js');
const { S3Store } = await load('s3/s3Store.js');

const stores = { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
const dataDir = process.env.SQS_DATA_DIR;
let persistence;
if (dataDir) {
  const { PersistenceManager } = await load('persistence.js');
  persistence = new PersistenceManager(dataDir);
  // A write survives a kill -9 once it is in the WAL; syncing every commit to disk (for power loss) would cap queue
  // traffic at the disk's fsync rate.
  persistence.db.exec('PRAGMA synchronous = NORMAL');
  // Loaded before the stores write through, so that loading does not write every row back.
  persistence.loadSqsAndSns(stores.sqsStore, stores.snsStore);
  stores.sqsStore.persistence = persistence;
  stores.snsStore.persistence = persistence;
  for (const queue of stores.sqsStore.allQueues()) {
    queue.persistence = persistence;
    // Messages in flight when the last runtime died belong to pollers that died with it: nobody will delete them, so
    // they are visible again now rather than after their visibility timeout (up to minutes). Their lease simply ends
    // (the stored row says so too, its deadline being past): changeVisibility(0) would also do it, but fauxqs 2.4
    // writes a NULL receive count for it, which its own schema refuses.
    for (const entry of queue.inflightMessages.values()) entry.visibilityDeadline = 0;
    queue.processTimers();
  }
}

const app = buildApp({ logger: false, host: 'localhost', stores });
await app.listen({ port: Number(process.env.SQS_PORT), host: '127.0.0.1' });
process.on('SIGTERM', () =>
  app.close().then(() => {
    persistence?.close();
    process.exit(0);
  }),
);
