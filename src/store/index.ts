export { LOCK_FILE, lockDataDir } from './lock.js';
export { type Row, SqlRepo } from './sql-repo.js';
export { DB_FILE, type Db, type Migration, openStore, type Store } from './store.js';
