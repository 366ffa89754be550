// Loaded with --require into the peers the local runtime starts (dynalite, fauxqs). When the runtime is gone, however
// it went (kill -9 included), the peer is handed to another parent: it then exits too, so it does not keep holding its
// port or the lock of .data/ for the next `npm start`. (It watches its parent id rather than a stdin pipe: reading
// stdin stalls Node 20's module hooks, which the SQS stand-in needs.)
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 250).unref();
