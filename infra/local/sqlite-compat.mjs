// Module hooks that answer `node:sqlite` with better-sqlite3 on Node versions that lack it (before 22.5). fauxqs'
// persistence uses DatabaseSync's exec/prepare/close with positional parameters, which better-sqlite3 shares.
export async function resolve(specifier, context, next) {
  if (specifier === 'node:sqlite') return { url: new URL(import.meta.url).href + '#sqlite', shortCircuit: true };
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('#sqlite')) return next(url, context);
  const source = `
    import Database from 'better-sqlite3';
    export class DatabaseSync {
      #db;
      constructor(path, options = {}) {
        this.#db = new Database(path);
        if (options.enableForeignKeyConstraints !== false) this.#db.pragma('foreign_keys = ON');
      }
      exec(sql) { this.#db.exec(sql); }
      prepare(sql) { return this.#db.prepare(sql); }
      close() { this.#db.close(); }
    }`;
  return { format: 'module', source, shortCircuit: true };
}
