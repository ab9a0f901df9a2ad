export * from './zoned.js';
export * from './business-hours.js';
export * from './deadlines.js';
export * from './cron.js';
export * from './recurrence.js';
