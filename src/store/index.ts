export { LOCK_FILE, lockDataDir } from './lock.js';
export { DB_FILE, type Db, type Migration, openStore, type Store } from './store.js';
