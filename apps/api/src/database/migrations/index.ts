import { Accounts1764000000000 } from './1764000000000-accounts.js';

/** The one migration history, oldest first. Add new migrations at the end. */
export const MIGRATIONS = [Accounts1764000000000];
