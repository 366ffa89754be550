// Loaded with --require into the peers the local runtime starts (dynalite, fauxqs). Their stdin is a pipe from the
// runtime, which closes when the runtime is gone, however it went (kill -9 included): the peer then exits too, so it
// does not keep holding its port or the LevelDB lock of .data/dynamodb for the next `npm start`.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
